"""The HOCON document against Lightbend Config, the reference reader (Jicofo reads jicofo.conf with it).

All Java runs are batched: one JVM per test reads every file (see ``tests/oracles/HoconDump.java``).
Includes are switched off on both sides (``--no-includes``): jitsi-secure reports includes, it does not
follow them.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from jitsi_secure.errors import ParseError
from jitsi_secure.formats.hocon import ResolveError, Unresolved, parse
from tests.formats.hocon_cases import INVALID, MEANINGS, STRICTER_THAN_LIGHTBEND, VALID_SYNTAX
from tests.oracles import corpus_files
from tests.oracles.hocon import lightbend_read, lightbend_read_texts


def _plain(value: Any) -> Any:
    """Our reading as JSON would carry it (Lightbend prints numbers by value, so 1e3 and 1000.0 agree)."""
    return json.loads(json.dumps(value))


def test_meanings_agree_with_lightbend() -> None:
    results = lightbend_read_texts([text for text, _ in MEANINGS], "--resolve-noenv", "--no-includes")
    for (text, meaning), result in zip(MEANINGS, results, strict=True):
        assert result == {"value": meaning}, text
        assert parse(text).to_dict(resolve=True) == meaning, text


def test_invalid_texts_are_rejected_by_lightbend_too() -> None:
    for text, result in zip(INVALID, lightbend_read_texts(INVALID, "--no-includes"), strict=True):
        assert "error" in result, text
        with pytest.raises(ParseError):
            parse(text)


def test_known_deviation_lightbend_drops_text_after_an_array() -> None:
    results = lightbend_read_texts(STRICTER_THAN_LIGHTBEND, "--no-includes")
    assert results == [{"value": {"a": [1]}}, {"value": {"a": {"x": 1}}}]


def test_valid_syntax_agrees_with_lightbend() -> None:
    plain = lightbend_read_texts(VALID_SYNTAX, "--no-includes")
    resolved = lightbend_read_texts(VALID_SYNTAX, "--no-includes", "--resolve-noenv", "--allow-unresolved")
    for text, result, full in zip(VALID_SYNTAX, plain, resolved, strict=True):
        assert "error" not in result, text
        doc = parse(text)
        ours = doc.to_dict()
        if "value" in result:
            assert _plain(ours) == result["value"], text
        elif "value" in full:
            # Lightbend keeps self-references (`+=`, `a = ${a} x`) unresolved until resolve(); we resolve
            # them while reading since they can only mean earlier values of the same document.
            assert _plain(doc.to_dict(resolve=True)) == full["value"], text
        else:
            assert _has_unresolved(ours), text


def _has_unresolved(value: Any) -> bool:
    if isinstance(value, Unresolved):
        return True
    if isinstance(value, dict):
        return any(_has_unresolved(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_unresolved(v) for v in value)
    return False


def _corpus() -> list[Path]:
    return corpus_files("hocon", "*.conf")


def test_corpus_reads_like_lightbend() -> None:
    files = _corpus()
    raw = lightbend_read(files, "--no-includes")
    resolved = lightbend_read(files, "--no-includes", "--resolve-noenv")
    compared = 0
    for path, plain, full in zip(files, raw, resolved, strict=True):
        doc = parse(path.read_text(encoding="utf-8"), source=str(path))
        assert "error" not in plain, path
        if "value" in plain:
            assert _plain(doc.to_dict()) == plain["value"], path
            compared += 1
        else:
            assert _has_unresolved(doc.to_dict()), path
        if "value" in full:
            assert _plain(doc.to_dict(resolve=True)) == full["value"], path
            compared += 1
        else:
            assert "Could not resolve substitution" in full["error"], path
            with pytest.raises(ResolveError):
                doc.to_dict(resolve=True)
    assert compared > 120


def test_corpus_files_lightbend_rejects_with_includes_still_round_trip() -> None:
    files = _corpus()
    with_includes = lightbend_read(files)
    rejected = [p for p, r in zip(files, with_includes, strict=True) if "error" in r]
    assert {p.name for p in rejected} >= {"cycle.conf", "include-from-list.conf"}
    for path in rejected:
        text = path.read_text(encoding="utf-8")
        assert parse(text).render() == text


def _leaves(value: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if isinstance(value, dict):
        out = []
        for key, item in value.items():
            out.extend(_leaves(item, (*prefix, key)))
        return out
    return [prefix]


def _render_path(path: tuple[str, ...]) -> str:
    return ".".join(json.dumps(k) for k in path)


def _store(tree: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        if not isinstance(tree.get(key), dict):
            tree[key] = {}
        tree = tree[key]
    tree[path[-1]] = value


def _delete(tree: dict[str, Any], path: tuple[str, ...]) -> None:
    for key in path[:-1]:
        tree = tree[key]
    del tree[path[-1]]


def test_corpus_edits_read_as_intended_by_lightbend() -> None:
    files = _corpus()
    before = lightbend_read(files, "--no-includes")
    texts: list[str] = []
    expected: list[tuple[Any, Any, Any]] = []
    for path, result in zip(files, before, strict=True):
        if "value" not in result:
            continue  # substitutions: an edit may legitimately change what refers to it
        doc = parse(path.read_text(encoding="utf-8"), source=str(path))
        meaning = result["value"]
        leaves = [p for p in _leaves(meaning) if p]
        edits: list[tuple[str, tuple[str, ...], Any]] = [
            ("set", ("jicofo", "authentication", "enabled"), True),
            ("set", ("jicofo", "authentication", "type"), "XMPP"),
            ("set", ("jicofo", "authentication", "login-url"), "meet.example.com"),
        ]
        if leaves:
            edits.append(("set", leaves[len(leaves) // 2], "changed value"))
            edits.append(("remove", leaves[-1], None))
        for op, target, value in edits:
            want = copy.deepcopy(meaning)
            if op == "set":
                if not all(isinstance(_get(want, target[:i]), dict) for i in range(1, len(target))):
                    continue  # a prefix holds a scalar: setting below it replaces it, tested elsewhere
                new = doc.set(_render_path(target), value)
                _store(want, target, value)
            else:
                new = doc.remove(_render_path(target))
                _delete(want, target)
            texts.append(new.render())
            expected.append((want, _pruned(want, target), _plain(new.to_dict())))
    assert len(texts) > 200
    after = lightbend_read_texts(texts, "--no-includes")
    for text, (want, pruned, ours), got in zip(texts, expected, after, strict=True):
        assert got == {"value": ours}, text
        # Removing the only field under an object may take the (then empty) object with it.
        assert ours in (want, pruned), text


def _pruned(tree: Any, path: tuple[str, ...]) -> Any:
    """``tree`` without the ancestors of ``path`` left empty by its removal."""
    out = copy.deepcopy(tree)
    for depth in range(len(path) - 1, 0, -1):
        parent = _get(out, path[: depth - 1])
        if parent.get(path[depth - 1]) == {}:
            del parent[path[depth - 1]]
    return out


def _get(tree: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(tree, dict) or key not in tree:
            return {}
        tree = tree[key]
    return tree


# -- pyhocon, the in-process independent reader ------------------------------------------------------


def _pyhocon_plain(value: Any) -> Any:
    from pyhocon import ConfigTree

    if isinstance(value, ConfigTree):
        return {k: _pyhocon_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_pyhocon_plain(v) for v in value]
    return value


def _leaf_items(value: Any, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    if isinstance(value, dict):
        out: dict[tuple[str, ...], Any] = {}
        for key, item in value.items():
            out.update(_leaf_items(item, (*prefix, key)))
        return out
    return {prefix: value}


def _pyhocon_deviation(key: tuple[str, ...], ours: Any, theirs: Any) -> bool:
    """pyhocon's known deviations (libraries-probe.md section 2, and `.75` seen on the corpus)."""
    if "timedelta(" in repr(theirs) or "relativedelta(" in repr(theirs):
        return True  # durations become datetime.timedelta (or dateutil's relativedelta when installed)
    return isinstance(ours, str) and ours.startswith(".") and isinstance(theirs, float)  # `.75` is a string


@pytest.mark.filterwarnings("ignore:The 'warn' method is deprecated:DeprecationWarning")
def test_corpus_reads_like_pyhocon_where_pyhocon_is_right() -> None:
    import logging

    from pyhocon import ConfigFactory
    from pyhocon.exceptions import ConfigException

    logging.getLogger("pyhocon").setLevel(logging.CRITICAL)
    agreed = 0
    for path in _corpus():
        text = path.read_text(encoding="utf-8")
        if len(text) > 15_000 or "lightbend-config" in path.parts:
            continue  # pyhocon needs ~6 ms/KB; the Lightbend suite's files test includes pyhocon follows
        try:
            theirs = _leaf_items(_pyhocon_plain(ConfigFactory.parse_string(text, resolve=True)))
        except ConfigException:
            continue  # unresolvable without the environment; Lightbend covers these
        ours = _leaf_items(parse(text).to_dict(resolve=True, env={}))
        # pyhocon keeps the quotes of a quoted key element that contains a dot: undo that deviation.
        theirs = {tuple(e[1:-1] if e.startswith('"') else e for e in k): v for k, v in theirs.items()}
        for key in set(ours) | set(theirs):
            mine, other = ours.get(key, "<absent>"), theirs.get(key, "<absent>")
            if mine != other and not _pyhocon_deviation(key, mine, other):
                raise AssertionError(f"{path}: {key}: ours {mine!r}, pyhocon {other!r}")
            agreed += mine == other
    assert agreed > 500
