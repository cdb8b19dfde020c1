"""``--fix``: one verified plan from the fixable findings, written like ``apply``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from jitsi_secure.doctor._finding import Edit, Finding
from jitsi_secure.errors import VerificationError
from jitsi_secure.secure_domain.layout import Layout
from jitsi_secure.secure_domain.plan import FileChange, Plan, plan_of_changes

__all__ = ["fixes"]

_ENCODINGS = {"jicofo-legacy": "iso-8859-1"}


def fixes(findings: Sequence[Finding]) -> Plan:
    """One plan that repairs every fixable finding, verified before anything could be written.

    Each file is read once and changed by every edit for it, in the findings' order, through its
    format's document API (which checks its own edit). Then the deployment is read again over the
    planned texts, as its programs will read it, and diagnosed: every fixed finding must be gone and
    no new warning or error may appear, else :class:`~jitsi_secure.errors.VerificationError` and
    nothing is written. Findings that cannot be fixed are left out (``doctor`` still lists them).

    Raises :class:`ValueError` when no finding is fixable (there is nothing to build a plan for).
    """
    from jitsi_secure.secure_domain.spec import SecureDomain

    fixable = [f for f in findings if f.fixable and f.edits]
    if not fixable:
        raise ValueError("none of the findings can be fixed by --fix")
    first = fixable[0].edits[0]
    layout = first.layout
    if not isinstance(layout, Layout):
        raise ValueError("--fix edits Debian layouts only")
    edits = [e for f in fixable for e in f.edits]
    texts, changes = _apply_edits([e for e in edits if e.link_target is None])
    links = {e.path: e.link_target for e in edits if e.link_target is not None}
    changes += [
        FileChange(e.role, e.path, e.display, "utf-8", "", "", exists=False, link_target=e.link_target)
        for e in edits
        if e.link_target is not None
    ]
    _verify(findings, fixable, layout, first.prosody_version, texts=texts, links=links)
    spec = SecureDomain(domain=layout.domain, guests=False)
    return plan_of_changes(layout, spec, changes)


def _apply_edits(edits: list[Edit]) -> tuple[dict[Path, str], list[FileChange]]:
    from jitsi_secure._core.write import read_text

    order: dict[Path, tuple[Edit, str, str]] = {}
    for edit in edits:
        encoding = _ENCODINGS.get(edit.role, "utf-8")
        if edit.path not in order:
            text = read_text(edit.path, encoding=encoding)
            order[edit.path] = (edit, text, text)
        first, before, after = order[edit.path]
        order[edit.path] = (first, before, edit.change(after))
    changes = [
        FileChange(e.role, path, e.display, _ENCODINGS.get(e.role, "utf-8"), before, after)
        for path, (e, before, after) in order.items()
    ]
    return {c.path: c.after for c in changes if c.changed}, changes


def _verify(
    findings: Sequence[Finding],
    fixed: list[Finding],
    layout: Layout,
    version: tuple[int, int],
    *,
    texts: dict[Path, str],
    links: dict[Path, str],
) -> None:
    from jitsi_secure.deployment import read_deployment
    from jitsi_secure.doctor._diagnose import diagnose_with_texts

    after = diagnose_with_texts(read_deployment(layout, prosody_version=version, texts=texts, links=links), texts)
    before_ids = Counter(f.id for f in findings)
    left = Counter(f.id for f in findings if not (f.fixable and f.edits))
    now = Counter(f.id for f in after if f.at_least_warning or f.id in before_ids)
    still = sorted(i for i in {f.id for f in fixed} if now[i] > left[i])
    new = sorted(i for i in now if i not in before_ids and any(f.id == i and f.at_least_warning for f in after))
    if still or new:
        parts = [f"still found after the fix: {', '.join(still)}"] if still else []
        parts += [f"the fix would cause: {', '.join(new)}"] if new else []
        raise VerificationError("the planned fixes do not verify (nothing was written): " + "; ".join(parts))
