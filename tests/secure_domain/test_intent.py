"""The verification's notion of "changed nowhere else": what counts as a change of its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jitsi_secure.cli import main
from jitsi_secure.demo import build_example_tree
from jitsi_secure.formats.hocon import HoconDocument
from jitsi_secure.secure_domain import _engine as engine
from jitsi_secure.secure_domain._intent import Intent, StrayChange, flatten, unintended_changes
from tests.oracles.hocon import lightbend_read

WANTED = Intent({("jicofo", "authentication", "enabled"): True})


def test_an_empty_object_that_gains_the_wanted_members_is_no_stray_change() -> None:
    before = flatten({"jicofo": {}})
    after = flatten({"jicofo": {"authentication": {"enabled": True}}})
    assert unintended_changes(before, after, WANTED) == []
    # and the other way round: a revert taking out the only members leaves the object empty
    assert unintended_changes(after, before, WANTED) == []


def test_an_empty_object_that_gains_other_members_or_goes_is_still_named() -> None:
    before = flatten({"jicofo": {}, "other": {}})
    after = flatten({"jicofo": {"bridge": {"x": 1}}})
    assert unintended_changes(before, after, WANTED) == [
        StrayChange(("jicofo", "bridge", "x"), "added"),
        StrayChange(("other",), "removed"),
    ]
    changed = unintended_changes(flatten({"a": 1}), flatten({"a": 2}), WANTED)
    assert [(c.name, c.how) for c in changed] == [("a", "changed value")]


@pytest.mark.parametrize("body", ["jicofo {}\n", "jicofo {\n}\n", "jicofo {\n\n}", "jicofo: {}\r\n"])
def test_an_empty_jicofo_block_is_secured(tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str) -> None:
    root = build_example_tree(tmp_path / "root")
    conf = root / "etc/jitsi/jicofo/jicofo.conf"
    conf.write_bytes(body.encode())
    assert main(["apply", "--root", str(root)]) == 0, capsys.readouterr().err
    [read] = lightbend_read([conf])
    assert read["value"]["jicofo"]["authentication"]["enabled"] is True
    assert main(["revert", "--root", str(root)]) == 0, capsys.readouterr().err


def test_a_stray_change_is_named_with_its_line_and_never_its_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = build_example_tree(tmp_path / "root")
    conf = root / "etc/jitsi/jicofo/jicofo.conf"
    text = conf.read_text()
    conf.write_text(text.replace("jicofo {", "jicofo {\n  sctp.enabled = false", 1))
    real_edit = engine.edit

    def edit_too_much(document: Any, declaration: Any) -> Any:
        edited = real_edit(document, declaration)
        return edited.set("jicofo.sctp.enabled", True) if isinstance(edited, HoconDocument) else edited

    monkeypatch.setattr(engine, "edit", edit_too_much)
    before = conf.read_bytes()
    assert main(["apply", "--root", str(root)]) == 2
    err = capsys.readouterr().err
    line = text[: text.index("jicofo {")].count("\n") + 2
    assert (
        f"/etc/jitsi/jicofo/jicofo.conf: the edit would also change jicofo.sctp.enabled (changed value on line {line})"
        in err
    )
    assert "nothing was written" in err and "report it" in err
    assert "true" not in err and "false" not in err
    assert conf.read_bytes() == before
