"""The ``jitsi.secure.doctor`` Ansible module's ``run``: findings, check mode safe, ``fix`` with diffs."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.ansible.collection import load_module
from tests.doctor.doctor_trees import HOST_FILE, secured_tree


def _params(root: Path, **given: Any) -> dict[str, Any]:
    return {"root": str(root), "domain": None, "prosody_version": "0.12", "fix": False, "backup": False, **given}


def test_check_mode_lists_and_writes_nothing_then_fix_applies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("ansible")
    doctor = load_module("doctor", monkeypatch)
    root = secured_tree(tmp_path / "root", (0, 12))
    before = (root / HOST_FILE.lstrip("/")).read_bytes()
    found = doctor.run(SimpleNamespace(params=_params(root), check_mode=False, _diff=False))
    assert found["changed"] is False and "breakout-admins-missing" in {f["id"] for f in found["findings"]}
    check = doctor.run(SimpleNamespace(params=_params(root, fix=True), check_mode=True, _diff=True))
    assert check["changed"] is True and check["diff"] and check["files"]
    assert (root / HOST_FILE.lstrip("/")).read_bytes() == before
    fixed = doctor.run(SimpleNamespace(params=_params(root, fix=True), check_mode=False, _diff=False))
    assert fixed["changed"] is True and "breakout-admins-missing" not in {f["id"] for f in fixed["findings"]}
    again = doctor.run(SimpleNamespace(params=_params(root, fix=True), check_mode=False, _diff=False))
    assert again["changed"] is False
