"""config.js against Node.js: what node evaluates is the meaning, before and after every edit.

Expected values are node's reading of the original file with the intended change applied to it;
jitsi-secure's own reader is not trusted to judge its own edits here. Node reads each text as nginx
serves it (SSI ``echo`` directives replaced by their defaults, by the oracle's own substitution).
"""

from __future__ import annotations

import copy
import functools
import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from jitsi_secure import _verify
from jitsi_secure.errors import EditError
from jitsi_secure.formats import js
from jitsi_secure.formats.js import NonLiteral
from tests.oracles.js import JsCorpusFile, NodeEvaluator, NodeResult, js_corpus, modern_corpus, served

# Template placeholders used as bare identifiers (yunohost: `startAudioOnly: __STARTAUDIOONLY__`).
_PLACEHOLDER = re.compile(r"\b__[A-Z][A-Z0-9_]*__\b")


@pytest.fixture(scope="module")
def node() -> Iterator[NodeEvaluator]:
    evaluator = NodeEvaluator()
    yield evaluator
    evaluator.close()


@dataclass(frozen=True)
class Case:
    file: JsCorpusFile
    doc: js.ConfigJsDocument
    placeholders: dict[str, str]
    baseline: dict[str, Any]

    def evaluate(self, node: NodeEvaluator, text: str) -> NodeResult:
        return node.evaluate(served(text), self.file.name, globals_=self.placeholders)


@functools.cache
def _cases(node: NodeEvaluator) -> tuple[Case, ...]:
    cases = []
    for item in [*js_corpus(), *modern_corpus()]:
        doc = js.parse(item.text, source=item.id, name=item.name)  # node runs it: it must parse
        placeholders = {p: f"placeholder {p}" for p in _PLACEHOLDER.findall(item.text)}
        result = node.evaluate(served(item.text), item.name, globals_=placeholders)
        assert result.ok, f"{item.id}: node cannot evaluate it: {result.error}"
        cases.append(Case(item, doc, placeholders, result.value))
    assert len(cases) >= 40
    return tuple(cases)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        # JavaScript numbers are doubles: node prints 52198213192459250 for the double esprima and
        # Python know as 52198213192459248.
        return float(a) == float(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _disagreement(ours: Any, theirs: Any, path: str = "") -> str | None:
    """Where our reading differs from node's; a NonLiteral of ours agrees with anything (even absence)."""
    if isinstance(ours, NonLiteral):
        return None
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in sorted(ours.keys() | theirs.keys()):
            if isinstance(ours.get(key), NonLiteral):
                continue
            if key not in ours or key not in theirs:
                return f"{path}.{key} (only in {'ours' if key in ours else 'node'})"
            found = _disagreement(ours[key], theirs[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        for index, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            found = _disagreement(a, b, f"{path}[{index}]")
            if found:
                return found
        return None
    return None if _same(ours, theirs) else path or "(top)"


def _put(data: dict[str, Any], keys: tuple[str, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    node = out
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    node[keys[-1]] = copy.deepcopy(value)
    return out


def _pop(data: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    node = out
    for key in keys[:-1]:
        node = node[key]
    node.pop(keys[-1], None)
    return out


def test_meaning_matches_node_on_corpus(node: NodeEvaluator) -> None:
    failures = []
    flagged = 0
    for case in _cases(node):
        ours = case.doc.to_dict()
        where = _disagreement(ours, case.baseline)
        if where:
            failures.append(f"{case.file.id}: {where}")
        flagged += _count_nonliteral(ours)
    assert not failures, failures
    assert flagged > 0  # the corpus has concatenations, functions and `16 / 9`: they must be flagged


def _ssi(value: Any) -> bool:
    """Whether a value holds something nginx fills in (its source text has an SSI directive)."""
    if isinstance(value, NonLiteral):
        return "<!--#" in value.source
    if isinstance(value, dict):
        return any(_ssi(v) for v in value.values())
    return isinstance(value, list) and any(_ssi(v) for v in value)


def _count_nonliteral(value: Any) -> int:
    if isinstance(value, NonLiteral):
        return 1
    if isinstance(value, dict):
        return sum(_count_nonliteral(v) for v in value.values())
    if isinstance(value, list):
        return sum(_count_nonliteral(v) for v in value)
    return 0


NESTED = {"deep": {"flag": True, "n": -2.5, "s": 'it\'s "q" </script>\u2028 é'}, "empty": {}, "none": None}
LIST = ["microphone", "camera", "hangup", 3, None]


def _line_breaks(text: str) -> Counter[str]:
    return Counter(re.findall(r"\r\n|\r|\n", text))


def _non_ascii(text: str) -> Counter[str]:
    return Counter(ch for ch in text if ord(ch) > 127)


def test_corpus_edits_mean_exactly_the_intended_change(node: NodeEvaluator) -> None:
    failures: list[str] = []
    for case in _cases(node):
        doc = case.doc
        # Edits never touch an nginx SSI directive (test_js_ssi checks the refusal): remove something else.
        literal_keys = [k for k, v in doc.to_dict().items() if not isinstance(v, NonLiteral) and not _ssi(v)]
        removable = "hosts" if "hosts" in literal_keys else literal_keys[0]
        commentable = literal_keys[-1]
        edits: list[tuple[str, tuple[str, ...], Any]] = [
            ("set", ("hosts", "anonymousdomain"), "guest.meet.example.com"),
            ("set", ("jitsiSecure", "nested"), NESTED),
            ("set", ("toolbarButtons",), LIST),
            ("remove", (removable,), None),
            ("comment", (commentable,), None),
        ]
        for op, keys, value in edits:
            label = f"{case.file.id}: {op} {'.'.join(keys)}"
            try:
                if op == "set":
                    new = doc.set(keys, value)
                    expected = _put(case.baseline, keys, value)
                else:
                    new = doc.remove(keys, comment_out=op == "comment")
                    expected = _pop(case.baseline, keys)
            except EditError as exc:
                failures.append(f"{label}: refused: {exc}")
                continue
            result = case.evaluate(node, new.render())
            if not result.ok:
                failures.append(f"{label}: node failed: {result.error}")
            elif not _same(result.value, expected):
                failures.append(f"{label}: node reads {_disagreement(result.value, expected)} differently")
            old_breaks, new_breaks = _line_breaks(doc.render()), _line_breaks(new.render())
            for kind in ("\r\n", "\n", "\r"):
                if old_breaks[kind] == 0 and new_breaks[kind]:
                    failures.append(f"{label}: introduced {kind!r} line breaks")
            if op == "set":
                old_chars, new_chars = _non_ascii(doc.render()), _non_ascii(new.render())
                if any(new_chars[ch] < count for ch, count in old_chars.items()):
                    failures.append(f"{label}: lost non-ASCII text")
                if new.set(keys, value) is not new:
                    failures.append(f"{label}: not idempotent")
            elif new.remove(keys) is not new:
                failures.append(f"{label}: remove not idempotent")
    assert not failures, "\n".join(failures)


def test_uncommenting_in_upstream_configs(node: NodeEvaluator) -> None:
    """Upstream files ship `// anonymousdomain: ...` in hosts: set must turn that very line live."""
    checked = 0
    for case in _cases(node):
        text = case.doc.render()
        match = re.search(r"^([ \t]*)// anonymousdomain: '[^']*',", text, re.MULTILINE)
        if not match or "anonymousdomain" in case.baseline.get("hosts", {}):
            continue
        new = case.doc.set("hosts.anonymousdomain", "guest.meet.example.com").render()
        live = f"{match.group(1)}anonymousdomain: 'guest.meet.example.com',"
        expected = text[: match.start()] + live + text[match.end() :]
        if new != expected:
            # Uncommenting after the last live property also adds the comma that property lacked.
            at = next(i for i, (x, y) in enumerate(zip(new, expected, strict=False)) if x != y)
            assert new[at] == "," and new[:at] + new[at + 1 :] == expected, case.file.id
            assert at < match.start()
        assert case.evaluate(node, new).value["hosts"]["anonymousdomain"] == "guest.meet.example.com"
        checked += 1
    assert checked >= 15


_KEYS = ["hosts", "p2p", "testing", "flags", "enabled", "anonymousdomain", "a", "b", "x-y", "new key", "toolbarButtons"]
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
_VALUES = st.recursive(
    _SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(_KEYS), children, max_size=3),
    max_leaves=6,
)
# Refusals that are correct answers: the path runs through a non-object, or code we do not edit.
_ACCEPTABLE_REFUSALS = ("not an object", "computed by code", "does not edit", "lines of its own", "SSI directive")


@given(data=st.data())
def test_random_edits_keep_node_meaning(node: NodeEvaluator, data: st.DataObject) -> None:
    case = data.draw(st.sampled_from(_cases(node)), label="file")
    operation = data.draw(st.sampled_from(["set", "set", "remove", "comment out"]), label="operation")
    remove = operation != "set"
    if remove and case.baseline and data.draw(st.booleans(), label="existing path"):
        # Mostly paths that exist, so removal has something to take out.
        first = data.draw(st.sampled_from(sorted(case.baseline)), label="first key")
        inner = case.baseline[first]
        keys = (first,)
        if isinstance(inner, dict) and inner and data.draw(st.booleans(), label="nested"):
            keys = (first, data.draw(st.sampled_from(sorted(inner)), label="second key"))
    else:
        first = data.draw(st.sampled_from(_KEYS + sorted(case.baseline)), label="first key")
        keys = (first, *data.draw(st.lists(st.sampled_from(_KEYS), max_size=2), label="more keys"))
    value = None if remove else data.draw(_VALUES, label="value")
    try:
        comment_out = operation == "comment out"
        new = case.doc.remove(keys, comment_out=comment_out) if remove else case.doc.set(keys, value)
    except EditError as exc:
        assert any(reason in str(exc) for reason in _ACCEPTABLE_REFUSALS), exc
        event("refused: " + next(r for r in _ACCEPTABLE_REFUSALS if r in str(exc)))
        return
    event(("removed" if remove else "set") + (": unchanged" if new is case.doc else ": changed"))
    if remove:
        expected = _pop(case.baseline, keys) if _has(case.baseline, keys) else case.baseline
    else:
        expected = _put(case.baseline, keys, value)
    result = case.evaluate(node, new.render())
    assert result.ok, result.error
    assert _same(result.value, expected), _disagreement(result.value, expected)
    if new is not case.doc:
        _verify.read_js(new)  # esprima, the independent reader of a write, agrees with the document
    again = new.remove(keys) if remove else new.set(keys, value)
    assert again is new


def _has(data: Any, keys: tuple[str, ...]) -> bool:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return False
        data = data[key]
    return True


# -- synthetic layouts ---------------------------------------------------------------------------
# Random small files in the many shapes hand-edited configs take: inline and multi-line objects, with
# and without trailing commas, comments after values, commented-out examples, doc comments, blank
# lines, quoted keys, CRLF, idioms and guards after the literal.

_LAYOUT_KEYS = ["a", "b", "c", "hosts", "p2p", "x-y", "anonymousdomain"]


def _layout_value(r: random.Random, depth: int, indent: str, nl: str) -> str:
    roll = r.random()
    if depth < 3 and roll < 0.35:
        return _layout_object(r, depth + 1, indent, nl)
    if roll < 0.45:
        return "[1, 'two']"
    return r.choice(["1", "'s'", '"d"', "true", "null", "-2", "'a' + 'b'"])


def _layout_key(key: str) -> str:
    return key if key.isidentifier() else repr(key)


def _layout_object(r: random.Random, depth: int, indent: str, nl: str) -> str:
    keys = r.sample(_LAYOUT_KEYS, r.randint(0, 4))
    trailing = r.random() < 0.5
    if r.random() < 0.25:
        items = [f"{_layout_key(k)}: {_layout_value(r, depth, indent, nl)}" for k in keys]
        return "{" + ", ".join(items) + ("," if trailing and items else "") + "}"
    inner = indent + "    "
    lines = []
    for index, key in enumerate(keys):
        if r.random() < 0.3:
            lines.append(f"{inner}// {r.choice(_LAYOUT_KEYS)}: 'commented',")
        if r.random() < 0.2:
            lines.append("")
        if r.random() < 0.2:
            lines.append(f"{inner}// About {key}.")
        comma = "," if index < len(keys) - 1 or trailing else ""
        note = r.choice(["", "", " // note"])
        lines.append(f"{inner}{_layout_key(key)}: {_layout_value(r, depth, inner, nl)}{comma}{note}")
    if r.random() < 0.3:
        lines.append(f"{inner}// {r.choice(_LAYOUT_KEYS)}: 'tail',")
    return "{" + nl + nl.join(lines) + nl + indent + "}"


def _layout_file(r: random.Random) -> str:
    nl = r.choice(["\n", "\r\n"])
    if r.random() < 0.3:
        # An override fragment: statements only, maybe without a final newline.
        text = r.choice(["var config;" + nl, "", "// fragment" + nl])
        for key in r.sample(_LAYOUT_KEYS, r.randint(0, 3)):
            target = "config." + key if key.isidentifier() else f"config[{key!r}]"
            text += f"{target} = {_layout_value(r, 1, '', nl)};{r.choice(['', ' // c'])}{nl}"
        if r.random() < 0.3:
            text = text.rstrip()
    else:
        text = "var config = " + _layout_object(r, 0, "", nl) + ";" + nl
    if r.random() < 0.3:
        text = text.replace("    ", "\t")
    if r.random() < 0.5:
        text += f"config.flags = config.flags || {{}};{nl}config.flags.z = 1;{nl}"
    if r.random() < 0.3:
        text += f"if (!config.hasOwnProperty('b')) config.b = {{}};{nl}config.b.enabled = true;{nl}"
    return text


@given(rand=st.randoms(use_true_random=False), data=st.data())
def test_random_layouts_and_edits_keep_node_meaning(node: NodeEvaluator, rand: random.Random, data: Any) -> None:
    text = _layout_file(rand)
    baseline = node.evaluate(text)
    if not baseline.ok:  # e.g. `config.b.enabled = true` when b is null: node throws too
        event("generated file throws in node")
        return
    doc = js.parse(text)
    meaning = baseline.value
    for _ in range(data.draw(st.integers(1, 4), label="edits")):
        keys = tuple(data.draw(st.lists(st.sampled_from(_LAYOUT_KEYS), min_size=1, max_size=3), label="path"))
        operation = data.draw(st.sampled_from(["set", "set", "remove", "comment out"]), label="operation")
        value = data.draw(_VALUES, label="value") if operation == "set" else None
        try:
            if operation == "set":
                new, expected = doc.set(keys, value), _put(meaning, keys, value)
            else:
                new = doc.remove(keys, comment_out=operation == "comment out")
                expected = _pop(meaning, keys) if _has(meaning, keys) else meaning
        except EditError as exc:
            assert any(reason in str(exc) for reason in _ACCEPTABLE_REFUSALS), exc
            continue
        result = node.evaluate(new.render())
        assert result.ok, f"{result.error}\n{new.render()}"
        assert _same(result.value, expected), f"{_disagreement(result.value, expected)}\n{new.render()}"
        if "\r\n" in text:
            assert "\n" not in new.render().replace("\r\n", "")
        doc, meaning = new, result.value
