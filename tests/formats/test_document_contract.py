"""The contract every format document keeps (issue 15): one parametrised suite over the formats.

Each format is one :class:`Case`: sample texts written in that format for the same situations (a key to
read, a commented-out example, a key alone in its paragraph, a key in a group under a heading). A new
format joins by adding one ``Case`` to ``CASES``; every test below then runs for it.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from jitsi_secure import EditError, ParseError, ReadError, WriteError, apply_splices, load
from jitsi_secure.formats import (
    COMMENT_OUT,
    REMOVE,
    CommentOut,
    Computed,
    Document,
    dotenv,
    hocon,
    js,
    lua,
    properties,
)
from jitsi_secure.formats.lua import _document as lua_document
from tests.oracles import require_module


@dataclasses.dataclass(frozen=True)
class Case:
    """One format, seen through the shared contract."""

    name: str
    module: ModuleType
    suffix: str
    #: A text with ``present`` set to ``value``, a commented-out example of ``example``, and nothing at ``absent``.
    text: str
    present: Any
    value: Any
    absent: Any
    example: Any
    #: ``alone`` is alone in its paragraph under its own comment; ``grouped`` shares one under a heading.
    paragraphs: str
    alone: Any
    alone_comment: str
    grouped: Any
    heading: str
    #: A text whose value at ``computed`` only code can give.
    computed_text: str
    computed: Any
    #: Bytes that are not valid in the format's encoding: ``None`` when every byte reads (kept as is).
    bad_bytes: bytes | None
    make_new: Callable[[str], Any] = str
    #: Where the format's edits re-parse, when not ``module`` itself (a package's document module).
    parses_in: ModuleType | None = None
    #: Texts with a one-line object (empty or not) and a new path in it: ``()`` for formats without objects.
    one_line: tuple[tuple[str, Any], ...] = ()


CASES = [
    Case(
        name="properties",
        module=properties,
        suffix=".properties",
        text="# settings\nmy.key=one\n#my.example=old\n",
        present="my.key",
        value="one",
        absent="my.other",
        example="my.example",
        paragraphs="# about a\nalone.key=1\n\n# heading\ngroup.a=1\ngroup.b=2\n",
        alone="alone.key",
        alone_comment="# about a",
        grouped="group.a",
        heading="# heading",
        computed_text="",
        computed=None,
        bad_bytes=None,
    ),
    Case(
        name="dotenv",
        module=dotenv,
        suffix=".env",
        text="# settings\nMY_KEY=one\n#MY_EXAMPLE=old\n",
        present="MY_KEY",
        value="one",
        absent="MY_OTHER",
        example="MY_EXAMPLE",
        paragraphs="# about a\nALONE=1\n\n# heading\nGROUP_A=1\nGROUP_B=2\n",
        alone="ALONE",
        alone_comment="# about a",
        grouped="GROUP_A",
        heading="# heading",
        computed_text="URL=https://${HOST}/\n",
        computed="URL",
        bad_bytes=None,
    ),
    Case(
        name="hocon",
        module=hocon,
        suffix=".conf",
        text="# settings\nmy {\n  key = one\n  # example = old\n}\n",
        present="my.key",
        value="one",
        absent="my.other",
        example="my.example",
        paragraphs="# about a\nalone = 1\n\n# heading\ngroup-a = 1\ngroup-b = 2\n",
        alone="alone",
        alone_comment="# about a",
        grouped="group-a",
        heading="# heading",
        computed_text="url = ${HOST}\n",
        computed="url",
        bad_bytes=b"a = \xff\n",
        one_line=(
            ("jicofo {}\n", "jicofo.authentication.enabled"),
            ("jicofo {\n}\n", "jicofo.authentication.enabled"),
            ("jicofo { authentication { } }\n", "jicofo.authentication.enabled"),
            ("hosts { domain = x, muc = y }\n", "hosts.anonymousdomain"),
        ),
    ),
    Case(
        name="lua",
        module=lua,
        parses_in=lua_document,
        suffix=".cfg.lua",
        text='-- settings\nVirtualHost "example.com"\n    key = "one"\n    --example = "old"\n',
        present=("example.com", "key"),
        value="one",
        absent=("example.com", "other"),
        example=("example.com", "example"),
        paragraphs="-- about a\nalone = 1\n\n-- heading\ngroup_a = 1\ngroup_b = 2\n",
        alone="alone",
        alone_comment="-- about a",
        grouped="group_a",
        heading="-- heading",
        computed_text='url = "https://" .. os.getenv("HOST")\n',
        computed="url",
        bad_bytes=b'a = "\xff"\n',
        one_line=(
            ("t = {}\n", ("*", "t", "c")),
            ("t = { a = 1, b = 2 }\n", ("*", "t", "c")),
            ('VirtualHost "x.example"\n    t = { a = { } }\n', ("x.example", "t", "a", "c")),
        ),
    ),
    Case(
        name="js",
        module=js,
        suffix=".js",
        text=(
            "// settings\nvar config = {\n    hosts: {\n        domain: 'one',\n        // example: 'old',\n"
            "    },\n};\n"
        ),
        present="hosts.domain",
        value="one",
        absent="hosts.other",
        example="hosts.example",
        paragraphs=(
            "var config = {\n    // about a\n    alone: 1,\n\n    // heading\n    groupA: 1,\n    groupB: 2,\n};\n"
        ),
        alone="alone",
        alone_comment="// about a",
        grouped="groupA",
        heading="// heading",
        computed_text="var config = { url: 'https://' + location.host };\n",
        computed="url",
        bad_bytes=b"var config = { a: '\xff' };\n",
        one_line=(
            ("var config = { hosts: {} };\n", "hosts.anonymousdomain"),
            ("var config = {\n    hosts: { domain: 'x', muc: 'y' },\n};\n", "hosts.anonymousdomain"),
            ("var config = { hosts: { domain: 'x', muc: 'y' } };\n", "hosts.anonymousdomain"),
        ),
    ),
]


@pytest.fixture(params=CASES, ids=[case.name for case in CASES])
def case(request: pytest.FixtureRequest) -> Case:
    return request.param  # type: ignore[no-any-return]


def parse(case: Case, text: str) -> Any:
    return case.module.parse(text)


# -- reading ---------------------------------------------------------------------------------------


def test_parse_renders_back_and_satisfies_the_protocol(case: Case) -> None:
    doc = parse(case, case.text)
    assert doc.render() == case.text
    assert doc.source == "<string>"
    assert doc.applied == ()
    assert isinstance(doc, Document)
    assert case.module.parse(case.text, source="x.conf").source == "x.conf"


def test_get_in_and_to_dict(case: Case) -> None:
    doc = parse(case, case.text)
    assert doc.get(case.present) == case.value
    assert case.present in doc
    assert case.absent not in doc
    assert case.example not in doc
    assert doc.get(case.absent) is None
    assert doc.get(case.absent, "fallback") == "fallback"
    assert doc.to_dict()  # the meaning is there, as plain values
    assert "not a path at all" not in doc


def test_line_of_names_the_line_that_decides_a_value(case: Case) -> None:
    doc = parse(case, case.text)
    lines = case.text.splitlines(keepends=True)
    line = doc.line_of(case.present)
    assert line is not None
    assert case.value in lines[line - 1]
    assert not lines[line - 1].lstrip().startswith(("#", "--", "//"))
    assert doc.line_of(case.absent) is None
    assert doc.line_of(case.example) is None  # a commented-out example sets nothing
    # A second setting below the first decides the value, so it is the line.
    twice = parse(case, "".join([*lines[:line], lines[line - 1].replace(case.value, "two"), *lines[line:]]))
    assert twice.get(case.present) == "two"
    assert twice.line_of(case.present) == line + 1
    added = doc.set(case.absent, "two")
    assert "two" in added.render().splitlines()[added.line_of(case.absent) - 1]
    crlf = parse(case, case.text.replace("\n", "\r\n"))
    assert crlf.line_of(case.present) == line


#: A key written only inside a block comment, then set for real below it, for the formats that have them.
BLOCK_COMMENTS = {
    "js": ("var config = {\n    /*\n    a: 1,\n    */\n    a: 2,\n    /* a: 3 */\n};\n", "a", 5),
    "lua": ("--[[\na = 1\n]]\na = 2\n--[==[ a = 3\n]==]\n", "a", 4),
}


@pytest.mark.parametrize("name", list(BLOCK_COMMENTS))
def test_line_of_never_points_into_a_block_comment(name: str) -> None:
    case = next(c for c in CASES if c.name == name)
    text, path, line = BLOCK_COMMENTS[name]
    doc = parse(case, text)
    assert doc.get(path) == 2
    assert doc.line_of(path) == line
    only_commented = text.replace("a: 2", "b: 2").replace("a = 2", "b = 2")
    assert parse(case, only_commented).line_of(path) is None


# .properties has no value that code computes, so it has no case here.
@pytest.mark.parametrize("case", [c for c in CASES if c.computed_text], ids=lambda c: c.name)
def test_computed_values_carry_their_text(case: Case) -> None:
    value = parse(case, case.computed_text).get(case.computed)
    assert isinstance(value, Computed)
    assert value.text in case.computed_text


# -- files -----------------------------------------------------------------------------------------


def test_load_file_names_the_file_and_load_picks_the_format(case: Case, tmp_path: Path) -> None:
    path = tmp_path / f"file{case.suffix}"
    path.write_text(case.text, encoding="utf-8", newline="")
    doc = case.module.load_file(path)
    assert doc.source == str(path)
    assert doc.render() == case.text
    loaded = load(path)
    assert type(loaded) is type(doc)
    assert loaded.render() == case.text


def test_load_file_of_a_missing_file_is_a_clear_error(case: Case, tmp_path: Path) -> None:
    path = tmp_path / f"missing{case.suffix}"
    with pytest.raises(ReadError, match=f"^{re.escape(str(path))}: cannot read: No such file or directory$"):
        case.module.load_file(path)
    with pytest.raises(WriteError):  # what it was before ReadError existed: old handlers still work
        load(path)


def test_load_file_with_bad_encoding_is_a_parse_error_or_keeps_every_byte(case: Case, tmp_path: Path) -> None:
    path = tmp_path / f"bad{case.suffix}"
    data = case.bad_bytes or b"A=\xff\xfe\n"
    path.write_bytes(data)
    if case.bad_bytes is None:
        doc = case.module.load_file(path)
        encoding = getattr(case.module, "ENCODING", "utf-8")
        assert doc.render().encode(encoding, "surrogateescape") == data
        return
    with pytest.raises(ParseError) as caught:
        case.module.load_file(path)
    assert str(caught.value).startswith(f"{path}:1:")


# -- editing ---------------------------------------------------------------------------------------


def test_set_returns_a_new_document_with_its_splices(case: Case) -> None:
    doc = parse(case, case.text)
    new = doc.set(case.absent, "two")
    assert new is not doc
    assert new.get(case.absent) == "two"
    assert new.get(case.present) == case.value
    assert new.applied
    assert apply_splices(doc.render(), new.applied) == new.render()
    assert all(s.reason for s in new.applied)
    assert doc.render() == case.text  # immutable


def test_no_op_edits_return_the_same_document(case: Case) -> None:
    doc = parse(case, case.text)
    assert doc.set(case.present, case.value) is doc
    assert doc.remove(case.absent) is doc
    assert doc.edit({}) is doc
    assert doc.edit({case.present: case.value, case.absent: REMOVE}) is doc


def test_edit_is_one_batch_verified_once(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = parse(case, case.text)
    parses = 0
    site = case.parses_in or case.module
    real = site.parse

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal parses
        parses += 1
        return real(*args, **kwargs)

    # A format that is a package re-parses through the module that defines ``parse`` (or that of its
    # document class), not through its face, which only re-exports it.
    homes = {case.module, sys.modules[real.__module__], sys.modules[type(doc).__module__]}
    for home in homes:
        if getattr(home, "parse", None) is real:
            monkeypatch.setattr(home, "parse", counting)
    new = doc.edit({case.present: "changed", case.absent: "added", case.example: "uncommented"})
    assert parses == 1
    for home in homes:
        if getattr(home, "parse", None) is counting:
            monkeypatch.setattr(home, "parse", real)
    stepwise = doc.set(case.present, "changed").set(case.absent, "added").set(case.example, "uncommented")
    assert new.to_dict() == stepwise.to_dict()
    assert new.get(case.present) == "changed"
    removed = doc.edit({case.present: REMOVE, case.absent: "added"})
    assert case.present not in removed
    assert removed.get(case.absent) == "added"


def test_set_uncomments_a_commented_out_example_in_place(case: Case) -> None:
    doc = parse(case, case.text)
    new = doc.set(case.example, "new")
    assert new.get(case.example) == "new"
    example = _assert_uncommented_in_place(doc.render(), new.render(), "old", case.example, "new")
    old_lines = doc.render().splitlines()
    new_lines = new.render().splitlines()
    assert [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b] == [example]


_COMMENT_MARKS = ("#", "--", "//")


def _assert_uncommented_in_place(before: str, after: str, marker: str, path: Any, value: str) -> int:
    """Assert that the one commented-out line of ``before`` holding ``marker`` is, at the same index of
    ``after``, an uncommented line setting ``path`` to ``value``, with no line added; return the index."""
    old_lines = before.splitlines()
    new_lines = after.splitlines()
    assert len(new_lines) == len(old_lines)  # in place: no line added
    [example] = [i for i, line in enumerate(old_lines) if line.lstrip().startswith(_COMMENT_MARKS) and marker in line]
    leaf = path[-1] if isinstance(path, tuple) else path.rpartition(".")[2]
    line = new_lines[example]
    assert not line.lstrip().startswith(_COMMENT_MARKS), line
    assert leaf in line and value in line and marker not in line, line
    return example


def test_set_uncomments_the_last_of_two_examples(case: Case) -> None:
    doc = parse(case, case.text)
    lines = doc.render().splitlines(keepends=True)
    example = next(i for i, line in enumerate(lines) if line.lstrip().startswith(("#", "--", "//")) and i > 0)
    # A second example of the same key, further down in the same object or section.
    doubled = parse(case, "".join([*lines[: example + 1], lines[example], *lines[example + 1 :]]))
    new = doubled.set(case.example, "new").render().splitlines()
    assert new[example] == lines[example].rstrip("\r\n")  # the first example stays a comment
    assert not new[example + 1].lstrip().startswith(("#", "--", "//"))


def test_remove_takes_the_comment_of_a_key_alone_in_its_paragraph(case: Case) -> None:
    doc = parse(case, case.paragraphs)
    new = doc.remove(case.alone)
    assert case.alone not in new
    assert case.alone_comment not in new.render()
    assert _blank_lines(new.render()) == _blank_lines(doc.render())  # paragraphs do not merge


def _blank_lines(text: str) -> int:
    return sum(1 for line in text.splitlines() if not line.strip())


def test_remove_keeps_a_heading_over_a_group(case: Case) -> None:
    doc = parse(case, case.paragraphs)
    new = doc.remove(case.grouped)
    assert case.grouped not in new
    assert case.heading in new.render()
    assert case.alone_comment in new.render()


def test_comment_out_keeps_lines_and_comments_and_set_undoes_it(case: Case) -> None:
    doc = parse(case, case.paragraphs)
    new = doc.remove(case.alone, comment_out=True)
    assert case.alone not in new
    assert case.alone_comment in new.render()
    assert len(new.render().splitlines()) == len(doc.render().splitlines())
    back = new.set(case.alone, doc.get(case.alone))
    assert back.to_dict() == doc.to_dict()


def test_comment_out_in_a_batch_is_remove_with_comment_out(case: Case) -> None:
    doc = parse(case, case.paragraphs)
    batch = doc.edit({case.alone: COMMENT_OUT, case.grouped: "7"})
    assert batch.render() == doc.remove(case.alone, comment_out=True).set(case.grouped, "7").render()
    other = parse(case, case.text)
    placeheld = other.edit({case.absent: COMMENT_OUT, case.present: CommentOut(case.value)})
    assert placeheld.to_dict() == other.remove(case.present).to_dict()
    assert other.edit({case.absent: COMMENT_OUT}) is other


#: A field inside an object or table, on a line of its own, for the formats that nest.
NESTED = {
    "hocon": ("a {\n  x = 1\n  y = 2\n}\n", "a.x"),
    "lua": ("a = {\n    x = 1;\n    y = 2;\n}\n", ("*", "a", "x")),
    "js": ("var config = {\n    a: {\n        x: 1,\n        y: 2,\n    },\n};\n", "a.x"),
}


@pytest.mark.parametrize("name", list(NESTED))
def test_comment_out_in_a_batch_reaches_inside_objects(name: str) -> None:
    case = next(c for c in CASES if c.name == name)
    text, path = NESTED[name]
    doc = parse(case, text)
    new = doc.edit({path: COMMENT_OUT})
    assert new.render() == doc.remove(path, comment_out=True).render()
    assert path not in new
    assert len(new.render().splitlines()) == len(text.splitlines())


def test_comment_out_with_a_placeholder_leaves_no_old_value_behind(case: Case) -> None:
    doc = parse(case, case.text.replace("one", "s3cret"))
    new = doc.edit({case.present: CommentOut("example_secret"), case.absent: "added"})
    assert case.present not in new
    assert new.get(case.absent) == "added"
    assert "s3cret" not in new.render()
    assert "example_secret" in new.render()
    # The commented line is the example a later set uncomments in place.
    again = new.set(case.present, "again").render()
    _assert_uncommented_in_place(new.render(), again, "example_secret", case.present, "again")


@pytest.mark.parametrize("case", [c for c in CASES if c.one_line], ids=lambda c: c.name)
def test_what_is_inserted_into_a_one_line_object_can_be_removed_and_commented_out(case: Case) -> None:
    for text, path in case.one_line:
        doc = parse(case, text)
        new = doc.set(path, "guest")
        assert new.get(path) == "guest"
        line = next(line for line in new.render().splitlines() if "guest" in line)
        # On a line of its own, not after the other keys or before a closing brace.
        assert line.strip().startswith(path[-1] if isinstance(path, tuple) else path.split(".")[-1]), line
        assert "}" not in line, line
        removed = new.remove(path)
        assert path not in removed
        commented = new.remove(path, comment_out=True)
        assert path not in commented
        assert "guest" in commented.render()
        assert commented.set(path, "guest").get(path) == "guest"


def test_inserted_lines_follow_the_dominant_line_ending(case: Case) -> None:
    for ending in ("\r\n", "\r\r\n") if case.name == "hocon" else ("\r\n",):
        text = case.text.replace("\n", ending)
        new = parse(case, text).set(case.absent, "two")
        assert new.get(case.absent) == "two"
        assert new.render().count(ending) > text.count(ending)
        assert "\n" not in new.render().replace(ending, "")


def test_a_bad_edit_is_an_edit_error_and_changes_nothing(case: Case) -> None:
    doc = parse(case, case.text)
    with pytest.raises(EditError):
        doc.edit({case.absent: "fine", 12345: "a path that is no path"})
    assert doc.render() == case.text


def test_the_old_call_forms_warn() -> None:
    doc = lua.parse('VirtualHost "example.com"\n    a = 1\n')
    with pytest.deprecated_call(match="get"):
        assert doc.get("example.com", "a") == 1
    with pytest.deprecated_call(match="set"):
        assert doc.set("example.com", "a", 2).get(("example.com", "a")) == 2
    with pytest.deprecated_call(match="remove"):
        assert ("example.com", "a") not in doc.remove("example.com", "a")
    with pytest.deprecated_call(match="in doc"):
        assert hocon.parse("a = 1\n").has("a")


def test_the_document_protocol_is_checked_by_mypy() -> None:
    mypy_api = require_module("mypy.api", "pip install -e '.[test]'")
    sample = Path(__file__).with_name("typing_documents.py")
    out, err, status = mypy_api.run(["--strict", "--no-incremental", "--follow-imports=silent", str(sample)])
    assert status == 0, out + err
