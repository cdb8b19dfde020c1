"""config.js with ES2018+ syntax and nginx SSI directives: parsing, refusals, SSI, independent verification.

The Node differential (tests/formats/test_js_node.py) judges the meaning of the same files; here the two
front-ends (tree-sitter for the document, esprima for the check of an edit) are held against each other.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jitsi_secure import _verify
from jitsi_secure.errors import EditError, ParseError, VerificationError
from jitsi_secure.formats import js
from jitsi_secure.formats.js import NonLiteral, _parser
from jitsi_secure.formats.js._esprima import parse_independently
from jitsi_secure.formats.js._meaning import build_model
from jitsi_secure.formats.js._model import ObjNode, Prop, to_plain
from jitsi_secure.formats.js._ssi import serve
from tests.oracles import missing
from tests.oracles.js import JsCorpusFile, js_corpus, modern_corpus

CORPUS = Path(__file__).parent / "corpus_js_modern"


def _all_files() -> list[JsCorpusFile]:
    return [*js_corpus(), *modern_corpus()]


def _props(node: ObjNode) -> Iterator[Prop]:
    if node.literal is not None:
        yield from node.literal.props
    for entry in node.entries.values():
        if isinstance(entry.value, ObjNode):
            yield from _props(entry.value)


def _esprima_model(text: str, name: str = "config") -> tuple[dict[str, object], list[Prop]]:
    served = serve(text, source="<t>")
    model = build_model(text, parse_independently(served, source="<t>", disk_text=text), name, served)
    plain = to_plain(model.root)
    assert isinstance(plain, dict)
    return plain, list(_props(model.root))


# -- the modern corpus -----------------------------------------------------------------------------


def test_modern_corpus_is_there() -> None:
    assert len(modern_corpus()) >= 4


@pytest.mark.parametrize("item", modern_corpus(), ids=lambda item: item.id)
def test_modern_corpus_round_trips_byte_for_byte(item: JsCorpusFile) -> None:
    doc = js.parse(item.text, source=item.id, name=item.name)
    assert doc.render() == item.text
    assert doc.to_dict()  # something was read


def test_fishmeet_override_parses_and_reads_spread_as_computed() -> None:
    files = [f for f in js_corpus() if f.id == "gracetech_fishmeet-config_override.js"]
    if not files:
        missing("gracetech_fishmeet-config_override.js is not in the corpus")
    doc = js.parse(files[0].text, source=files[0].id)
    assert doc.render() == files[0].text
    assert isinstance(doc.get("customTheme"), NonLiteral)  # {...config.customTheme, palette: ...}
    assert doc.get("channelLastN") == 4
    edited = doc.set("channelLastN", 8)
    assert _verify.read_js(edited)["channelLastN"] == 8


def test_modern_values_read_as_javascript_does() -> None:
    doc = js.parse((CORPUS / "es2018_2025_config.js").read_text("utf-8"))
    data = doc.to_dict()
    assert data["channelLastN"] == 1000
    assert data["maxBitrate"] == 0x7FFFFFFF
    assert data["text"] == "café \U0001f600 A"
    assert data["template"] == "plain template"
    for key in ("p2p", "fallback", "big", "regex", "getToken", "constraints", "ratio"):
        assert isinstance(data[key], NonLiteral), key
    unicode = js.parse((CORPUS / "unicode_crlf_config.js").read_text("utf-8", errors="strict"))
    assert unicode.get("quoted-key") == "\U0001f600 \U0001f680"
    assert unicode.get("octal") == "A\0"
    assert unicode.get("cont") == "ab"
    assert unicode.get("legacy") == 8
    assert unicode.get("neg") == -0.0005
    assert unicode.get("nested.deeper.extra") == "multi\nline"
    assert isinstance(unicode.get("nested.deeper.deepest"), NonLiteral)  # a hole


# -- the two front-ends agree ----------------------------------------------------------------------


def test_tree_sitter_and_esprima_read_every_file_alike() -> None:
    files = _all_files()
    assert len(files) >= 4
    for item in files:
        doc = js.parse(item.text, source=item.id, name=item.name)
        theirs, their_props = _esprima_model(item.text, item.name)
        assert doc.to_dict() == theirs, item.id
        assert list(_props(doc._model.root)) == their_props, item.id


_EXPRESSIONS = st.sampled_from(
    [
        "1_000",
        "0b1010",
        "0o17",
        "0x1F",
        ".5e1",
        "10n",
        "a?.b",
        "a ?? 'x'",
        "{ ...a, b: 1 }",
        "[1, , 3]",
        "[...a]",
        "`t`",
        "`t${a}`",
        "'\\u{1F600}'",
        "'\\x41\\101'",
        '"d\'q"',
        "async () => { await a; }",
        "class { #p = 1; static s = 2; static { } }",
        "function* () { yield 1; }",
        "/a(?<n>b)/su",
        "(a, b)",
        "-1",
        "!0",
        "{ f() {}, get g() { return 1; }, [k]: 2 }",
        "{ 'q-k': 1, 2: 'n' }",
        "null",
        "undefined",
        "a ||= 1",
    ]
)


@given(st.lists(st.tuples(st.from_regex(r"[a-z][a-zA-Z0-9_]{0,6}", fullmatch=True), _EXPRESSIONS), max_size=6))
def test_generated_modern_configs_round_trip_and_both_readers_agree(items: list[tuple[str, str]]) -> None:
    body = "".join(f"    {key}: {value},\n" for key, value in items)
    text = f"var a = {{}};\nvar k = 'k';\nvar config = {{\n{body}}};\nconfig.late ??= 1;\n"
    doc = js.parse(text)
    assert doc.render() == text
    assert doc.to_dict() == _esprima_model(text)[0]
    edited = doc.set("hosts.domain", "meet.example.com")
    assert _verify.read_js(edited)["hosts"] == {"domain": "meet.example.com"}


def test_an_edit_is_checked_by_esprima_and_a_front_end_bug_stops_it(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "var config = {\n    a: 'x\\u0041',\n    b: 1,\n};\n"
    # A bug in the tree-sitter front-end's string decoding: the document and its own re-parse agree.
    monkeypatch.setattr(_parser, "unescape", lambda body: body)
    doc = js.parse(text)
    edited = doc.set("b", 2)
    assert edited.get("b") == 2
    assert _verify.read_js(doc)["a"] == "x\\u0041"  # an unedited document is taken at its word
    with pytest.raises(VerificationError, match=r"reads the edited file differently at a"):
        _verify.read_js(edited)


def test_an_edit_esprima_cannot_read_is_not_verified(monkeypatch: pytest.MonkeyPatch) -> None:
    import esprima

    doc = js.parse("var config = { a: 1 };\n").set("a", 2)

    def refuse(*args: object, **kwargs: object) -> object:
        raise esprima.Error("Unexpected token")

    monkeypatch.setattr(esprima, "parseScript", refuse)
    with pytest.raises(VerificationError, match="cannot read the edited file"):
        _verify.read_js(doc)


# -- refusals --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("var config = {\n    a: 1\n    b: 2,\n};\n", 3, 5, "Unexpected identifier"),
        ("var config = {\n    a: [1, 2,\n};\n", 3, 1, "Unexpected token"),
        ("var config = { a: 'x };\n", 1, 19, ""),
        ("var config = {};\nvar el = <div/>;\n", 2, 10, "JSX"),
        ("import x from 'y';\nvar config = {};\n", 1, 1, "import statement"),
        ("var config = {};\nexport default config;\n", 2, 1, "export statement"),
        ("var config = { u: import.meta.url };\n", 1, 19, "import.meta"),
        ("var config = {};\n@dec class A {}\n", 2, 1, ""),
        ("var config = {};\nawait load();\n", 2, 1, "await"),
        ('var s = "<!--# include virtual="/x" -->";\n', 1, 10, "SSI"),
        ('var s = "<!--# echo var="x" default="" ";\n', 1, 10, "SSI"),
        # Empty object members: both parsers' grammars took them, every JavaScript engine refuses them.
        ("var config = {\n ,\n a: 1 };\n", 2, 2, "Unexpected token ','"),
        ("var config = { a: 1,, b: 2 };\n", 1, 21, "Unexpected token ','"),
        ("var config = { hosts: { , } };\n", 1, 25, "Unexpected token ','"),
    ],
)
def test_invalid_scripts_are_refused_with_a_location(text: str, line: int, column: int, message: str) -> None:
    with pytest.raises(ParseError) as info:
        js.parse(text, source="config.js")
    assert (info.value.line, info.value.column) == (line, column), info.value
    assert message in info.value.message
    assert str(info.value).startswith(f"config.js:{line}:{column}: ")


def test_tree_sitter_alone_still_locates_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # Were esprima to accept what tree-sitter cannot parse, the refusal stands, at tree-sitter's place.
    import jitsi_secure.formats.js._esprima as seam

    monkeypatch.setattr(seam, "parse_independently", lambda *args, **kwargs: None)
    with pytest.raises(ParseError) as info:
        js.parse("var config = {\n    a: 1\n    b: 2,\n};\n")
    assert (info.value.line, info.value.column) == (3, 5)
    assert "unexpected 'b'" in info.value.message


def test_await_inside_an_async_function_is_fine() -> None:
    doc = js.parse("var config = { f: async function () { await g(); }, h: async () => await g() };\n")
    assert set(doc.to_dict()) == {"f", "h"}


# -- nginx SSI -------------------------------------------------------------------------------------

SSI = (CORPUS / "ssi_double_quoted_config.js").read_text("utf-8")


def test_ssi_file_reads_as_served_and_values_from_directives_are_computed() -> None:
    doc = js.parse(SSI, source="config.js")
    assert doc.render() == SSI
    assert isinstance(doc.get("hosts.focus"), NonLiteral)
    assert doc.get("hosts.focus").source == '\'focus.<!--# echo var="subdomain" default="" -->meet.example.com\''  # type: ignore[union-attr]
    assert isinstance(doc.get("region"), NonLiteral)
    assert doc.get("hosts.domain") == "meet.example.com"
    assert doc.get("hosts.anonymousdomain") == "guest.meet.example.com"
    assert doc.get("enableWelcomePage") is True


def test_ssi_edits_keep_every_directive_byte_for_byte() -> None:
    doc = js.parse(SSI)
    new = doc.set("p2p.enabled", False).set("hosts.domain", "other.example.com").remove("enableWelcomePage")
    directives = [line for line in SSI.splitlines() if "<!--#" in line]
    assert [line for line in new.render().splitlines() if "<!--#" in line] == directives
    assert _verify.read_js(new)["p2p"] == {"enabled": False}


@pytest.mark.parametrize("edit", ["set region", "set hosts.focus", "remove region", "comment region"])
def test_edits_never_touch_a_directive(edit: str) -> None:
    doc = js.parse(SSI)
    op, path = edit.split()
    with pytest.raises(EditError, match="SSI directive"):
        if op == "set":
            doc.set(path, "x")
        else:
            doc.remove(path, comment_out=op == "comment")


def test_a_new_value_cannot_smuggle_in_a_directive() -> None:
    doc = js.parse("var config = {};\n").set("a", '<!--# echo var="secret" -->')
    assert "<!--#" not in doc.render()
    assert doc.get("a") == '<!--# echo var="secret" -->'
    assert _verify.read_js(doc)["a"] == '<!--# echo var="secret" -->'


def test_parse_error_after_a_directive_points_at_the_disk_text() -> None:
    text = 'var s = "<!--# echo var="s" default="abc" -->"; var config = { a: 1 b: 2 };\n'
    with pytest.raises(ParseError) as info:
        js.parse(text)
    assert (info.value.line, info.value.column) == (1, text.index("b: 2") + 1)


@given(st.text(alphabet="ab. é😀", max_size=8), st.text(alphabet="xy😀", max_size=4))
def test_directive_offsets_map_back_to_the_disk(default: str, tail: str) -> None:
    directive = f'<!--# echo var="v" default="{default}" -->'
    text = f"var q = 'p{directive}{tail}';\nvar config = {{ k: 1 }};\n"
    served = serve(text, source="<t>")
    doc = js.parse(text)
    assert doc.render() == text
    assert doc.get("k") == 1
    assert served.touches(text.index(directive), text.index(directive) + 1)
    assert not served.touches(0, text.index(directive))
    assert served.start_on_disk(len(served.text)) == len(text)
    assert served.end_on_disk(len(served.text)) == len(text)


def test_document_fields_stay_private() -> None:
    fields = {f.name for f in dataclasses.fields(js.ConfigJsDocument)}
    public = {"text", "source", "name", "style", "applied"}  # applied: the Document protocol's record of an edit
    assert public <= fields
    assert all(name.startswith("_") for name in fields - public)
