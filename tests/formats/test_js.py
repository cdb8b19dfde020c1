"""config.js documents without Node: round trip, errors, exact edit texts, escaping, refusals."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from jitsi_secure.errors import EditError, ParseError
from jitsi_secure.formats import js
from jitsi_secure.formats.js import NonLiteral
from tests.oracles import corpus_files, missing
from tests.oracles.js import js_corpus, js_invalid_corpus

UPSTREAM_LIKE = """\
var config = {
    // Connection
    hosts: {
        // XMPP domain.
        domain: 'meet.example.com',

        // When using authentication, domain for guest users.
        // anonymousdomain: 'guest.example.com',

        // Domain for authenticated users. Defaults to <domain>.
        // authdomain: 'meet.example.com',

        // XMPP MUC domain. FIXME: use XEP-0030 to discover it.
        muc: 'conference.' + subdomain + 'meet.example.com',
    },

    // p2p: {
    //     enabled: true,
    // },

    // Enables the test specific features consumed by jitsi-meet-torture
    testing: {
        // enableFirefoxSimulcast: false,
    },

    enableNoAudioDetection: true,
};

config.flags = config.flags || {};
config.flags.sourceNameSignaling = true;
"""


def parse(text: str, name: str = "config") -> js.ConfigJsDocument:
    return js.parse(text, name=name)


# -- reading ---------------------------------------------------------------------------------------


def test_meaning_of_literal_and_statements() -> None:
    doc = parse(UPSTREAM_LIKE)
    data = doc.to_dict()
    assert data["hosts"]["domain"] == "meet.example.com"  # type: ignore[index,call-overload]
    assert isinstance(doc.get("hosts.muc"), NonLiteral)
    assert doc.get("hosts.muc") == NonLiteral("'conference.' + subdomain + 'meet.example.com'")
    assert doc.get("flags") == {"sourceNameSignaling": True}
    assert doc.get("testing") == {}
    assert doc.get("hosts.anonymousdomain") is None
    assert doc.get("hosts.anonymousdomain", "absent") == "absent"
    assert "hosts.domain" in doc
    assert "hosts.anonymousdomain" not in doc
    assert "p2p" not in doc


def test_static_if_and_known_variables() -> None:
    text = (
        "var enableJaaS = false;\nvar config = { a: 1 };\n"
        "if (enableJaaS) { config.b = 2; }\n"
        "if (!config.hasOwnProperty('c')) config.c = {};\n"
        "config.c.d = -3;\n"
        "if (location.hostname === 'x') { config.e = 4; }\n"
        "window.config.f = `tpl`;\n"
    )
    doc = parse(text)
    data = doc.to_dict()
    assert data["a"] == 1
    assert "b" not in data
    assert data["c"] == {"d": -3}
    assert isinstance(data["e"], NonLiteral)
    assert data["f"] == "tpl"


def test_override_fragment_reads_as_applied_to_an_empty_object() -> None:
    doc = parse("var config;\nconfig.hosts = {\n    domain: 'a.example'\n};\nconfig.x = [1, 'two', null];\n")
    assert doc.to_dict() == {"hosts": {"domain": "a.example"}, "x": [1, "two", None]}


def test_interface_config_variable() -> None:
    text = "var interfaceConfig = {\n    APP_NAME: 'Jitsi Meet',\n    RATIO: 16 / 9,\n};\n"
    doc = parse(text, name="interfaceConfig")
    assert doc.get("APP_NAME") == "Jitsi Meet"
    assert isinstance(doc.get("RATIO"), NonLiteral)
    assert parse(text).to_dict() == {}
    assert js.variable_for("/etc/jitsi/meet/interface_config.js") == "interfaceConfig"
    assert js.variable_for("/etc/jitsi/meet/meet.example.com-config.js") == "config"


def test_non_static_values_are_marked_not_guessed() -> None:
    doc = parse(
        "var config = { f: function () { return 1; }, r: /x/, u: undefined, t: `a${b}`, s: 'a' + 'b', n: -1 };\n"
    )
    data = doc.to_dict()
    assert {k for k, v in data.items() if isinstance(v, NonLiteral)} == {"f", "r", "u", "t", "s"}
    assert data["n"] == -1


# -- round trip and errors -------------------------------------------------------------------------


def test_corpus_round_trip() -> None:
    invalid = set(js_invalid_corpus())
    texts = [item.text for item in js_corpus()]
    texts += [p.read_text("utf-8") for p in corpus_files("templates", "*.js*") if p not in invalid]
    parsed = 0
    for text in texts:
        doc = js.parse(text)  # every file node runs (as nginx serves it) parses
        assert doc.render() == text
        parsed += 1
    assert parsed >= 45


def test_invalid_corpus_files_raise_parse_error_with_position() -> None:
    bad = js_invalid_corpus()
    assert bad
    for path in bad:
        text = path.read_text("utf-8")
        with pytest.raises(ParseError) as info:
            js.parse(text, source=str(path))
        assert info.value.source == str(path)
        assert info.value.line >= 1
        assert str(path) in str(info.value)


def test_parse_error_position_for_a_missing_comma() -> None:
    with pytest.raises(ParseError) as info:
        parse("var config = {\n    a: 1\n    b: 2\n};\n")
    assert (info.value.line, info.value.column) == (3, 5)
    assert "Unexpected identifier" in info.value.message
    with pytest.raises(ParseError) as info:
        parse("var config = {\n    a: window.foo?.bar,\n")
    assert "Unexpected end of input" in info.value.message
    # Newer syntax is not an error any more.
    assert parse("var config = {\n    a: window.foo?.bar,\n};\n").to_dict() == {"a": NonLiteral("window.foo?.bar")}


def test_pathological_nesting_is_a_parse_error() -> None:
    with pytest.raises(ParseError) as info:
        parse("var config = " + "[" * 3000 + "]" * 3000 + ";")
    assert "nests too deeply" in info.value.message
    # The limit is explicit: a raised recursion limit does not change the answer.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(100_000)
    try:
        with pytest.raises(ParseError):
            parse("var config = " + "[" * 3000 + "]" * 3000 + ";")
    finally:
        sys.setrecursionlimit(limit)
    assert parse("var config = " + "[" * 60 + "]" * 60 + ";").get("hosts") is None


def test_parsers_are_imported_lazily_and_esprima_only_to_verify_an_edit() -> None:
    code = (
        "import sys, jitsi_secure.formats.js as m, jitsi_secure._verify as v\n"
        "assert 'tree_sitter' not in sys.modules and 'esprima' not in sys.modules\n"
        "doc = m.parse('var config = {a: 1};')\n"
        "assert 'tree_sitter' in sys.modules\n"
        "v.read_js(doc)\n"
        "edited = doc.set('b', 2)\n"
        "assert not doc.edited and edited.edited and not m.parse(edited.render()).edited\n"
        "assert 'esprima' not in sys.modules\n"
        "assert v.read_js(edited) == {'a': 1, 'b': 2} == m.read_independently(edited)\n"
        "assert 'esprima' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# -- setting ---------------------------------------------------------------------------------------


def test_set_uncomments_the_example_in_the_right_object() -> None:
    doc = parse(UPSTREAM_LIKE)
    new = doc.set("hosts.anonymousdomain", "guest.meet.example.com")
    assert new.render() == UPSTREAM_LIKE.replace(
        "// anonymousdomain: 'guest.example.com',", "anonymousdomain: 'guest.meet.example.com',"
    )
    assert new.get("hosts.anonymousdomain") == "guest.meet.example.com"


def test_set_does_not_uncomment_a_line_of_a_commented_block() -> None:
    # `//     enabled: true,` sits at the top level but belongs to the commented-out `p2p: {` block.
    doc = parse(UPSTREAM_LIKE)
    new = doc.set("enabled", False)
    assert "//     enabled: true," in new.render()
    assert new.render().count("enabled: false") == 1


def test_set_uncomments_into_an_empty_object_and_adds_missing_comma() -> None:
    doc = parse(UPSTREAM_LIKE)
    new = doc.set("testing.enableFirefoxSimulcast", True)
    assert "        enableFirefoxSimulcast: true,\n" in new.render()
    text = "var config = {\n    a: 1\n    // b: 2\n};\n"
    assert parse(text).set("b", 3).render() == "var config = {\n    a: 1,\n    b: 3\n};\n"
    text = "var config = {\n    // b: 2\n    a: 1\n};\n"
    assert parse(text).set("b", 3).render() == "var config = {\n    b: 3,\n    a: 1\n};\n"


def test_set_replaces_the_effective_definition() -> None:
    doc = parse(UPSTREAM_LIKE)
    new = doc.set("flags.sourceNameSignaling", False)
    assert new.render() == UPSTREAM_LIKE.replace(
        "config.flags.sourceNameSignaling = true;", "config.flags.sourceNameSignaling = false;"
    )
    text = "var config = {\n    bosh: 'a',\n};\nconfig.bosh = 'b';\n"
    assert parse(text).set("bosh", "c").render() == "var config = {\n    bosh: 'a',\n};\nconfig.bosh = 'c';\n"


def test_set_inserts_after_siblings_copying_their_style() -> None:
    text = 'var config = {\n\thosts: {\n\t\t"domain": "x" // main\n\t}\n};\n'
    new = parse(text).set("hosts.muc", "conference.x")
    assert (
        new.render() == 'var config = {\n\thosts: {\n\t\t"domain": "x", // main\n\t\t"muc": "conference.x"\n\t}\n};\n'
    )


def test_set_creates_missing_parents_with_file_layout() -> None:
    text = "var config = {\n  a: 1,\n};\n"
    new = parse(text).set("p2p.stun.enabled", True)
    assert new.render() == "var config = {\n  a: 1,\n  p2p: {\n    stun: {\n      enabled: true,\n    },\n  },\n};\n"


def test_set_into_idiom_object_adds_a_statement() -> None:
    doc = parse(UPSTREAM_LIKE)
    new = doc.set("flags.newFlag", ["a", 1])
    assert new.render() == UPSTREAM_LIKE + "config.flags.newFlag = ['a', 1];\n"


def test_set_dict_over_object_changes_key_by_key_and_keeps_comments() -> None:
    doc = parse(UPSTREAM_LIKE)
    new = doc.set("hosts", {"domain": "meet.example.com", "muc": "conference.meet.example.com"})
    text = new.render()
    assert "// When using authentication, domain for guest users." in text
    assert "muc: 'conference.meet.example.com'," in text
    assert new.get("hosts") == {"domain": "meet.example.com", "muc": "conference.meet.example.com"}


def test_set_equal_value_returns_same_document() -> None:
    doc = parse(UPSTREAM_LIKE)
    assert doc.set("hosts.domain", "meet.example.com") is doc
    assert doc.set("enableNoAudioDetection", True) is doc
    assert doc.set("testing", {}) is doc
    assert doc.set("enableNoAudioDetection", 1) is not doc  # true is not the number 1 in JavaScript


def test_crlf_and_non_ascii_survive() -> None:
    text = UPSTREAM_LIKE.replace("// Connection", "// Connexion réseau 😀 — ←").replace("\n", "\r\n")
    doc = parse(text)
    new = doc.set("hosts.anonymousdomain", "guest.example.com").set("newKey", {"deep": "ü"}).remove("testing")
    out = new.render()
    assert "\n" not in out.replace("\r\n", "")
    assert out.startswith("var config = {\r\n    // Connexion réseau 😀 — ←\r\n")
    assert "    newKey: {\r\n        deep: 'ü',\r\n    },\r\n" in out
    assert new.get("newKey.deep") == "ü"


def test_mixed_line_endings_use_the_local_one() -> None:
    text = "var config = {\n    a: 1,\r\n    b: 2,\r\n};\n"
    out = parse(text).set("c", 3).render()
    assert out == "var config = {\n    a: 1,\r\n    b: 2,\r\n    c: 3,\r\n};\n"


def test_statement_only_file_gets_statements() -> None:
    text = "config.a = 'x';\r\nconfig.b = 2;"
    new = parse(text).set("c.d", True)
    assert new.render() == "config.a = 'x';\r\nconfig.b = 2;\r\nconfig.c = {\r\n    d: true,\r\n};"
    assert parse("").set("a", 1).render() == "config.a = 1;\n"


@pytest.mark.parametrize(
    "value",
    [
        'it\'s "quoted"',
        "back\\slash",
        "line\nbreak\r\n",
        "</script><script>alert(1)</script>",
        "\u2028\u2029",
        "\x00\x1f\x7f",
        "emoji 😀 and é",
        "'; alert(1); var x = '",
        "\ud800 lone surrogate",
    ],
)
def test_strings_cannot_escape_their_literal(value: str) -> None:
    doc = parse("var config = {\n    a: 1,\n};\n").set("s", value)
    assert doc.get("s") == value
    assert "</" not in doc.render()
    assert "\u2028" not in doc.render()
    assert list(doc.to_dict()) == ["a", "s"]


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("a", float("nan"), "NaN"),
        ("a", 2**60, "too large"),
        ("a", {"__proto__": 1}, "__proto__"),
        ("a", {1: 2}, "keys must be strings"),
        ("a", object(), "unsupported"),
        ("a.b", 1, "not an object"),
        ("f.b", 1, "computed by code"),
        ("", 1, "invalid path"),
        ("a..b", 1, "invalid path"),
    ],
)
def test_refused_edits_change_nothing(path: str, value: object, message: str) -> None:
    doc = parse("var config = {\n    a: 1,\n    f: function () {},\n};\n")
    with pytest.raises(EditError, match=message):
        doc.set(path, value)


def test_opaque_writer_is_refused() -> None:
    doc = parse("var config = { a: 1 };\nif (location.host) { config.a = 2; }\n")
    with pytest.raises(EditError, match="does not edit"):
        doc.set("a", 3)
    with pytest.raises(EditError, match="does not edit"):
        doc.remove("a")


# -- removing --------------------------------------------------------------------------------------


def test_remove_keeps_commas_valid() -> None:
    cases = {
        ("var config = {\n    a: 1,\n    b: 2\n};\n", "b"): "var config = {\n    a: 1\n};\n",
        ("var config = {\n    a: 1,\n    b: 2,\n};\n", "b"): "var config = {\n    a: 1,\n};\n",
        ("var config = {\n    a: 1,\n    b: 2\n};\n", "a"): "var config = {\n    b: 2\n};\n",
        ("var config = { a: 1, b: 2 };\n", "a"): "var config = { b: 2 };\n",
        ("var config = { a: 1, b: 2 };\n", "b"): "var config = { a: 1 };\n",
        ("var config = { a: 1 };\n", "a"): "var config = {  };\n",
    }
    for (text, key), expected in cases.items():
        assert parse(text).remove(key).render() == expected, (text, key)


def test_remove_takes_doc_comment_and_all_definitions() -> None:
    doc = parse(UPSTREAM_LIKE)
    new = doc.remove("flags")
    assert new.render() == UPSTREAM_LIKE.replace(
        "config.flags = config.flags || {};\nconfig.flags.sourceNameSignaling = true;\n", ""
    )
    new = doc.remove("enableNoAudioDetection")
    assert "enableNoAudioDetection" not in new.render()
    assert "// Enables the test specific features" in new.render()
    text = "var config = {\n    a: 1,\n\n    // About b.\n    b: 2,\n\n    c: 3,\n};\nconfig.b = 4;\n"
    # The one comment rule of every format: blank lines around a removed paragraph stay.
    assert parse(text).remove("b").render() == "var config = {\n    a: 1,\n\n\n    c: 3,\n};\n"


def test_remove_keeps_commented_examples_above() -> None:
    text = "var config = {\n    a: 1,\n    // z: 2,\n    b: 2,\n};\n"
    assert parse(text).remove("b").render() == "var config = {\n    a: 1,\n    // z: 2,\n};\n"


def test_remove_with_guard_and_comment_out() -> None:
    text = (
        "var config = {\n    hosts: {\n        domain: 'x',\n    },\n};\n"
        "if (!config.hasOwnProperty('hosts')) config.hosts = {};\nconfig.hosts.muc = 'm';\n"
    )
    doc = parse(text)
    assert doc.remove("hosts").render() == "var config = {\n};\n"
    commented = doc.remove("hosts.domain", comment_out=True)
    assert "        // domain: 'x',\n" in commented.render()
    assert commented.get("hosts") == {"muc": "m"}
    assert doc.remove("nothing.here") is doc


def test_idempotent_set_and_remove() -> None:
    doc = parse(UPSTREAM_LIKE)
    once = doc.set("hosts.anonymousdomain", "g.example").set("x.y", [1, {"z": None}])
    assert once.set("hosts.anonymousdomain", "g.example").set("x.y", [1, {"z": None}]) is once
    gone = once.remove("x")
    assert gone.remove("x") is gone


def test_remove_last_line_of_file_without_final_newline() -> None:
    assert parse("var config = {};\nconfig.a = 1;\nconfig.b = 2;").remove("b").render() == (
        "var config = {};\nconfig.a = 1;"
    )
    assert parse("config.b = 2;").remove("b").render() == ""


def test_uncomments_shipped_examples_of_the_latest_upstream_config() -> None:
    files = [f for f in js_corpus() if f.id.startswith("jitsi-meet_config_2026")]
    if not files:
        missing("the 2026 upstream config.js (jitsi-meet_config_2026*) is not in the corpus")
    text = files[0].text
    doc = parse(text)
    # Root-level options ship as `    // name: <literal>,` (four spaces); every 8th one is tried.
    literal = r"(?:'[^'\n]*'|-?\d+(?:\.\d+)?|true|false|null|\[[^\]\n]*\])"
    examples = [
        m
        for m in re.finditer(rf"^    // ([A-Za-z_$][\w$]*): {literal},?[ \t]*(?://.*)?$", text, re.MULTILINE)
        if m.group(1) not in doc.to_dict()
    ]
    assert len(examples) > 40
    seen: set[str] = set()
    for match in examples[::8]:
        key = match.group(1)
        if key in seen:
            continue
        seen.add(key)
        new = doc.set(key, "jitsi-secure").render()
        first = re.search(rf"^    // {re.escape(key)}: {literal}", text, re.MULTILINE).start()  # type: ignore[union-attr]
        # The first example of the key at the root level became the live property, in place.
        assert new[:first] == text[:first], key
        assert new[first:].startswith(f"    {key}: 'jitsi-secure'"), key


def test_an_edit_costs_one_full_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    """The verification re-parse is the only parse of the whole text an edit makes."""
    from jitsi_secure.formats.js import _parser

    text = UPSTREAM_LIKE * 1 + "".join(f"config.k{i} = {i};\n" for i in range(50))
    doc = parse(text)
    sizes: list[int] = []
    real = _parser._tree_sitter()

    class Counting:
        def parse(self, code: bytes) -> object:
            sizes.append(len(code))
            return real.parse(code)

    monkeypatch.setattr(_parser, "_tree_sitter", Counting)
    doc.set("hosts.anonymousdomain", "guest.example.com")  # uncomments: also parses the tiny example
    doc.set("newKey", [1, 2])
    doc.remove("flags")
    full = [n for n in sizes if n > 200]
    assert len(full) == 3, sizes
    assert all(n < 100 for n in sizes if n <= 200)


def test_config_changed_as_a_whole_by_code_is_read_but_not_edited() -> None:
    doc = parse("var config = {a: 1};\nObject.assign(config, {a: 2});\nconsole.log(config);\n")
    assert doc.opaque_root == NonLiteral("Object.assign(config, {a: 2});")
    for edit in (lambda: doc.set("a", 3), lambda: doc.set("b", 3), lambda: doc.remove("a")):
        with pytest.raises(EditError, match="opaque_root"):
            edit()
    assert parse("var config = makeConfig();\n").opaque_root == NonLiteral("makeConfig()")
    assert parse("var config = {a: 1};\nconsole.log(config);\n").opaque_root is None
    idiom = parse("var config = window.config || {};\nconfig.a = 1;\n")
    assert idiom.opaque_root is None
    assert idiom.set("b", 2).render() == "var config = window.config || {};\nconfig.a = 1;\nconfig.b = 2;\n"


def test_parse_error_on_crlf_text() -> None:
    with pytest.raises(ParseError) as info:
        parse("var config = {};\r\nconfig.a = {b: 1 c: 2};\r\n")
    assert (info.value.line, info.value.column) == (2, 18)
    assert info.value.excerpt == "config.a = {b: 1 c: 2};"


def test_load_file_keeps_bom_and_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "meet.example.com-interface_config.js"
    path.write_bytes("\ufeffvar interfaceConfig = {\r\n    APP_NAME: 'Jitsi Meet ✓',\r\n};\r\n".encode())
    doc = js.load_file(path)
    assert doc.name == "interfaceConfig"
    assert doc.source == str(path)
    assert doc.render().encode() == path.read_bytes()
    assert doc.get("APP_NAME") == "Jitsi Meet ✓"
    assert doc.set("SHOW_BRAND_WATERMARK", False).render().endswith("    SHOW_BRAND_WATERMARK: false,\r\n};\r\n")
