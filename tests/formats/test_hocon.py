"""The HOCON document: lossless parsing, the merged meaning, and ConfigDocument-style edits.

Meanings written out here are the ones in ``tests/hocon_cases.py``; ``test_hocon_oracle.py`` checks that
Lightbend Config reads every one of them the same way.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jitsi_secure.errors import EditError, LocatedError, ParseError
from jitsi_secure.formats import hocon
from jitsi_secure.formats.hocon import Include, ResolveError, Unresolved, parse
from jitsi_secure.formats.hocon._lexer import tokenize
from jitsi_secure.formats.hocon._parser import MAX_DEPTH
from tests.formats.hocon_cases import INVALID, MEANINGS, STRICTER_THAN_LIGHTBEND, VALID_SYNTAX
from tests.oracles import corpus_files

# -- lossless ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", VALID_SYNTAX + [t for t, _ in MEANINGS])
def test_round_trip(text: str) -> None:
    doc = parse(text)
    assert doc.render() == text
    assert doc.text == text


@pytest.mark.parametrize("text", VALID_SYNTAX + [t for t, _ in MEANINGS])
def test_tokens_cover_the_text_without_gaps(text: str) -> None:
    tokens = tokenize(text)
    assert [t.start for t in tokens] == [0, *(t.end for t in tokens)][: len(tokens)]
    assert "".join(text[t.start : t.end] for t in tokens) == text


def test_round_trip_corpus() -> None:
    files = corpus_files("hocon", "*.conf", "*.json")
    assert len(files) > 90
    for path in files:
        text = path.read_text(encoding="utf-8")
        doc = parse(text, source=str(path))
        assert doc.render() == text, path
        doc.to_dict()


def test_no_corpus_file_is_marked_invalid_or_each_raises() -> None:
    for path in corpus_files("hocon", "*.conf", valid=False):
        with pytest.raises(ParseError):
            parse(path.read_text(encoding="utf-8"), source=str(path))


@pytest.mark.parametrize("text", INVALID + STRICTER_THAN_LIGHTBEND)
def test_invalid_raises_parse_error_with_position(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(text, source="x.conf")
    error = caught.value
    assert error.source == "x.conf"
    assert error.line >= 1
    assert error.column >= 1
    assert str(error).startswith(f"x.conf:{error.line}:{error.column}: ")


def test_error_position_points_at_the_problem() -> None:
    with pytest.raises(ParseError) as caught:
        parse("jicofo {\n  a = 1\n  b = foo$bar\n}\n")
    assert (caught.value.line, caught.value.column) == (3, 10)
    with pytest.raises(ParseError) as caught:
        parse("a {\n  b = 1\n")
    assert caught.value.line == 3
    assert "'}'" in caught.value.message


def test_deep_nesting_is_bounded() -> None:
    depth = MAX_DEPTH - 5
    for text in ("a {" * depth + "}" * depth, "a = " + "[" * depth + "]" * depth, "a = {" * depth + "}" * depth):
        doc = parse(text)
        assert doc.render() == text
        doc.to_dict()
    deep_path = ".".join(["a"] * (depth - 1))
    assert parse("a {" * depth + "}" * depth).set(deep_path + ".b", 1).get(deep_path + ".b") == 1
    for text in ("a {" * 5000 + "}" * 5000, "a = " + "[" * 5000 + "]" * 5000):
        with pytest.raises(ParseError, match="nesting too deep"):
            parse(text)


def test_document_is_immutable_and_direct_construction_parses() -> None:
    doc = parse("a = 1")
    with pytest.raises(AttributeError):
        doc.text = "b = 2"  # type: ignore[misc]
    assert hocon.HoconDocument("a { b = 2 }").get("a.b") == 2
    with pytest.raises(ParseError):
        hocon.HoconDocument("a = ")


def test_style_is_detected() -> None:
    doc = parse("a {\r\n\tb = 1\r\n}\r\n")
    assert doc.style.newline == "\r\n"
    assert doc.style.indent == "\t"


# -- reading -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "meaning"), MEANINGS)
def test_meaning(text: str, meaning: dict[str, object]) -> None:
    assert parse(text).to_dict(resolve=True) == meaning


def test_numbers_keep_their_type() -> None:
    got = parse('i = 10\nf = 1.0\nb = true\ns = "10"').to_dict()
    assert [type(got[k]) for k in "ifbs"] == [int, float, bool, str]


def test_substitutions_are_reported_without_resolve() -> None:
    doc = parse("a = 1\nb = ${a}\nc = ${?HOME}/x\nd { e = ${a} }\nf = plain")
    got = doc.to_dict()
    assert got["a"] == 1
    assert got["b"] == Unresolved("${a}")
    assert isinstance(got["c"], Unresolved)
    assert "${?HOME}" in got["c"].expression
    assert got["d"] == {"e": Unresolved("${a}")}
    assert got["f"] == "plain"
    assert doc.get("b") == Unresolved("${a}")


def test_resolve_with_and_without_environment() -> None:
    doc = parse("home = ${?HOME_X}\npw = ${PASSWORD}\nb = ${pw}-x")
    with pytest.raises(ResolveError, match="PASSWORD"):
        doc.to_dict(resolve=True)
    got = doc.to_dict(resolve=True, env={"PASSWORD": "s3cr3t", "HOME_X": "/root"})
    assert got == {"home": "/root", "pw": "s3cr3t", "b": "s3cr3t-x"}
    assert parse("a = ${?X}").to_dict(resolve=True) == {}


def test_substitution_cycle_is_a_resolve_error() -> None:
    with pytest.raises(ResolveError, match="cycle"):
        parse("a = ${b}\nb = ${a}").to_dict(resolve=True)


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("a = 1\nb = ${PASSWORD}\n", 2, 5, "could not resolve substitution to a value: ${PASSWORD}"),
        ("a = 1\nb {\n  c = x ${?y} ${no.key}\n}\n", 3, 15, "could not resolve substitution to a value: ${no.key}"),
        ("y = {}\nb = ${y}\nb = ${b.z}\n", 3, 5, "could not resolve substitution to a value: (${y}).z"),
        ("b = ${a}\na = ${b}\n", 1, 5, "cycle in substitutions at ${a}"),
        (
            "a = {x: 1}\nb = ${a} ${c}\nc = 1\n",
            2,
            5,
            "cannot concatenate an object or array with a value of another type",
        ),
    ],
)
def test_resolve_error_names_the_file_line_and_column(text: str, line: int, column: int, message: str) -> None:
    doc = parse(text, source="/etc/jitsi/jicofo/jicofo.conf")
    for read in (lambda: doc.to_dict(resolve=True), lambda: doc.get("b", resolve=True)):
        with pytest.raises(ResolveError) as caught:
            read()
        error = caught.value
        assert (error.source, error.line, error.column, error.message) == (doc.source, line, column, message)
        excerpt = text.splitlines()[line - 1]
        caret = " " * (column - 1) + "^"
        assert str(error) == f"{doc.source}:{line}:{column}: {message}\n    {excerpt}\n    {caret}"
        assert isinstance(error, LocatedError) and not isinstance(error, ParseError)  # the text is valid


@given(
    before=st.lists(st.sampled_from(["a = 1", "# note", "", "o { p = 2 }", 's = "x ${?y}"']), max_size=6),
    nested=st.booleans(),
    head=st.sampled_from(["", "x ", "${?u} ", '"q" ']),
)
def test_resolve_error_points_at_the_undefined_substitution(before: list[str], nested: bool, head: str) -> None:
    field = f"k = {head}${{UNDEFINED}}"
    lines = [*before, "n {", f"  {field}", "}"] if nested else [*before, field]
    text = "\n".join(lines) + "\n"
    with pytest.raises(ResolveError) as caught:
        parse(text).to_dict(resolve=True)
    error = caught.value
    assert text.splitlines()[error.line - 1][error.column - 1 :].startswith("${UNDEFINED}")


def test_includes_are_reported() -> None:
    text = (
        'include "base"\n'
        "jicofo {\n"
        '  include file("/etc/jitsi/jicofo/extra.conf")\n'
        '  include required(classpath("r.conf"))\n'
        '  a { include url("http://example.com/x") }\n'
        "}\n"
    )
    doc = parse(text)
    assert doc.includes() == (
        Include("heuristic", "base", False, (), 1),
        Include("file", "/etc/jitsi/jicofo/extra.conf", False, ("jicofo",), 3),
        Include("classpath", "r.conf", True, ("jicofo",), 4),
        Include("url", "http://example.com/x", False, ("jicofo", "a"), 5),
    )
    assert doc.to_dict() == {"jicofo": {"a": {}}}


def test_get_paths() -> None:
    doc = parse('jicofo { authentication { "login-url" = meet.example.com }, "a.b" { c = null } }')
    assert doc.get("jicofo.authentication.login-url") == "meet.example.com"
    assert doc.get('jicofo."a.b".c') is None
    with pytest.deprecated_call():
        assert doc.has('jicofo."a.b".c')
    with pytest.deprecated_call():
        assert not doc.has("jicofo.nothing")
    assert doc.get("jicofo.nothing", "default") == "default"
    assert doc.get("jicofo.authentication.login-url.deeper") is None
    with pytest.raises(EditError):
        doc.get("a..b")


# -- editing -------------------------------------------------------------------------------------

JICOFO = """\
# Jicofo HOCON configuration. See reference.conf in /usr/share/jicofo/jicofo.jar for
#available options, syntax, and default values.
jicofo {
  xmpp: {
    client: {
      client-proxy: focus.meet.example.com
    }
    trusted-domains: [ "recorder.meet.example.com" ]
  }
  bridge: {
    brewery-jid: "JvbBrewery@internal.auth.meet.example.com"
  }
}
"""


def test_secure_domain_edit_nests_into_the_jicofo_block() -> None:
    doc = parse(JICOFO)
    new = (
        doc.set("jicofo.authentication.enabled", True)
        .set("jicofo.authentication.type", "XMPP")
        .set("jicofo.authentication.login-url", "meet.example.com")
    )
    assert new.render() == JICOFO.replace(
        "  }\n}\n",
        "  }\n  authentication: {\n    enabled: true\n    type: XMPP\n    login-url: meet.example.com\n  }\n}\n",
    )
    assert new.render().count("jicofo {") == 1
    assert new.get("jicofo.authentication") == {"enabled": True, "type": "XMPP", "login-url": "meet.example.com"}


def test_set_in_place_keeps_key_separator_and_comment() -> None:
    text = 'a {\n  "b" : "old"   # keep me\n  c=1\n}\n'
    assert parse(text).set("a.b", "new").render() == 'a {\n  "b" : "new"   # keep me\n  c=1\n}\n'
    assert parse(text).set("a.c", 2).render() == 'a {\n  "b" : "old"   # keep me\n  c=2\n}\n'


def test_set_keeps_the_quoting_habit_of_the_value() -> None:
    doc = parse('a = x\nb = "y"\nc = 30 seconds\n')
    assert doc.set("a", "meet.example.com").render() == 'a = meet.example.com\nb = "y"\nc = 30 seconds\n'
    assert doc.set("b", "z").render() == 'a = x\nb = "z"\nc = 30 seconds\n'
    assert doc.set("a", "http://x/y").get("a") == "http://x/y"
    assert 'a = "http://x/y"' in doc.set("a", "http://x/y").render()
    assert doc.set("a", "true").render().startswith('a = "true"\n')
    assert doc.set("a", "10").get("a") == "10"
    assert doc.set("a", "two words").render().startswith("a = two words\n")


def test_set_equal_value_changes_nothing() -> None:
    doc = parse(JICOFO)
    assert doc.set("jicofo.bridge.brewery-jid", "JvbBrewery@internal.auth.meet.example.com") is doc
    assert doc.set("jicofo.xmpp.trusted-domains", ["recorder.meet.example.com"]) is doc
    one = parse("a = 1")
    assert one.set("a", 1) is one
    assert one.set("a", True) is not one
    assert one.set("a", 1.0).get("a") == 1.0
    assert isinstance(one.set("a", 1.0).get("a"), float)


def test_set_last_occurrence_wins_and_earlier_scalars_stay() -> None:
    doc = parse("a { b = 1 }\na.b = 2\n")
    assert doc.set("a.b", 3).render() == "a { b = 1 }\na.b = 3\n"


def test_set_removes_a_later_dotted_key_that_would_still_be_read() -> None:
    doc = parse("a.b.c = 1\na { b = 5 }\na.b.d = 2\n")
    new = doc.set("a.b", 7)
    assert new.get("a.b") == 7
    assert new.render() == "a.b.c = 1\na { b = 7 }\n"


def test_set_an_object_replaces_earlier_duplicates_that_would_merge() -> None:
    doc = parse("jicofo { authentication { enabled = false, extra = 1 } }\njicofo.authentication.enabled = false\n")
    new = doc.set("jicofo.authentication", {"enabled": True})
    assert new.get("jicofo.authentication") == {"enabled": True}
    assert new.render() == "jicofo { authentication { enabled = true } }\n"


def test_missing_path_nests_into_the_last_block_holding_its_prefix() -> None:
    doc = parse("a { b = 1 }\nx = 0\na { c = 2 }\n")
    # A one-line block is opened onto lines, so that the new field can be removed or commented out.
    assert doc.set("a.d", 3).render() == "a { b = 1 }\nx = 0\na {\n    c = 2\n    d = 3\n}\n"
    multi = parse("jicofo {\n  a = 1\n}\njicofo {\n  b = 2\n}\n")
    assert multi.set("jicofo.c", 3).render() == "jicofo {\n  a = 1\n}\njicofo {\n  b = 2\n  c = 3\n}\n"


def test_new_blocks_follow_the_file_style() -> None:
    tabs = parse("jicofo {\n\txmpp {\n\t\tx = 1\n\t}\n}\n").set("jicofo.authentication.enabled", True)
    assert tabs.render() == "jicofo {\n\txmpp {\n\t\tx = 1\n\t}\n\tauthentication {\n\t\tenabled = true\n\t}\n}\n"
    colon = parse("a: {\n  b: 1\n}\n").set("a.c.d", "x")
    assert colon.render() == 'a: {\n  b: 1\n  c: {\n    d: "x"\n  }\n}\n'
    dotted = parse("jicofo.xmpp.client.port = 5222\n").set("jicofo.authentication.enabled", True)
    assert dotted.render() == "jicofo.xmpp.client.port = 5222\njicofo.authentication.enabled = true\n"
    inline = parse("jicofo { }\n").set("jicofo.authentication.enabled", True)
    assert inline.render() == "jicofo {\n    authentication {\n        enabled = true\n    }\n}\n"


def test_insert_after_a_trailing_comment_and_in_empty_documents() -> None:
    assert parse("a {\n  b = 1 # note\n}").set("a.c", 2).render() == "a {\n  b = 1 # note\n  c = 2\n}"
    assert parse("").set("a", 1).render() == "a = 1\n"
    assert parse("# only").set("a", 1).render() == "# only\na = 1"
    assert parse("x = 1").set("a", 1).render() == "x = 1\na = 1"
    assert parse("{\n}\n").set("a", 1).render() == "{\n    a = 1\n}\n"


def test_crlf_edits_add_only_crlf_lines() -> None:
    doc = parse("jicofo {\r\n  a = 1\r\n}\r\n")
    new = doc.set("jicofo.authentication.enabled", True).set("jicofo.b", {"c": [1, 2]}).remove("jicofo.a")
    assert new.render().replace("\r\n", "").count("\n") == 0
    assert new.to_dict() == {"jicofo": {"authentication": {"enabled": True}, "b": {"c": [1, 2]}}}


def test_plus_equals_becomes_a_plain_assignment_when_set() -> None:
    new = parse("a += 1\na += 2\n").set("a", [5])
    assert new.render() == "a += 1\na = [5]\n"
    assert new.get("a") == [5]


def test_set_with_values_of_every_type() -> None:
    doc = parse("a { b = 1 }\n")
    value = {"s": "x y", "q": 'say "hi"\n', "n": None, "t": True, "i": -3, "f": 2.5, "l": [1, "a", {"k": []}], "e": {}}
    new = doc.set("a.v", value)
    assert new.get("a.v") == value
    assert parse(new.render()).to_dict() == new.to_dict()


def test_set_rejects_unsupported_values() -> None:
    doc = parse("a = 1")
    for bad in (float("nan"), float("inf"), 2**70, object(), {1: 2}, (1, 2)):
        with pytest.raises(EditError):
            doc.set("a", bad)  # type: ignore[arg-type]


def test_set_refuses_when_a_substitution_decides_the_path() -> None:
    doc = parse("a { b = 1 }\na = ${?X}\n")
    with pytest.raises(EditError, match="decided by a substitution"):
        doc.set("a.c", 3)
    # The value itself may be replaced: `a = ${?X}`, the last occurrence, becomes `a = 3`.
    assert doc.set("a", 3).render() == "a { b = 1 }\na = 3\n"
    assert parse("e = ${?E}").set("e", True).render() == "e = true"
    shadowed = parse("a { b = 1 }\nx = 1\n")
    assert shadowed.set("a.c", 3).get("a") == {"b": 1, "c": 3}


def test_remove_leaves_no_dangling_commas() -> None:
    doc = parse("a { b = 1, c = 2, d = 3 }")
    assert doc.remove("a.c").render() == "a { b = 1, d = 3 }"
    assert doc.remove("a.d").render() == "a { b = 1, c = 2 }"
    assert doc.remove("a.b").render() == "a { c = 2, d = 3 }"
    json_style = parse('{"a": 1,\n "b": 2\n}')
    assert json_style.remove("b").render() == '{"a": 1\n}'
    assert json_style.remove("a").render() == '{\n "b": 2\n}'
    assert parse("x = [1,\n2]\ny = 1,\nz = 2,\n").remove("z").render() == "x = [1,\n2]\ny = 1,\n"


def test_remove_takes_its_line_and_the_comment_block_above_when_alone_in_its_paragraph() -> None:
    doc = parse("x = 1\n// about y\ny = 2 # trailing\n\n# about z\n\nz = 3")
    # y shares its paragraph with x: the block above may head the group, so it stays (the one rule).
    assert doc.remove("y").render() == "x = 1\n// about y\n\n# about z\n\nz = 3"
    assert parse("x = 1\n\n// about y\ny = 2\n").remove("y").render() == "x = 1\n\n"
    assert doc.remove("z").render() == "x = 1\n// about y\ny = 2 # trailing\n\n# about z\n"


def test_remove_every_occurrence_and_missing_paths() -> None:
    doc = parse("a { b = 1 }\na.b = 2\nc = 3\n")
    assert doc.remove("a.b").render() == "a { }\nc = 3\n"
    assert doc.remove("nothing") is doc
    assert doc.remove("a").render() == "c = 3\n"


def test_invalid_path_is_an_edit_error() -> None:
    doc = parse("a = 1")
    for path in ("", "a..b", ".a", "a.", "a = b", "${a}"):
        with pytest.raises(EditError):
            doc.set(path, 1)


def test_removing_several_fields_around_a_kept_one() -> None:
    text = "{\n  a.b = 1,\n  a : { s = 3 },\n  a.b.c = 2,\n  a.b.d = 4\n}\n"
    new = parse(text).set("a", "new")
    assert new.render() == '{\n  a.b = 1,\n  a : "new"\n}\n'
    assert new.to_dict() == {"a": "new"}


def test_remove_keeps_a_block_that_still_exists() -> None:
    doc = parse('old { org.jitsi.videobridge.X = "a" }\n')
    assert doc.remove("old.org.jitsi").render() == "old { }\n"
    assert doc.remove("old.org.jitsi").to_dict() == {"old": {}}
    assert parse("a.b.c = 1\nx = 2\n").remove("a.b.c").to_dict() == {"x": 2}


def test_insert_after_a_member_on_the_opening_line_indents_one_step() -> None:
    assert parse("jicofo { a = 1\n}\n").set("jicofo.b", 2).render() == "jicofo { a = 1\n    b = 2\n}\n"


def test_get_reads_only_the_subtree() -> None:
    doc = parse("a = ${X}\na { b = 1 }\nc { d = ${?Y}, e = [1, ${c.d}] }")
    assert isinstance(doc.get("a"), Unresolved)
    assert doc.get("a.b", "absent") == "absent"
    assert doc.get("c.d") == Unresolved("${?Y}")
    assert doc.get("c") == doc.to_dict()["c"]
    assert doc.get("c.e", resolve=True, env={"Y": "y"}) == [1, "y"]


def test_json_style_files_keep_quoted_keys_and_commas() -> None:
    doc = parse('{\n  "a": 1,\n  "b": {"c": 2} // note\n}\n')
    new = doc.set("d", "x").set("b.e", [1])
    assert new.render() == '{\n  "a": 1,\n  "b": {\n    "c": 2,\n    "e": [1]\n  }, // note\n  "d": "x"\n}\n'
    assert json.loads(new.render().replace(" // note", "")) == {"a": 1, "b": {"c": 2, "e": [1]}, "d": "x"}
    trailing = parse("a = 1,\nb = 2,\n").set("c", 3)
    assert trailing.render() == "a = 1,\nb = 2,\nc = 3,\n"


def test_a_later_scalar_on_the_path_becomes_the_object() -> None:
    assert parse("a { b = 1 }\na = 5\n").set("a.b", 2).render() == "a = {\n    b = 2\n}\n"
    assert parse("a.b = 5\na = 7\n").set("a.b.c", 2).to_dict() == {"a": {"b": {"c": 2}}}
    # An object after the scalar already overrides it: nest into that object instead.
    new = parse("a = 7\na { x { } }\n").set("a.b.c", 2)
    assert new.render() == "a = 7\na {\n    x { }\n    b {\n        c = 2\n    }\n}\n"
