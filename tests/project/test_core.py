"""The shared core: errors, splices, style detection and the safe writer."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jitsi_secure import EditError, ParseError, Splice, WriteError, apply_splices, detect_style, read_text, write_text
from jitsi_secure.errors import line_and_column
from tests.safety.test_faults import refuse_creating

# -- errors -------------------------------------------------------------------------------------


def test_parse_error_reads_path_line_column_then_the_line_and_a_caret() -> None:
    text = "a = 1\r\nb = {\n\tc = ]\n"
    error = ParseError.at(text, text.index("]"), "expected a value", source="/etc/x.conf")
    assert (error.line, error.column) == (3, 6)
    assert str(error) == "/etc/x.conf:3:6: expected a value\n    \tc = ]\n    \t    ^"


def test_parse_error_can_be_attributed_to_a_file_later() -> None:
    error = ParseError.at("x", 0, "bad").with_source("f.lua")
    assert str(error).startswith("f.lua:1:1: bad")


@pytest.mark.parametrize(
    ("text", "offset", "expected"),
    [("", 0, (1, 1)), ("ab\ncd", 4, (2, 2)), ("a\r\nb", 3, (2, 1)), ("a\rb", 2, (2, 1)), ("a\r\n\r\nb", 5, (3, 1))],
)
def test_line_and_column_count_every_line_ending(text: str, offset: int, expected: tuple[int, int]) -> None:
    assert line_and_column(text, offset) == expected


# -- splices ------------------------------------------------------------------------------------


def test_splices_apply_in_original_offsets_whatever_their_order() -> None:
    text = "alpha beta gamma"
    result = apply_splices(text, [Splice(11, 16, "GAMMA", "c"), Splice(0, 5, "A", "a"), Splice(6, 6, "+", "b")])
    assert result == "A +beta GAMMA"


def test_overlapping_splices_are_refused_naming_both() -> None:
    with pytest.raises(EditError, match="'first' overlaps 'second'"):
        apply_splices("abcdef", [Splice(0, 3, "x", "first"), Splice(2, 4, "y", "second")])


def test_splice_past_the_end_is_refused() -> None:
    with pytest.raises(EditError, match="past the end"):
        apply_splices("abc", [Splice(2, 9, "", "too far")])


def test_a_backwards_splice_cannot_be_made() -> None:
    with pytest.raises(EditError):
        Splice(5, 2, "")


@given(st.text(), st.data())
def test_empty_splices_change_nothing(text: str, data: st.DataObject) -> None:
    offsets = data.draw(st.lists(st.integers(0, len(text)), max_size=5))
    assert apply_splices(text, [Splice(o, o, "") for o in offsets]) == text


# -- style --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "newline", "indent", "final"),
    [
        ("", "\n", "    ", True),
        ("a\r\nb\nc", "\r\n", "    ", False),
        ("a\rb\r", "\r", "    ", True),
        ("x {\n\ty\n\t\tz\n}\n", "\n", "\t", True),
        ("x {\n  y {\n    z\n  }\n}\n", "\n", "  ", True),
        ("a = {\n    b,\n          c,\n    d\n}\nq = {\n    r\n}\n", "\n", "    ", True),
    ],
)
def test_style_detection(text: str, newline: str, indent: str, final: bool) -> None:
    style = detect_style(text)
    assert (style.newline, style.indent, style.final_newline) == (newline, indent, final)


# -- safe writing -------------------------------------------------------------------------------


def test_unchanged_content_is_not_written(tmp_path: Path) -> None:
    target = tmp_path / "a.conf"
    target.write_text("same\n")
    os.utime(target, (1_000_000, 1_000_000))
    result = write_text(target, "same\n")
    assert not result.changed
    assert target.stat().st_mtime == 1_000_000


def test_write_keeps_mode_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "secret.properties"
    target.write_text("old\n")
    target.chmod(0o640)
    result = write_text(target, "new\n")
    assert result.changed
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.properties"]


def test_write_goes_through_a_symlink_and_keeps_the_link(tmp_path: Path) -> None:
    avail = tmp_path / "conf.avail"
    enabled = tmp_path / "conf.d"
    avail.mkdir()
    enabled.mkdir()
    real = avail / "meet.cfg.lua"
    real.write_text("old\n")
    link = enabled / "meet.cfg.lua"
    link.symlink_to(Path("..") / "conf.avail" / "meet.cfg.lua")
    result = write_text(link, "new\n")
    assert link.is_symlink()
    assert real.read_text() == "new\n"
    assert result.target == real.resolve()


def test_backup_keeps_the_old_content(tmp_path: Path) -> None:
    target = tmp_path / "jicofo.conf"
    target.write_text("old\n")
    result = write_text(target, "new\n", backup_suffix=".bak")
    assert result.backup == tmp_path / "jicofo.conf.bak"
    assert result.backup.read_text() == "old\n"
    assert target.read_text() == "new\n"


def test_new_file_is_created(tmp_path: Path) -> None:
    result = write_text(tmp_path / "fresh.txt", "x")
    assert result.changed and (tmp_path / "fresh.txt").read_text() == "x"


def test_write_into_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="cannot create a temporary file"):
        write_text(tmp_path / "nope" / "x.conf", "x")


def test_unwritable_folder_leaves_the_original(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulated, because the tests may run as root, who can write into a read-only folder.
    target = tmp_path / "x.conf"
    target.write_text("old\n")

    refuse_creating(monkeypatch, errno.EACCES)
    with pytest.raises(WriteError, match="Permission denied"):
        write_text(target, "new\n")
    assert target.read_text() == "old\n"


def test_failed_rename_removes_the_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "x.conf"
    target.write_text("old\n")

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(WriteError, match="No space left on device"):
        write_text(target, "new\n")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["x.conf"]


def test_bytes_that_are_not_utf8_survive_a_read_and_write(tmp_path: Path) -> None:
    target = tmp_path / "latin.txt"
    target.write_bytes(b"caf\xe9\r\nend")
    text = read_text(target)
    write_text(target, text + "!")
    assert target.read_bytes() == b"caf\xe9\r\nend!"
