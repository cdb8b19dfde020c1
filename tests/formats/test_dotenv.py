"""The .env document: lossless, read as docker compose (compose-go's dotenv) reads, edited minimally.

The independent reader is python-dotenv. It is not compose: where the two differ, the expected values
here are compose's, checked by hand against compose-go's parser (``dotenv/parser.go``), and the
differential tests leave those constructs out. The differences found:

* ``KEY`` alone: compose takes it from the environment (absent: nothing, an earlier value stays);
  python-dotenv reads ``None`` and overrides.
* ``KEY: value`` and ``=value`` (empty key): compose reads them; python-dotenv refuses.
* ``KEY= # note``: compose reads ``# note`` (it drops the spaces before looking for `` #``);
  python-dotenv reads ``""``. ``KEY=a<TAB>#c``: compose reads ``a<TAB>#c`` (only a space starts a
  comment), python-dotenv ``a``.
* Single quotes: compose keeps ``\\\\`` as two backslashes, python-dotenv reads one.
* Double quotes: compose reads ``\\$`` as ``$`` and ``\\0NNN`` as octal, keeps ``\\'``;
  python-dotenv keeps ``\\$`` and ``\\0NNN``, reads ``\\'`` as ``'``.
* Interpolation: compose reads ``$$`` as ``$`` and substitutes ``$NAME``; python-dotenv only ``${NAME}``.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Literal

import pytest
from dotenv import dotenv_values
from dotenv.parser import parse_stream
from hypothesis import assume, given
from hypothesis import strategies as st

from jitsi_secure import EditError, ParseError
from jitsi_secure.formats import Computed, dotenv
from jitsi_secure.formats.dotenv import parse, quote_value, readers_disagree
from jitsi_secure.formats.dotenv._meaning import references
from tests.oracles import corpus_files

# -- lossless ------------------------------------------------------------------------------------

TRICKY = [
    "",
    "\n",
    "  \t\n\n",
    "A",
    "A\n",
    "export A=1\n",
    "a=1\r\nb=2\r\n",
    "a=1\rb=2\r",
    "\ufeffA=1\n",
    "A=1 # comment\n",
    "A='x' # comment",
    'A="multi\nline" # c\nB=2\n',
    "  # indented comment\n   B = 2  \n",
    "A=\n",
    "#A=1\n# B = 2\n#\n",
    "A=${B:-x}\n",
    'A="\\"quoted\\" \\\\ \\$ \\n"\n',
    "last=no newline",
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_texts_round_trip(text: str) -> None:
    assert parse(text).render() == text


@given(st.text())
def test_any_text_round_trips_or_raises_only_parse_error(text: str) -> None:
    try:
        document = parse(text)
    except ParseError as error:
        assert error.line >= 1 and error.column >= 1
        return
    assert document.render() == text
    # Lines tile the text: every character belongs to exactly one line.
    ends = [0, *(line.end for line in document.lines)]
    assert [line.start for line in document.lines] == ends[:-1]
    assert ends[-1] == len(text)


DOTENV_ALPHABET = st.sampled_from([*"Ab1_= #'\"\\\n\t:$.{}", "\r\n", "export ", "\\n", "${A}", "é"])


@given(st.lists(DOTENV_ALPHABET, max_size=30).map("".join))
def test_dotenv_like_text_round_trips_or_raises_only_parse_error(text: str) -> None:
    with contextlib.suppress(ParseError):
        assert parse(text).render() == text


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ('OK=1\nA="unterminated\n', (2, 3), "unterminated quoted value"),
        ("OK=1\nA B=1\n", (2, 1), "a key cannot contain a space"),
        ("A/B=1\n", (1, 2), "unexpected character '/' in variable name"),
        ("A=x${\n", (1, 4), "invalid interpolation"),
        ('A="x" B=2\n', (1, 7), "only a # comment may follow"),
    ],
)
def test_invalid_lines_are_parse_errors_with_position(text: str, position: tuple[int, int], message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(text, source=".env")
    assert (caught.value.line, caught.value.column) == position
    assert str(caught.value).startswith(f".env:{position[0]}:{position[1]}: {message}")


# -- reading: compose's rules, hand-checked against compose-go's parser ---------------------------


def test_reading_follows_compose() -> None:
    text = (
        "\ufeffPLAIN=value\n"
        "export EXPORTED=1\n"
        "  SPACED  =   padded value   \n"
        "YAML: style\n"
        "INLINE=a b # comment\n"
        "HASH=a#b\n"
        "TAB_HASH=a\t#b\n"
        "EMPTY_COMMENT= # comment\n"
        "SINGLE='lit $X \\n \\\\ \\' end'\n"
        'DOUBLE="tab\\tnl\\n \\"q\\" \\\\ \\$X \\0101 \\q \\\'"\n'
        'MULTI="one\ntwo"\n'
        "REF=${A}$B$$C\n"
        "DUP=one\n"
        "DUP=two\n"
        "DUP\n"
        "BARE\n"
        "EMPTY=\n"
        "CRLF=x\r\n"
        "#COMMENTED=not read\n"
    )
    assert parse(text).to_dict() == {
        "PLAIN": "value",
        "EXPORTED": "1",
        "SPACED": "padded value",
        "YAML": "style",
        "INLINE": "a b",
        "HASH": "a#b",
        "TAB_HASH": "a\t#b",
        "EMPTY_COMMENT": "# comment",
        "SINGLE": "lit $X \\n \\\\ ' end",
        "DOUBLE": 'tab\tnl\n "q" \\ $X A \\q \\\'',
        "MULTI": "one\ntwo",
        "REF": Computed("${A}$B$$C"),
        "DUP": "two",
        "EMPTY": "",
        "CRLF": "x",
    }


def test_literal_tells_values_compose_reads_as_written() -> None:
    entries = {e.key: e for e in parse("A=plain\nB=$X\nC='$X'\nD=$$X\nE=a$\nF\n").entries()}
    assert [entries[k].literal for k in "ABCDEF"] == [True, False, True, True, True, False]


def test_resolve_interpolates_as_compose_does() -> None:
    text = (
        "HTTPS_PORT=8443\n"
        "PUBLIC_URL=https://meet.example.com:${HTTPS_PORT}\n"
        "RAW='${HTTPS_PORT}'\n"
        'QUOTED="$HTTPS_PORT-\\$HTTPS_PORT-$$"\n'
        "DEFAULTS=${UNSET:-d}|${EMPTY:-e}|${EMPTY-f}|${HTTPS_PORT:+alt}|${UNSET+alt}|${UNSET:-${HTTPS_PORT}}\n"
        "EMPTY=\n"
        "LATER=${EMPTY-unset}\n"
        "FROM_ENV\n"
        "OVERRIDDEN=${HOME}\n"
    )
    document = parse(text)
    resolved = document.to_dict(resolve=True)
    assert resolved["PUBLIC_URL"] == "https://meet.example.com:8443"
    assert resolved["RAW"] == "${HTTPS_PORT}"
    assert resolved["QUOTED"] == "8443-$HTTPS_PORT-$"
    # EMPTY is only defined below DEFAULTS: compose reads top to bottom.
    assert resolved["DEFAULTS"] == "d|e|f|alt||8443"
    assert resolved["LATER"] == ""
    assert "FROM_ENV" not in resolved and resolved["OVERRIDDEN"] == ""
    with_env = document.to_dict(environ={"FROM_ENV": "env", "HOME": "/root", "HTTPS_PORT": "443"})
    assert with_env["FROM_ENV"] == "env" and with_env["OVERRIDDEN"] == "/root"
    # The environment wins over the file in lookups, as in compose.
    assert with_env["PUBLIC_URL"] == "https://meet.example.com:443"
    with pytest.raises(ParseError, match="required variable NEED must be set"):
        parse("A=${NEED:?must be set}\n").to_dict(resolve=True)


def test_get_and_contains() -> None:
    document = parse("A=1\nA=2\nB\n")
    assert document.get("A") == "2"
    assert document.get("B") is None and "B" not in document
    assert "A" in document and document.get("missing") is None


# -- editing -------------------------------------------------------------------------------------


def test_set_replaces_the_last_occurrence_keeping_its_line() -> None:
    text = "A=1\nexport  B = old  # note\nA=2\n"
    document = parse(text)
    assert document.set("B", "new").render() == "A=1\nexport  B = new  # note\nA=2\n"
    assert document.set("A", "3").render() == "A=1\nexport  B = old  # note\nA=3\n"


def test_set_keeps_the_quoting_of_the_value_it_replaces_when_it_can() -> None:
    document = parse("S='old'\nD=\"old\"\nU=old\n")
    assert document.set("S", "new").render() == "S='new'\nD=\"old\"\nU=old\n"
    assert document.set("S", "it's").render() == 'S="it\'s"\nD="old"\nU=old\n'
    assert document.set("D", "new").render() == "S='old'\nD=\"new\"\nU=old\n"
    assert document.set("U", "a b$c").render() == "S='old'\nD=\"old\"\nU='a b$c'\n"


def test_values_are_quoted_only_as_much_as_needed() -> None:
    assert quote_value("plain-value_1.2:3/x") == "plain-value_1.2:3/x"
    assert quote_value("with inner space") == "with inner space"
    assert quote_value("") == ""
    assert quote_value(" lead") == "' lead'"
    assert quote_value('p#ss$word"') == "'p#ss$word\"'"
    assert quote_value("it's $HOME ${X} $$ $1 $") == '"it\'s \\$HOME \\${X} \\$$ $1 $"'
    assert quote_value("back\\slash") == '"back\\\\slash"'
    assert quote_value("two\nlines\r") == '"two\\nlines\\r"'


def test_set_uncomments_enable_auth_in_every_env_example() -> None:
    for path in corpus_files("dotenv", "*.env"):
        text = path.read_text(encoding="utf-8")
        edited = dotenv.load_file(path).set("ENABLE_AUTH", "1")
        assert edited.render() == text.replace("\n#ENABLE_AUTH=1\n", "\nENABLE_AUTH=1\n", 1), path.name
        assert edited.to_dict() == {**dotenv.load_file(path).to_dict(), "ENABLE_AUTH": "1"}


def test_set_uncomments_keeping_indentation_export_and_quote_style() -> None:
    assert parse("  # export KEY = 'x'\n").set("KEY", "y").render() == "  export KEY = 'y'\n"
    assert parse('#LETSENCRYPT_ACME_SERVER="letsencrypt"\n').set("LETSENCRYPT_ACME_SERVER", "zerossl").render() == (
        'LETSENCRYPT_ACME_SERVER="zerossl"\n'
    )
    assert parse("#A=1 # keep me\n").set("A", "2").render() == "A=2 # keep me\n"


def test_prose_comments_are_not_taken_for_settings() -> None:
    text = "# Note: JWT_APP_ID is the setting\n# E-Mail for receiving notifications\nX=1\n"
    assert parse(text).set("Note", "y").render() == text + "Note=y\n"


def test_set_inserts_after_the_key_with_the_longest_underscore_prefix() -> None:
    text = "JWT_ISSUER=x\nJWT_APP_ID=my_app\nOTHER=1\n"
    edited = parse(text).set("JWT_APP_SECRET", "s3cr3t$")
    assert edited.render() == "JWT_ISSUER=x\nJWT_APP_ID=my_app\nJWT_APP_SECRET='s3cr3t$'\nOTHER=1\n"


def test_set_appends_with_the_files_line_ending_and_final_newline() -> None:
    assert parse("A=1\r\nB=2\r\n").set("C", "3").render() == "A=1\r\nB=2\r\nC=3\r\n"
    assert parse("A=\r\n").set("A", "0").render() == "A=0\r\n"
    assert parse("A=1").set("C", "3").render() == "A=1\nC=3"
    assert parse("").set("C", "3").render() == "C=3\n"
    assert parse("A = 1\nB = 2\n").set("C", "3").render() == "A = 1\nB = 2\nC = 3\n"


def test_set_gives_a_bare_key_a_value() -> None:
    assert parse("A=1\nBARE\n").set("BARE", "v").render() == "A=1\nBARE=v\n"


def test_setting_the_same_value_changes_nothing_unless_it_is_a_reference() -> None:
    document = parse("A=1\nB=$X\n")
    assert document.set("A", "1") is document
    # Compose reads B as the value of X, not as "$X": setting "$X" literally is a change.
    assert document.set("B", "$X").render() == "A=1\nB='$X'\n"


def test_edits_refuse_bad_keys_and_non_strings() -> None:
    with pytest.raises(EditError, match="must be a string"):
        parse("").set("A", 1)  # type: ignore[arg-type]
    for key in ("", "A B", "A=B", "A#"):
        with pytest.raises(EditError, match="not a key"):
            parse("").set(key, "v")


def test_remove_takes_every_occurrence_and_the_comment_describing_it() -> None:
    text = "# Exposed HTTP port\nHTTP_PORT=8000\n\n# group\nA=1\nB='x\ny'\n\nA=2\nA\n"
    assert parse(text).remove("HTTP_PORT").render() == "\n# group\nA=1\nB='x\ny'\n\nA=2\nA\n"
    assert parse(text).remove("A").render() == "# Exposed HTTP port\nHTTP_PORT=8000\n\n# group\nB='x\ny'\n\n"
    # A commented-out setting above is not a description.
    assert parse("#A=0\nA=1\n").remove("A").render() == "#A=0\n"


def test_remove_can_comment_out_every_line_of_a_value() -> None:
    text = "A=1\nB='x\ny'\n"
    removed = parse(text).remove("B", comment_out=True)
    assert removed.render() == "A=1\n#B='x\n#y'\n"
    assert removed.set("A", "1") is removed
    assert parse("A=1\n").remove("A", comment_out=True).set("A", "2").render() == "A=2\n"
    assert parse("\ufeffA=1\n").remove("A", comment_out=True).render() == "\ufeff#A=1\n"


def test_removing_an_absent_key_changes_nothing() -> None:
    document = parse("A=1\n")
    assert document.remove("Z") is document


def test_edits_leave_the_original_document_alone() -> None:
    document = parse("A=1\n")
    document.set("A", "2")
    assert document.render() == "A=1\n" and document.get("A") == "1"


# -- the independent reader: python-dotenv --------------------------------------------------------


def _corpus() -> list[Path]:
    return corpus_files("dotenv", "*.env")


def test_corpus_round_trips_byte_for_byte() -> None:
    files = _corpus()
    assert files, "the dotenv corpus is empty"
    for path in files:
        data = path.read_bytes()
        assert dotenv.load_file(path).render().encode("utf-8", "surrogateescape") == data, path.name


def test_corpus_reads_as_python_dotenv_reads_it() -> None:
    for path in _corpus():
        assert dotenv.load_file(path).to_dict() == dotenv_values(path, interpolate=False), path.name


def test_corpus_resolves_as_python_dotenv_resolves_it(monkeypatch: pytest.MonkeyPatch) -> None:
    for path in _corpus():
        document = dotenv.load_file(path)
        for entry in document.entries():
            for ref in references(entry.template or ""):
                monkeypatch.delenv(ref.name, raising=False)
        # The corpus only uses ${NAME}, the one form python-dotenv substitutes like compose.
        assert document.to_dict(resolve=True) == dotenv_values(path), path.name


def test_corpus_crlf_copies_stay_crlf() -> None:
    for path in _corpus():
        text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
        edited = parse(text).set("ENABLE_AUTH", "1").set("JWT_APP_SECRET", "new secret").set("ZZ_NEW", "1")
        assert "\n" not in edited.render().replace("\r\n", "")
        assert edited.to_dict() == {
            **parse(text).to_dict(),
            "ENABLE_AUTH": "1",
            "JWT_APP_SECRET": "new secret",
            "ZZ_NEW": "1",
        }


def _python_dotenv(text: str, *, interpolate: bool = False) -> dict[str, str | None] | None:
    """python-dotenv's reading, or ``None`` when it could not parse some statement."""
    if any(binding.error for binding in parse_stream(io.StringIO(text))):
        return None
    return dict(dotenv_values(stream=io.StringIO(text), interpolate=interpolate))


# Constructs where python-dotenv and compose differ (see the module docstring).
_DIFFERS = re.compile(r"=[ \t]*#|\t#|\\\\|\\\$|\\'|\\0|\$|^[ \t]*(export[ \t]+)?[=:]|:", re.MULTILINE)
TEXT_ALPHABET = st.sampled_from([*"AB1_= #'\"\n\t\\", "\r\n", "export ", "\\n", "x y", "é", "\\'"])


@given(st.lists(TEXT_ALPHABET, max_size=30).map("".join))
def test_random_texts_read_as_python_dotenv_reads_them(text: str) -> None:
    assume(not _DIFFERS.search(text))
    try:
        ours = parse(text).to_dict()
    except ParseError:
        return  # compose refuses it; python-dotenv is more lenient and skips what it cannot read
    theirs = _python_dotenv(text)
    assume(theirs is not None)
    assert theirs is not None
    # A bare KEY is None in python-dotenv and absent (no environment) in compose.
    bare = {k for k, v in theirs.items() if v is None}
    assume(not bare & ours.keys())
    assert ours == {k: v for k, v in theirs.items() if v is not None}


SECRET_CHARACTERS = st.sampled_from([*"a_Z1 .{}$'\"\\\n", "é"])


@given(st.lists(SECRET_CHARACTERS, min_size=1, max_size=12).map("".join), st.sampled_from(["", "'", '"']))
def test_readers_disagree_exactly_on_the_values_python_dotenv_misreads(
    value: str, prefer: Literal["", "'", '"']
) -> None:
    # Compose (this module's reading) always gets the value back; python-dotenv only where the
    # predicate says the readers agree, whatever quoting the replaced value had.
    text = f"K={quote_value(value, prefer=prefer)}\n"
    assert parse(text).get("K") == value
    assert (_python_dotenv(text) != {"K": value}) is readers_disagree(value)


def test_readers_disagree_names_the_combination() -> None:
    assert readers_disagree("ab$c'd\\e") and readers_disagree("it's $$") and readers_disagree("a\\${X}")
    # No $ that needs \$ in double quotes, or single quotes can hold it: the readers agree.
    assert not readers_disagree("it's $ 1 $.") and not readers_disagree("$HOME") and not readers_disagree("a\\b")


KEYS = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,11}", fullmatch=True)
# Every value a file can hold: a NUL is refused (no process environment holds one; see test_edit_errors).
VALUES = st.text(st.characters(codec="utf-8", exclude_characters="\0"), max_size=20)
BASES = st.sampled_from(
    [
        "# Enable authentication\n#ENABLE_AUTH=1\n\nJWT_APP_ID=my_app\n#JWT_APP_SECRET=x\n",
        "A=1\r\nB = '2'\r\n",
        'export C="x\ny" # c\nlast=no newline',
        "",
        "BARE\nD=$HOME\n",
    ]
)


@given(base=BASES, edits=st.lists(st.tuples(KEYS, VALUES), min_size=1, max_size=4))
def test_random_sets_read_back_exactly(base: str, edits: list[tuple[str, str]]) -> None:
    document = parse(base)
    expected = document.to_dict()
    for key, value in edits:
        document = document.set(key, value)
        expected[key] = value
        assert document.set(key, value) is document, "setting the same value again must be a no-op"
    assert document.to_dict() == expected
    for key, value in edits:
        if expected[key] == value:
            assert document.to_dict(resolve=True)[key] == value, "set values are literal"
    text = document.render()
    if not _DIFFERS.search(text.replace("$HOME", "")):
        theirs = _python_dotenv(text, interpolate=True)
        assert theirs is not None
        assert {k: theirs[k] for k, _ in edits} == {k: expected[k] for k, _ in edits}


@given(base=BASES, key=KEYS, value=VALUES)
def test_set_leaves_every_untouched_line_byte_identical(base: str, key: str, value: str) -> None:
    before = parse(base)
    after = before.set(key, value)
    old_lines = base.split("\n")
    new_lines = after.render().split("\n")
    # One statement changed, uncommented or added; only a replaced quoted value spans several lines.
    replaced = [entry for entry in before.entries() if entry.key == key]
    span = base.count("\n", replaced[-1].start, replaced[-1].end - 1) + 1 if replaced else 1
    removed = [line for line in old_lines if line not in new_lines]
    assert len(removed) <= span
    assert 1 - span <= len(new_lines) - len(old_lines) <= 1


@given(base=BASES, key=KEYS)
def test_remove_reads_as_the_key_gone_and_nothing_else(base: str, key: str) -> None:
    document = parse(base).set(key, "v")
    expected = {k: v for k, v in document.to_dict().items() if k != key}
    for comment_out in (False, True):
        removed = document.remove(key, comment_out=comment_out)
        assert removed.to_dict() == expected
        assert removed.remove(key, comment_out=comment_out) is removed
