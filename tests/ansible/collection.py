"""Where the collection is, and its modules loaded the way Ansible runs them (for tests that call them)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
#: The folder holding ``ansible_collections``, as ``ANSIBLE_COLLECTIONS_PATH`` names it.
COLLECTIONS = REPO / "ansible"
MODULES = COLLECTIONS / "ansible_collections/jitsi/secure/plugins/modules"


def load_module(name: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The module ``plugins/modules/<name>.py``, its ``module_utils`` imported as Ansible names them
    (``ansible_collections.jitsi.secure.plugins.module_utils.<name>``)."""
    # No __pycache__ inside the collection: ansible-galaxy would package it.
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    monkeypatch.syspath_prepend(str(COLLECTIONS))
    spec = importlib.util.spec_from_file_location(f"_ansible_{name}", MODULES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
