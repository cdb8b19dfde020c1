"""The .properties document: lossless, read as java.util.Properties reads, edited minimally."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import jproperties
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jitsi_secure import EditError, ParseError
from jitsi_secure.formats import properties
from jitsi_secure.formats.properties import ENCODING, escape_key, escape_value, parse
from tests.oracles import corpus_files, java_properties

# -- lossless ------------------------------------------------------------------------------------

TRICKY = [
    "",
    "\n",
    "   \t\f\n",
    "key",
    "key\\",
    "\\",
    "\\\n\n",
    "a=1\r\nb=2\r\n",
    "a=1\rb=2\r",
    "\ufeffa=1\n",
    "a=1\\\r\n   2\r\n",
    "a \\\n\n",
    "   # indented comment \\\nnot=continued\n",
    "! bang\n#hash\n",
    "key\\ with\\ spaces = v\n",
    "k\\=e\\:y:v\n",
    "u=caf\\u00e9\n",
    "tail=ends with backslash\\\\\n",
    "odd=x\\\\\\\nafter = y\n",
    "empty=\n",
    "   \n  \t\nlast=no newline",
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_texts_round_trip(text: str) -> None:
    assert parse(text).render() == text


@given(st.text())
def test_any_text_round_trips_or_fails_only_on_a_bad_escape(text: str) -> None:
    try:
        document = parse(text)
    except ParseError as error:
        assert "\\u" in text, "only a malformed \\u escape may be refused"
        assert error.line >= 1 and error.column >= 1
        return
    assert document.render() == text
    # Lines tile the text: every byte belongs to exactly one line.
    ends = [0, *(line.end for line in document.lines)]
    assert [line.start for line in document.lines] == ends[:-1]
    assert ends[-1] == len(text)


def test_malformed_unicode_escape_is_a_parse_error_with_position() -> None:
    with pytest.raises(ParseError) as caught:
        parse("ok=1\nbad = x\\u00G1\n", source="jigasi.properties")
    assert (caught.value.line, caught.value.column) == (2, 8)
    assert str(caught.value).startswith("jigasi.properties:2:8: malformed \\uXXXX escape")


# -- reading ------------------------------------------------------------------------------------


def test_reading_follows_java() -> None:
    text = (
        "  leading.ws = padded value   \n"
        "colon:value\n"
        "space value with spaces\n"
        "cont = first \\\n      second \\\n      third\n"
        "esc\\ key\\=x = tab\\there\\nnewline\n"
        "pair=\\uD83D\\uDE00\n"
        "dup=one\n"
        "dup=two\n"
        "bare\n"
        "#commented=not read\n"
    )
    assert parse(text).to_dict() == {
        "leading.ws": "padded value   ",
        "colon": "value",
        "space": "value with spaces",
        "cont": "first second third",
        "esc key=x": "tab\there\nnewline",
        "pair": "😀",
        "dup": "two",
        "bare": "",
    }


def test_get_reads_the_last_duplicate() -> None:
    document = parse("a=1\na=2\n")
    assert document.get("a") == "2"
    assert document.get("missing") is None
    assert "a" in document and "missing" not in document


# -- editing -------------------------------------------------------------------------------------

JIGASI = """\
# XMPP account used for control
org.jitsi.jigasi.xmpp.acc.SERVER_ADDRESS=localhost
#org.jitsi.jigasi.xmpp.acc.USER_ID=SOME_USER@SOME_DOMAIN
#org.jitsi.jigasi.xmpp.acc.PASS=SOME_PASS
#org.jitsi.jigasi.xmpp.acc.ANONYMOUS_AUTH=false

net.java.sip.communicator.impl.protocol.SingleCallInProgressPolicy.enabled=false
"""


def test_set_replaces_the_value_of_the_last_occurrence_keeping_its_spelling() -> None:
    text = "a = 1\n  key\\ x :  old   # not a comment\na=2\n"
    document = parse(text)
    assert document.set("key x", "new").render() == "a = 1\n  key\\ x :  new\na=2\n"
    assert document.set("a", "3").render() == "a = 1\n  key\\ x :  old   # not a comment\na=3\n"


def test_set_uncomments_a_commented_out_example_in_place() -> None:
    edited = parse(JIGASI).set("org.jitsi.jigasi.xmpp.acc.USER_ID", "focus@meet.example.com")
    assert edited.render() == JIGASI.replace(
        "#org.jitsi.jigasi.xmpp.acc.USER_ID=SOME_USER@SOME_DOMAIN",
        "org.jitsi.jigasi.xmpp.acc.USER_ID=focus@meet.example.com",
    )


def test_set_uncomments_hash_space_and_bang_forms_keeping_indentation() -> None:
    assert parse("  # a.b = x\n").set("a.b", "y").render() == "  a.b = y\n"
    assert parse("!a.b:x\n").set("a.b", "y").render() == "a.b:y\n"


def test_prose_comments_are_not_taken_for_settings() -> None:
    text = "# a.b is the setting that matters\nc=1\n"
    assert parse(text).set("a.b", "y").render() == text + "a.b=y\n"


def test_set_inserts_after_the_key_with_the_longest_dotted_prefix() -> None:
    text = "org.jitsi.jicofo.BRIDGE_MUC = x\norg.jitsi.jicofo.auth.DISABLE_AUTOLOGIN = true\nother.key = 1\n"
    edited = parse(text).set("org.jitsi.jicofo.auth.URL", "XMPP:meet.example.com")
    assert edited.render() == (
        "org.jitsi.jicofo.BRIDGE_MUC = x\n"
        "org.jitsi.jicofo.auth.DISABLE_AUTOLOGIN = true\n"
        "org.jitsi.jicofo.auth.URL = XMPP:meet.example.com\n"
        "other.key = 1\n"
    )


def test_set_appends_in_the_files_style_and_line_ending() -> None:
    assert parse("a: 1\r\nb: 2\r\n").set("c", "3").render() == "a: 1\r\nb: 2\r\nc: 3\r\n"
    assert parse("a=1").set("c", "3").render() == "a=1\nc=3"
    assert parse("").set("c", "3").render() == "c=3\n"


def test_set_gives_a_bare_key_a_separator() -> None:
    assert parse("x.y=1\nbare\n").set("bare", "v").render() == "x.y=1\nbare=v\n"


def test_setting_the_same_value_changes_nothing() -> None:
    document = parse(JIGASI)
    assert document.set("org.jitsi.jigasi.xmpp.acc.SERVER_ADDRESS", "localhost") is document


def test_values_are_escaped_so_java_reads_them_back() -> None:
    assert escape_value(" lead=:#! tail ") == "\\ lead=:#! tail "
    assert escape_value("#x") == "\\#x"
    assert escape_value("a\\b\nc\tdé😀") == "a\\\\b\\nc\\td\\u00E9\\uD83D\\uDE00"
    assert escape_key("a key=x:y") == "a\\ key\\=x\\:y"


def test_remove_takes_every_occurrence_and_continuations() -> None:
    text = "a=1\nb=2 \\\n  more\nc=3\nb=4\n"
    assert parse(text).remove("b").render() == "a=1\nc=3\n"


def test_remove_takes_the_comment_that_describes_the_entry_alone() -> None:
    text = "x=1\n\n# the focus URL\norg.jitsi.jicofo.auth.URL=XMPP:meet\n\n# group\na=1\nb=2\n"
    edited = parse(text).remove("org.jitsi.jicofo.auth.URL")
    assert edited.render() == "x=1\n\n\n# group\na=1\nb=2\n"
    # A comment heading a group of entries stays.
    assert (
        parse(text).remove("a").render()
        == "x=1\n\n# the focus URL\norg.jitsi.jicofo.auth.URL=XMPP:meet\n\n# group\nb=2\n"
    )


def test_remove_can_comment_out_instead() -> None:
    text = "a=1\nb=2 \\\n  more\n"
    assert parse(text).remove("b", comment_out=True).render() == "a=1\n#b=2 \\\n#  more\n"


def test_removing_an_absent_key_changes_nothing() -> None:
    document = parse("a=1\n")
    assert document.remove("zzz") is document


def test_edits_refuse_non_strings() -> None:
    with pytest.raises(EditError, match="must be a string"):
        parse("").set("a", 1)  # type: ignore[arg-type]


def test_edits_leave_the_original_document_alone() -> None:
    document = parse("a=1\n")
    document.set("a", "2")
    assert document.render() == "a=1\n" and document.get("a") == "1"


# -- the real reader: java.util.Properties -----------------------------------------------------


def _corpus() -> list[Path]:
    return corpus_files("properties", "*.properties")


def test_corpus_round_trips_byte_for_byte() -> None:
    files = _corpus()
    assert files, "the properties corpus is empty"
    for path in files:
        data = path.read_bytes()
        assert parse(data.decode(ENCODING)).render().encode(ENCODING) == data, path.name


def test_corpus_reads_as_java_reads_it() -> None:
    files = _corpus()
    expected = java_properties(files)
    for path, java in zip(files, expected, strict=True):
        assert "properties" in java, f"{path.name}: {java}"
        assert properties.load_file(path).to_dict() == java["properties"], path.name


def test_corpus_reads_as_jproperties_reads_it() -> None:
    for path in _corpus():
        reference = jproperties.Properties()
        reference.load(io.BytesIO(path.read_bytes()), encoding=ENCODING)
        assert properties.load_file(path).to_dict() == {k: v.data for k, v in reference.items()}, path.name


def test_tricky_texts_read_as_java_reads_them(tmp_path: Path) -> None:
    paths = []
    for index, text in enumerate(TRICKY):
        path = tmp_path / f"t{index}.properties"
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    for path, java in zip(paths, java_properties(paths), strict=True):
        assert properties.load_file(path).to_dict() == java["properties"], path.read_bytes()


def test_malformed_escapes_are_refused_where_java_refuses(tmp_path: Path) -> None:
    texts = ["a=\\u12\n", "a=\\uZZZZ\n", "b\\u00=1\n", "a=\\u00e9\n"]
    paths = []
    for index, text in enumerate(texts):
        paths.append(tmp_path / f"e{index}.properties")
        paths[-1].write_text(text, encoding=ENCODING)
    for path, java in zip(paths, java_properties(paths), strict=True):
        try:
            properties.load_file(path)
        except ParseError:
            assert "error" in java, path.read_text()
        else:
            assert "properties" in java, path.read_text()


# -- properties: edits read back by Java exactly ------------------------------------------------

KEYS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)
VALUES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)
CORPUS_LIKE = st.sampled_from([JIGASI, "a=1\r\nb = 2\r\n", "k v\n! c\n# x.y=old\nlast", "", "x.y=1\\\n  2\n"])


def _collect(tmp_path: Path) -> tuple[list[tuple[Path, dict[str, str]]], Callable[[str, dict[str, str]], None]]:
    """Files written during a hypothesis run, checked by one Java run afterwards (a JVM per example is slow)."""
    cases: list[tuple[Path, dict[str, str]]] = []

    def add(text: str, expected: dict[str, str]) -> None:
        path = tmp_path / f"case{len(cases)}.properties"
        path.write_bytes(text.encode(ENCODING))
        cases.append((path, expected))

    return cases, add


def test_random_sets_read_back_in_java_exactly(tmp_path: Path) -> None:
    cases, add = _collect(tmp_path)

    @given(base=CORPUS_LIKE, edits=st.lists(st.tuples(KEYS, VALUES), min_size=1, max_size=4))
    def run(base: str, edits: list[tuple[str, str]]) -> None:
        document = parse(base)
        expected = document.to_dict()
        for key, value in edits:
            document = document.set(key, value)
            expected[key] = value
            # Idempotent: the same set again is a no-op.
            assert document.set(key, value) is document
        assert document.to_dict() == expected
        add(document.render(), expected)

    run()
    assert cases
    for (path, expected), java in zip(cases, java_properties([p for p, _ in cases]), strict=True):
        assert java.get("properties") == expected, path.read_bytes()


@given(base=CORPUS_LIKE, key=KEYS, value=VALUES)
def test_set_leaves_every_untouched_line_byte_identical(base: str, key: str, value: str) -> None:
    before = parse(base)
    after = before.set(key, value)
    old_lines = base.splitlines(keepends=True)
    new_lines = after.render().splitlines(keepends=True)
    # One line changed, uncommented or added (a line gaining its missing final newline counts).
    removed = [line for line in old_lines if line not in new_lines]
    assert len(removed) <= 1
    assert len(new_lines) - len(old_lines) in (0, 1)


@given(base=CORPUS_LIKE, key=KEYS)
def test_remove_reads_as_the_key_gone_and_nothing_else(base: str, key: str) -> None:
    document = parse(base).set(key, "v")
    expected = {k: v for k, v in document.to_dict().items() if k != key}
    for comment_out in (False, True):
        removed = document.remove(key, comment_out=comment_out)
        assert removed.to_dict() == expected
        assert removed.remove(key, comment_out=comment_out) is removed


PROPERTIES_ALPHABET = st.sampled_from([*"ab=: \t\f\\\r\n#!u0é", "\\u0041", "\\\n", "\\\r\n"])


def test_random_texts_read_as_java_reads_them(tmp_path: Path) -> None:
    cases: list[tuple[Path, dict[str, str] | None]] = []

    @given(st.lists(PROPERTIES_ALPHABET, max_size=40).map("".join))
    def run(text: str) -> None:
        try:
            expected: dict[str, str] | None = parse(text).to_dict()
        except ParseError:
            expected = None
        path = tmp_path / f"r{len(cases)}.properties"
        path.write_bytes(text.encode(ENCODING))
        cases.append((path, expected))

    run()
    for (path, expected), java in zip(cases, java_properties([p for p, _ in cases]), strict=True):
        assert java.get("properties") == expected, path.read_bytes()
