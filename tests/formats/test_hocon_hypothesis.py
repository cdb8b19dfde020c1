"""Property tests for the HOCON document over generated documents.

The generator builds a meaning (nested dicts with unique keys) and a random spelling of it: braces or
not around the root, ``:``/``=``/nothing before ``{``, dotted keys for single-field objects, commas or
newlines, ``#``/``//`` comments, quoted/unquoted/triple-quoted strings, blank lines, CRLF, a BOM.
Each property says which independent reader judges it: Lightbend Config (batched, one JVM per example)
or pyhocon (in process, on the subset where pyhocon reads HOCON correctly: no ``\\u`` escapes, no
durations, no keyword-like multi-word strings; see libraries-probe.md).
"""

from __future__ import annotations

import contextlib
import copy
import json
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyhocon import ConfigFactory

from jitsi_secure.errors import ParseError
from jitsi_secure.formats.hocon import ResolveError, parse
from tests.oracles.hocon import lightbend_read_texts


@dataclass(frozen=True)
class Generated:
    text: str
    meaning: dict[str, Any]
    newline: str


_KEYS = st.sampled_from(["a", "b", "c", "jicofo", "x-y", "enabled", "login-url", "q.k", "sp ace", "n1", "10"])
_WORDS = ["foo", "meet.example.com", "XMPP", "focus", "a-b_c", "/etc/jitsi", "é☕"]


def _scalar(pyhocon_safe: bool) -> st.SearchStrategy[tuple[str, Any]]:
    text_chars = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters='"\\')
    # pyhocon reads [""] as [] (a deviation of its own), so its subset has no empty strings.
    shortest = 1 if pyhocon_safe else 0
    options = [
        st.integers(-(10**6), 10**9).map(lambda i: (str(i), i)),
        st.sampled_from([("true", True), ("false", False), ("null", None)]),
        st.sampled_from(_WORDS).map(lambda w: (w, w)),
        st.sampled_from(["hello world", "two  spaces", "x y z"]).map(lambda w: (w, w)),
        st.text(text_chars, min_size=shortest, max_size=8).map(lambda s: (json.dumps(s, ensure_ascii=False), s)),
        st.text(text_chars, min_size=shortest, max_size=8).map(lambda s: ('"""' + s + '"""', s)),
    ]
    if not pyhocon_safe:
        options += [
            st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8).map(
                lambda s: (json.dumps(s), s)
            ),
            st.sampled_from([("1.5", 1.5), ("-2e3", -2000.0), ("30 seconds", "30 seconds"), ("true x", "true x")]),
        ]
    return st.one_of(*options)


def _value(pyhocon_safe: bool) -> st.SearchStrategy[tuple[str, Any]]:
    scalar = _scalar(pyhocon_safe)
    arrays = st.tuples(st.lists(scalar, max_size=4), st.sampled_from([", ", ",", " , ", "\n", ",\n"])).map(
        lambda pair: ("[" + pair[1].join(t for t, _ in pair[0]) + "]", [v for _, v in pair[0]])
    )
    return st.one_of(scalar, arrays)


@st.composite
def documents(draw: st.DrawFn, *, pyhocon_safe: bool = False, newline: str | None = None) -> Generated:
    nl = newline or draw(st.sampled_from(["\n", "\r\n"]))
    unit = draw(st.sampled_from(["  ", "    ", "\t"]))
    value = _value(pyhocon_safe)
    tree = draw(
        st.recursive(
            st.dictionaries(_KEYS, value, max_size=4),
            lambda children: st.dictionaries(_KEYS, st.one_of(value, children), max_size=4),
            max_leaves=12,
        )
    )

    def meaning(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: meaning(v) for k, v in node.items()}
        return node[1]

    def key_text(key: str) -> str:
        if "." in key or " " in key:
            return json.dumps(key)
        return json.dumps(key) if key == "a" and not pyhocon_safe and draw(st.booleans()) else key

    def dotted_ok(key: str) -> bool:
        # pyhocon cannot read a path key mixing quoted and unquoted elements (`b."q.k"`).
        return not pyhocon_safe or ("." not in key and " " not in key)

    def render_object(node: dict[str, Any], indent: str, braced_inline: bool) -> list[str]:
        lines = []
        for first_key, first_item in node.items():
            key, item = first_key, first_item
            path = [key_text(key)]
            # A single-field object may be written as a dotted key: same meaning.
            while (
                isinstance(item, dict)
                and len(item) == 1
                and dotted_ok(key)
                and dotted_ok(next(iter(item)))
                and draw(st.booleans())
            ):
                (key, item) = next(iter(item.items()))
                path.append(key_text(key))
            head = indent + ".".join(path)
            comment = draw(st.sampled_from(["", "", " # note", " // note", "  #"]))
            if isinstance(item, dict):
                sep = draw(st.sampled_from([" ", "", " : ", ":", " = ", "="]))
                body = render_object(item, indent + unit, False)
                if body:
                    lines.append(head + sep + "{" + comment + nl + nl.join(body) + nl + indent + "}")
                else:
                    lines.append(head + sep + "{}" + comment)
            else:
                sep = draw(st.sampled_from([" = ", "=", ": ", " : ", ":", "\t=\t"]))
                lines.append(head + sep + item[0] + draw(st.sampled_from(["", ","])) + comment)
            if draw(st.integers(0, 5)) == 0:
                lines.append(draw(st.sampled_from(["", indent + "# a comment", indent + "// another", "   "])))
        return lines

    braced = draw(st.booleans())
    body = render_object(tree, unit if braced else "", False)
    text = nl.join(body)
    if braced:
        text = "{" + nl + text + nl + "}"
    if draw(st.booleans()):
        text = draw(st.sampled_from(["# header" + nl, "// header" + nl + nl, nl])) + text
    if draw(st.booleans()):
        text += nl
    if not pyhocon_safe and draw(st.integers(0, 9)) == 0:
        text = "\ufeff" + text
    return Generated(text, meaning(tree), nl)


def _leaf_paths(tree: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for key, value in tree.items():
        out.append((*prefix, key))
        if isinstance(value, dict):
            out.extend(_leaf_paths(value, (*prefix, key)))
    return out


def _path_text(path: tuple[str, ...]) -> str:
    return ".".join(json.dumps(k) if "." in k or " " in k else k for k in path)


def _pyhocon(text: str) -> Any:
    return ConfigFactory.parse_string(text).as_plain_ordered_dict()


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value))


@given(documents())
def test_generated_documents_round_trip_and_read_as_generated(doc: Generated) -> None:
    parsed = parse(doc.text)
    assert parsed.render() == doc.text
    assert parsed.to_dict() == doc.meaning


@settings(max_examples=2)
@given(st.lists(documents(), min_size=50, max_size=50))
def test_generated_documents_read_like_lightbend(docs: list[Generated]) -> None:
    results = lightbend_read_texts([d.text for d in docs], "--no-includes")
    for doc, result in zip(docs, results, strict=True):
        assert result == {"value": _plain(doc.meaning)}, doc.text


_NEW_VALUES = st.one_of(
    st.integers(-100, 100),
    st.booleans(),
    st.none(),
    st.sampled_from(["XMPP", "meet.example.com", "has space", "http://x/y", 'quote"d', "10", "true", ""]),
    st.lists(st.sampled_from([1, "a", True]), max_size=3),
    st.dictionaries(st.sampled_from(["k", "l-m"]), st.sampled_from([1, "v", None]), max_size=2),
)


@st.composite
def edits(draw: st.DrawFn, doc: Generated, *, pyhocon_safe: bool = False) -> tuple[tuple[str, ...], Any]:
    existing = _leaf_paths(doc.meaning)
    if pyhocon_safe:
        # A new dotted key below `"q.k"` would mix quoted and unquoted elements, which pyhocon cannot read.
        existing = [p for p in existing if not any("." in k or " " in k for k in p)]
    choices = [*existing, ("jicofo", "authentication", "enabled"), ("new",)]
    base = draw(st.sampled_from(choices))
    if draw(st.booleans()):
        base = (*base, draw(st.sampled_from(["added", "login-url"])))
    return base, draw(_NEW_VALUES)


def _expected_after_set(meaning: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    want = copy.deepcopy(meaning)
    node = want
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[path[-1]] = copy.deepcopy(value)
    return want


@given(st.data())
def test_set_reads_as_intended_by_pyhocon_and_is_idempotent(data: st.DataObject) -> None:
    doc = data.draw(documents(pyhocon_safe=True))
    path, value = data.draw(edits(doc, pyhocon_safe=True))
    parsed = parse(doc.text)
    new = parsed.set(_path_text(path), value)
    want = _expected_after_set(doc.meaning, path, value)
    assert new.to_dict() == want
    assert _pyhocon(new.render()) == want
    assert new.set(_path_text(path), value) is new
    if "\r\n" in doc.text and "\n" not in doc.text.replace("\r\n", ""):
        assert "\n" not in new.render().replace("\r\n", "")


@given(st.data())
def test_remove_reads_as_intended_by_pyhocon(data: st.DataObject) -> None:
    doc = data.draw(documents(pyhocon_safe=True))
    paths = _leaf_paths(doc.meaning)
    if not paths:
        return
    path = data.draw(st.sampled_from(paths))
    new = parse(doc.text).remove(_path_text(path))
    want = copy.deepcopy(doc.meaning)
    node = want
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    got = _pyhocon(new.render())
    assert got == new.to_dict()
    # An object only the removed dotted key created goes with it; anything else stays.
    pruned = copy.deepcopy(want)
    for depth in range(len(path) - 1, 0, -1):
        parent = pruned
        for key in path[: depth - 1]:
            parent = parent[key]
        if parent.get(path[depth - 1]) == {}:
            del parent[path[depth - 1]]
    assert got in (want, pruned)
    if "\r\n" in doc.text and "\n" not in doc.text.replace("\r\n", ""):
        assert "\n" not in new.render().replace("\r\n", "")


@settings(max_examples=2)
@given(st.lists(st.tuples(documents(), st.data()), min_size=25, max_size=25))
def test_set_reads_as_intended_by_lightbend(cases: list[tuple[Generated, st.DataObject]]) -> None:
    texts, wanted = [], []
    for doc, data in cases:
        path, value = data.draw(edits(doc))
        texts.append(parse(doc.text).set(_path_text(path), value).render())
        wanted.append(_expected_after_set(doc.meaning, path, value))
    for text, want, result in zip(texts, wanted, lightbend_read_texts(texts, "--no-includes"), strict=True):
        assert result == {"value": _plain(want)}, text


# -- token soup: random sequences of HOCON fragments, valid or not --------------------------------

_PIECES = [
    *("a", "b", "a.b", '"q"', '"a.b"', " ", "  ", "\t", "\n", "\r\n", "=", ":", "+=", "{", "}", "[", "]", ","),
    *("1", "-2", "1.5", "1e3", "true", "null", "x y", "# c\n", "// c\n", "${a}", "${?b}", '"""t"""', "include"),
    *(' "f"', "\ufeff", "/", "-", ".", "..", "0x1", "'", "(", ")", "1+", "10 s", "\u00a0", "\u2028", "\x0c", "$"),
    "\\",
]
_SOUP = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=12).map("".join)


@given(st.one_of(_SOUP, st.text()))
def test_any_text_parses_or_raises_parse_error(text: str) -> None:
    try:
        doc = parse(text)
    except ParseError as exc:
        assert exc.line >= 1
        assert exc.column >= 1
        return
    assert doc.render() == text
    with contextlib.suppress(ResolveError):
        doc.to_dict(resolve=True)


@settings(max_examples=2)
@given(st.lists(_SOUP, min_size=400, max_size=400))
def test_token_soup_is_read_like_lightbend(texts: list[str]) -> None:
    results = lightbend_read_texts(texts, "--no-includes", "--resolve-noenv")
    for text, result in zip(texts, results, strict=True):
        if "error" in result and "Could not resolve substitution" in result["error"]:
            with pytest.raises(ResolveError):
                parse(text).to_dict(resolve=True)
        elif "error" in result:
            with pytest.raises(ParseError):
                parse(text)
        else:
            assert _plain(parse(text).to_dict(resolve=True)) == result["value"], text


# -- glued words: keywords, number runs and plain text with nothing between them ---------------------

# Lightbend splits such a word into tokens (a leading true/false/null is one, a number run may follow it
# and takes any '+' next to it); whether the word reads, and as what, depends on where the runs start.
_GLUED_PIECES = ["null", "true", "false", "nul", "1", "5", "e", "-", ".", "+", "x"]
_GLUED = st.lists(st.sampled_from(_GLUED_PIECES), min_size=1, max_size=6).map("".join)
_GLUED_FORMS = ["W+=x", "W += x", "W = x", "a.W+=x", "a = W", "a = [W]", "a { W+=x }"]


@settings(max_examples=2)
@given(st.lists(st.tuples(_GLUED, st.sampled_from(_GLUED_FORMS)), min_size=300, max_size=300))
def test_glued_words_are_read_like_lightbend(cases: list[tuple[str, str]]) -> None:
    texts = [form.replace("W", word) for word, form in cases]
    for text, result in zip(texts, lightbend_read_texts(texts, "--no-includes", "--resolve-noenv"), strict=True):
        if "error" in result:
            with pytest.raises(ParseError):
                parse(text)
        else:
            assert _plain(parse(text).to_dict(resolve=True)) == result["value"], text
