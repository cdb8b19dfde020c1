"""Keys set in one-line Lua tables (``t = { a = 1, b = 2 }``, ``t = {}``): the table opens onto lines so
that the new key has a line of its own, which can then be removed and commented out, as HOCON and
config.js do with a one-line object. Every edited text is judged by Prosody's own config loader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jitsi_secure.errors import EditError
from jitsi_secure.formats import lua
from jitsi_secure.formats.lua._render import RenderStyle, render_value
from tests.oracles.lua import prosody_configs


def prosody_reads(tmp_path: Path, texts: list[str]) -> list[dict[str, Any]]:
    """Each text's configuration as Prosody 0.12's loader reads it (one run for all)."""
    paths = []
    for n, text in enumerate(texts):
        path = tmp_path / f"t{n}.cfg.lua"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    results = prosody_configs(paths)
    assert all(r["ok"] for r in results), [r.get("error") for r in results]
    return [r["config"] for r in results]


# (text, path of the new key, what the table reads as once the key is "guest")
CASES = [
    ("t = { a = 1, b = 2 }\n", ("*", "t", "c"), {"a": 1, "b": 2, "c": "guest"}),
    ("t = { a = 1; b = 'x'; }\n", ("*", "t", "c"), {"a": 1, "b": "x", "c": "guest"}),
    ("t = {}\n", ("*", "t", "c"), {"c": "guest"}),
    ("t = { }\n", ("*", "t", "c"), {"c": "guest"}),
    ('VirtualHost "x.example"\n    t = { a = true }\n', ("x.example", "t", "c"), {"a": True, "c": "guest"}),
    ("t = { a = { b = 1 } }\n", ("*", "t", "a", "c"), {"a": {"b": 1, "c": "guest"}}),
    ("t = {\n    a = 1,\n    n = {},\n}\n", ("*", "t", "n", "c"), {"a": 1, "n": {"c": "guest"}}),
]


def _table(config: dict[str, Any], path: tuple[str, ...]) -> Any:
    section, option = path[:2]
    return config["*" if section == "*" else section][option]


@pytest.mark.parametrize(("text", "path", "expected"), CASES)
def test_a_new_key_opens_a_one_line_table_onto_lines(text: str, path: tuple[str, ...], expected: Any) -> None:
    new = lua.parse(text).set(path, "guest")
    assert new.get(path) == "guest"
    line = next(line for line in new.render().splitlines() if "guest" in line)
    assert line.strip().startswith(f"{path[-1]} = "), line
    assert "}" not in line and "{" not in line, line
    assert new.get(path[:2]) == expected


def test_prosody_reads_the_opened_tables_and_their_removals(tmp_path: Path) -> None:
    texts = []
    for text, path, _ in CASES:
        new = lua.parse(text).set(path, "guest")
        texts += [text, new.render(), new.remove(path).render(), new.remove(path, comment_out=True).render()]
    configs = prosody_reads(tmp_path, texts)
    for n, (_, path, expected) in enumerate(CASES):
        before, added, removed, commented = (_table(c, path) for c in configs[4 * n : 4 * n + 4])
        assert added == expected, texts[4 * n + 1]
        # Once the key goes, removed or commented out, the table reads as it did before it came.
        assert removed == before, texts[4 * n + 2]
        assert commented == before, texts[4 * n + 3]
        assert f"--{path[-1]} = " in texts[4 * n + 3]


def test_a_key_sharing_its_line_is_not_commented_out_silently() -> None:
    doc = lua.parse("t = { a = 1, b = 2 }\n")
    with pytest.raises(EditError, match="can be removed but not commented out"):
        doc.remove(("*", "t", "a"), comment_out=True)
    assert doc.remove(("*", "t", "a")).render() == "t = { b = 2 }\n"


def test_the_last_field_without_a_separator_is_commented_out_not_deleted() -> None:
    doc = lua.parse("t = {\n    a = 1;\n    b = 2\n}\n")
    assert doc.remove(("*", "t", "b"), comment_out=True).render() == "t = {\n    a = 1;\n    --b = 2\n}\n"


def test_what_was_commented_out_can_be_set_again() -> None:
    new = lua.parse("t = { a = 1 }\n").set(("*", "t", "c"), "guest")
    commented = new.remove(("*", "t", "c"), comment_out=True)
    assert commented.get(("*", "t", "c")) is None
    assert commented.set(("*", "t", "c"), "guest").get(("*", "t")) == {"a": 1, "c": "guest"}


_KEYS = st.sampled_from(["a", "b", "muc", "enabled", "x1"])
_VALUES = st.one_of(st.integers(-5, 5), st.booleans(), st.sampled_from(["s", "it's", 'q"']))


@settings(max_examples=25, deadline=None)
@given(old=st.dictionaries(_KEYS, _VALUES, max_size=4), new_key=st.sampled_from(["n", "new_key"]), value=_VALUES)
def test_any_one_line_table_takes_a_new_key(old: dict[str, Any], new_key: str, value: Any) -> None:
    text = "t = " + (render_value(old, RenderStyle()) if old else "{}") + "\n"
    new = lua.parse(text).set(("*", "t", new_key), value)
    assert new.get(("*", "t")) == {**old, new_key: value}
    assert new.evaluate()["*"]["t"] == {**old, new_key: value}
    assert new.remove(("*", "t", new_key), comment_out=True).get(("*", "t")) == (old or [])
