"""A finding, and the edit that repairs it when ``--fix`` can."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jitsi_secure.deployment import Origin
from jitsi_secure.doctor.rules import Severity, rule

if TYPE_CHECKING:
    from jitsi_secure.secure_domain.layout import DockerLayout, Layout

__all__ = ["Edit", "Finding", "make"]


@dataclass(frozen=True)
class Edit:
    """A change of one file's text that repairs a finding.

    ``change`` takes the file's text (perhaps already changed by another fix) and gives the new one;
    it edits through the format's document API, which checks its own edit. An edit with a
    ``link_target`` creates ``path`` as a symbolic link leading there instead (``change`` is unused).
    """

    path: Path
    display: str
    role: str
    change: Callable[[str], str]
    layout: Layout | DockerLayout
    prosody_version: tuple[int, int]
    link_target: str | None = None


@dataclass(frozen=True)
class Finding:
    """One problem ``doctor`` found.

    Attributes:
        id: the rule's stable id (see :data:`~jitsi_secure.doctor.rules.RULES`).
        severity: ``error``, ``warning`` or ``info``.
        message: what is wrong here, in words (never a secret's value).
        file: the file as the deployment sees it (``/etc/...``), ``None`` when no file is to blame.
        line, column: 1-based, 0 when not known.
        reference: the upstream issue, pull request or commit.
        fixable: whether :func:`~jitsi_secure.doctor.fixes` repairs this one.
    """

    id: str
    severity: Severity
    message: str
    file: str | None = None
    line: int = 0
    column: int = 0
    reference: str = ""
    fixable: bool = False
    edits: tuple[Edit, ...] = field(default=(), compare=False, repr=False)

    @property
    def at_least_warning(self) -> bool:
        """Whether the finding is a warning or an error (what makes ``doctor`` exit 1)."""
        return self.severity != "info"

    @property
    def where(self) -> str:
        """``file:line:column`` as far as known ("" without a file)."""
        if self.file is None:
            return ""
        return self.file + "".join(f":{n}" for n in (self.line, self.column) if n) if self.line else self.file

    def to_json(self) -> dict[str, Any]:
        """The finding as plain JSON values."""
        return {
            "id": self.id,
            "severity": self.severity,
            "message": self.message,
            "file": self.file,
            "line": self.line or None,
            "column": self.column or None,
            "reference": self.reference,
            "fixable": self.fixable,
        }


def make(
    rule_id: str,
    message: str,
    origin: Origin | None = None,
    *,
    severity: Severity | None = None,
    column: int = 0,
    edits: tuple[Edit, ...] = (),
) -> Finding:
    """A finding of rule ``rule_id`` at ``origin``; fixable when the rule is and ``edits`` repair it."""
    described = rule(rule_id)
    return Finding(
        id=rule_id,
        severity=severity or described.severity,
        message=message,
        file=origin.file if origin else None,
        line=origin.line if origin else 0,
        column=column,
        reference=described.reference,
        fixable=described.fixable and bool(edits),
        edits=edits,
    )
