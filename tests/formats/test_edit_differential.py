"""Random edits judged by the real readers (issue 15): the meaning after an edit is the old meaning plus
exactly the asked changes, or the edit raised ``EditError``, and nothing else.

Hypothesis draws documents (corpus files, the whole corpus of the format, and generated ones: object
concatenations, empty and one-line objects included) and batches of set/remove changes; every result is
then read by the format's real reader in one batch (Lightbend Config, java.util.Properties, Prosody's
loader, python-dotenv, Node). The budget is the Hypothesis profile's (100 examples per format in CI);
``DIFFERENTIAL_EXAMPLES`` overrides it, and ``make fuzz`` sets it high for a longer run.
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
import re
from typing import Any

import pytest
from dotenv import dotenv_values
from hypothesis import given, settings
from hypothesis import strategies as st

from jitsi_secure import EditError
from jitsi_secure.formats import COMMENT_OUT, REMOVE, CommentOut, dotenv, hocon, js, lua, properties
from tests.oracles import corpus_files, java_properties
from tests.oracles.hocon import lightbend_read_texts
from tests.oracles.js import NodeEvaluator, js_corpus, served
from tests.oracles.lua import prosody_configs

#: Examples per format: the profile's, or ``DIFFERENTIAL_EXAMPLES`` (``make fuzz``).
EXAMPLES = int(os.environ.get("DIFFERENTIAL_EXAMPLES", "0")) or settings().max_examples
KEYS = ["a", "b", "c", "x-y"]
VALUES = st.one_of(st.sampled_from(["on", "", "two words", "a#b", "$x", "é"]), st.integers(-5, 5), st.booleans())
#: The ways a change takes a setting away: deleted, commented out, commented out with a placeholder.
GONE = st.sampled_from([REMOVE, COMMENT_OUT, CommentOut("example_placeholder")])


def _gone(value: Any) -> bool:
    return value is REMOVE or isinstance(value, CommentOut)


def _collect(strategy: st.SearchStrategy[Any], run: Any, *, share: int = 2) -> list[Any]:
    """Run ``run`` on every example Hypothesis draws and keep what it returns (the oracle runs once after);
    at least one in ``share`` must go through."""
    found: list[Any] = []

    @settings(max_examples=EXAMPLES, database=None)
    @given(strategy)
    def each(drawn: Any) -> None:
        result = run(drawn)
        if result is not None:
            found.append(result)

    each()
    # Refusing every edit would pass the meaning check trivially: most must go through.
    assert len(found) * share >= EXAMPLES, f"only {len(found)} of {EXAMPLES} edits were made"
    return found


# -- HOCON, judged by Lightbend -------------------------------------------------------------------

HOCON_TEXTS = [
    "a = { x = 1 } { y = 2 }\n",
    "a { }\nb = 1\n",
    "a {\n}\n",
    "a { b { } }\n",
    "# about a\na = 1\n\n# heading\nb { c = 1, d = 2 }\n",
    "a.b = 1\na { c = 2 }\n",
    "a { b = 1 }\r\r\na { c = 2 }\r\r\n",
    '{\n  "a": 1,\n  "b": {"c": 2}\n}\n',
    "a = { x = 1 }\n# b = 2\n",
]


def _hocon_texts() -> list[str]:
    """The generated texts and every corpus .conf file: Hypothesis draws among all of them, so each run
    of the fixed budget reaches any file (and ``make fuzz`` many more of them)."""
    texts = list(HOCON_TEXTS)
    try:
        files = corpus_files("hocon", "*.conf")
    except pytest.skip.Exception:
        files = []
    texts += [p.read_text(encoding="utf-8") for p in files]
    return texts


def test_hocon_random_edits_read_as_asked_by_lightbend() -> None:
    texts = _hocon_texts()
    paths = st.lists(st.sampled_from(KEYS), min_size=1, max_size=3).map(tuple)
    changes = st.dictionaries(paths, st.one_of(VALUES, GONE), min_size=1, max_size=4)

    def run(drawn: tuple[int, dict[Any, Any]]) -> tuple[str, str, dict[Any, Any]] | None:
        index, batch = drawn
        doc = hocon.parse(texts[index])
        try:
            new = doc.edit(batch)
        except EditError:
            return None
        return doc.render(), new.render(), batch

    cases = _collect(st.tuples(st.integers(0, len(texts) - 1), changes), run)
    read = lightbend_read_texts([text for old, new, _ in cases for text in (old, new)], "--no-includes")
    for n, (old_text, new_text, batch) in enumerate(cases):
        before, after = read[2 * n], read[2 * n + 1]
        if "value" not in before:
            continue
        assert "value" in after, (new_text, after)
        want = copy.deepcopy(before["value"])
        for path, value in batch.items():
            _apply(want, path, value)
        assert _pruned_equal(after["value"], want, batch), (old_text, batch, new_text)


def _apply(tree: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = tree
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            if _gone(value):
                return
            node[key] = {}
        node = node[key]
    if _gone(value):
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value


def _pruned_equal(got: Any, want: Any, batch: dict[Any, Any]) -> bool:
    """Equal, allowing an object that only removed fields made to go with them."""
    if got == want:
        return True
    for path, value in batch.items():
        if not _gone(value):
            continue
        for depth in range(len(path) - 1, 0, -1):
            node = want
            for key in path[: depth - 1]:
                node = node.get(key, {}) if isinstance(node, dict) else {}
            if isinstance(node, dict) and node.get(path[depth - 1]) == {}:
                del node[path[depth - 1]]
    return bool(got == want)


# -- .properties, judged by java.util.Properties ----------------------------------------------------

PROPERTY_TEXTS = [
    "# heading\na=1\nb = 2\n\n# about c\nc:3\n",
    "#a=old\n! note\nx\\\n  y=1\n",
    "a=1\r\nb=2\r\n",
    "",
]


def test_properties_random_edits_read_as_asked_by_java(tmp_path: Any) -> None:
    keys = st.sampled_from(["a", "b", "c", "d.e", "x y", "é"])
    values = st.one_of(st.sampled_from(["", " lead", "a=b", "#x", "€uro", "multi\nline", "back\\slash"]), st.text())
    changes = st.dictionaries(keys, st.one_of(values, GONE), min_size=1, max_size=4)

    def run(drawn: tuple[int, dict[str, Any]]) -> tuple[str, str, dict[str, Any]] | None:
        index, batch = drawn
        doc = properties.parse(PROPERTY_TEXTS[index])
        try:
            new = doc.edit(batch)
        except EditError:
            return None
        return doc.render(), properties.to_latin1(new.render()), batch

    cases = _collect(st.tuples(st.integers(0, len(PROPERTY_TEXTS) - 1), changes), run)
    files = []
    for n, (old, new, _) in enumerate(cases):
        for label, text in (("old", old), ("new", new)):
            path = tmp_path / f"{n}-{label}.properties"
            path.write_bytes(text.encode(properties.ENCODING, "surrogateescape"))
            files.append(path)
    read = java_properties(files)
    for n, (_, new_text, batch) in enumerate(cases):
        want = dict(read[2 * n]["properties"])
        for key, value in batch.items():
            if _gone(value):
                want.pop(key, None)
            else:
                want[key] = value
        assert read[2 * n + 1]["properties"] == want, (batch, new_text)


# -- .env, judged by python-dotenv ------------------------------------------------------------------

DOTENV_TEXTS = ["# heading\nA=1\nB='two'\n\n#C=3\n", 'export A="x"\nD=${A}\n', "A=1\r\nB=2\r\n", ""]


def test_dotenv_random_edits_read_as_asked_by_python_dotenv() -> None:
    keys = st.sampled_from(["A", "B", "C", "E_F"])
    values = st.one_of(st.sampled_from(["", "a b", "$HOME", "it's", 'q"q', "#x", "multi\nline"]), st.text())
    changes = st.dictionaries(keys, st.one_of(values, GONE), min_size=1, max_size=4)

    def run(drawn: tuple[int, dict[str, Any]]) -> bool | None:
        index, batch = drawn
        doc = dotenv.parse(DOTENV_TEXTS[index])
        try:
            new = doc.edit(batch)
        except EditError:
            assert doc.render() == DOTENV_TEXTS[index]
            return None
        want = dict(dotenv_values(stream=io.StringIO(doc.render()), interpolate=False))
        for key, value in batch.items():
            if _gone(value):
                want.pop(key, None)
            else:
                want[key] = value
        got = dotenv_values(stream=io.StringIO(new.render()), interpolate=False)
        assert got == want, (batch, new.render())
        return True

    _collect(st.tuples(st.integers(0, len(DOTENV_TEXTS) - 1), changes), run)


# -- Prosody, judged by Prosody's config loader ----------------------------------------------------

LUA_TEXTS = [
    '-- about a\na = 1\n\nVirtualHost "example.com"\n    -- heading\n    b = "x"\n    c = { "m1"; "m2" }\n'
    '    --d = "old"\n',
    'VirtualHost "example.com" \n    t = { key = "k", other = 2 }\n',
    "a = 1\r\nb = 2\r\n",
]


def test_lua_random_edits_read_as_asked_by_prosody(tmp_path: Any) -> None:
    sections = st.sampled_from(["*", "example.com"])
    options = st.sampled_from(["a", "b", "c", "d", "t"])
    values = st.one_of(VALUES, st.lists(st.sampled_from(["m1", "m2", "m3"]), max_size=3))
    changes = st.dictionaries(st.tuples(sections, options), st.one_of(values, GONE), min_size=1, max_size=4)

    def run(drawn: tuple[int, dict[Any, Any]]) -> tuple[str, str, dict[Any, Any]] | None:
        index, batch = drawn
        doc = lua.parse(LUA_TEXTS[index])
        try:
            new = doc.edit(batch)
        except EditError:
            return None
        return doc.render(), new.render(), batch

    cases = _collect(st.tuples(st.integers(0, len(LUA_TEXTS) - 1), changes), run)
    files = []
    for n, (old, new, _) in enumerate(cases):
        for label, text in (("old", old), ("new", new)):
            path = tmp_path / f"{n}-{label}.cfg.lua"
            path.write_text(text, encoding="utf-8", newline="")
            files.append(path)
    read = prosody_configs(files)
    for n, (_, new_text, batch) in enumerate(cases):
        before, after = read[2 * n], read[2 * n + 1]
        assert before["ok"] and after["ok"], (new_text, after)
        want = copy.deepcopy(before["config"])
        for (section, option), value in batch.items():
            options = want.setdefault(section, {})
            if isinstance(options, list):  # an empty section dumps as []
                options = want[section] = {}
            if _gone(value):
                options.pop(option, None)
            else:
                options[option] = value if value != [] else []
        got = after["config"]
        assert _normal(got) == _normal(want), (batch, new_text)


def _normal(config: dict[str, Any]) -> dict[str, Any]:
    return {section: (options or {}) for section, options in config.items()}


# -- config.js, judged by Node ---------------------------------------------------------------------

JS_TEXTS = [
    "var config = { hosts: {} };\n",
    "var config = {\n    hosts: { domain: 'x', muc: 'y' },\n};\n",
    "var config = {\n    // about a\n    a: 1,\n\n    // heading\n    b: { c: 2 },\n    // c: 'old',\n};\n",
    "var config = {\n    hosts: {\n        domain: 'x'\n    }\n};\nconfig.b = 2;\nconfig.hosts.muc = 'm';\n",
    "var config = {\r\n    a: 1,\r\n    b: [1, 2],\r\n};\r\n",
    "var config = {};\nif (!config.hasOwnProperty('hosts')) config.hosts = {};\nconfig.hosts.domain = 'd';\n",
]
_JS_PLACEHOLDER = re.compile(r"\b__[A-Z][A-Z0-9_]*__\b")


def _js_texts() -> list[tuple[str, str]]:
    texts = [(text, "config") for text in JS_TEXTS]
    with contextlib.suppress(pytest.skip.Exception):
        texts += [(item.text, item.name) for item in js_corpus()]
    return texts


def test_js_random_edits_read_as_asked_by_node() -> None:
    texts = _js_texts()
    paths = st.lists(
        st.sampled_from(["hosts", "domain", "anonymousdomain", "a", "b", "c", "p2p"]), min_size=1, max_size=3
    )
    values = st.one_of(VALUES, st.none(), st.lists(st.integers(0, 3), max_size=2))
    changes = st.dictionaries(paths.map(tuple), st.one_of(values, GONE), min_size=1, max_size=4)

    def run(drawn: tuple[int, dict[Any, Any]]) -> tuple[int, str, dict[Any, Any]] | None:
        index, batch = drawn
        text, name = texts[index]
        doc = js.parse(text, name=name)
        try:
            new = doc.edit(batch)
        except EditError:
            assert doc.render() == text
            return None
        return index, new.render(), batch

    cases = _collect(st.tuples(st.integers(0, len(texts) - 1), changes), run, share=4)
    node = NodeEvaluator()
    try:
        for index, new_text, batch in cases:
            text, name = texts[index]
            placeholders = {p: f"placeholder {p}" for p in _JS_PLACEHOLDER.findall(text)}
            before = node.evaluate(served(text), name, globals_=placeholders)
            after = node.evaluate(served(new_text), name, globals_=placeholders)
            if not before.ok:
                continue
            assert after.ok, (new_text, after.error)
            want = copy.deepcopy(before.value)
            for path, value in batch.items():
                _apply(want, path, value)
            assert _js_same(after.value, want), (batch, _first_js_difference(after.value, want), new_text)
    finally:
        node.close()


def _first_js_difference(got: Any, want: Any, path: str = "") -> str:
    if isinstance(got, dict) and isinstance(want, dict):
        for key in sorted(got.keys() | want.keys()):
            if key not in got or key not in want or not _js_same(got[key], want[key]):
                inner = _first_js_difference(got.get(key), want.get(key), f"{path}.{key}")
                return inner or f"{path}.{key}"
        return ""
    return "" if _js_same(got, want) else f"{path}: node {got!r}, asked {want!r}"


def _js_same(a: Any, b: Any) -> bool:
    """Equality of JSON values as JavaScript has them: booleans are not numbers."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_js_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_js_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)
