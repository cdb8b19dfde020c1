"""Plan, verify and apply the Secure Domain change across a deployment's files, all or nothing.

:func:`build_plan` reads every file, computes its new text with the recipe, and verifies it with an
independent reader of the format: the new meaning must be exactly the recipe's intent and every other
setting unchanged. Only a plan whose every file verified exists, so one bad file means nothing is
written. :func:`apply_plan` then, under a lock, stages every new text in synced files, renames them
into place in plan order, and puts the ones already renamed back if a later one fails (see
``docs/safety.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from jitsi_secure import policy as access
from jitsi_secure._core.document import Document
from jitsi_secure._core.write import read_text
from jitsi_secure._root import Root
from jitsi_secure.deployment import Deployment, read_deployment
from jitsi_secure.errors import JitsiSecureError, VerificationError, WriteError
from jitsi_secure.formats import lua
from jitsi_secure.secure_domain import _engine as engine
from jitsi_secure.secure_domain import _programs, secret_file
from jitsi_secure.secure_domain import prosody as prosody_recipe
from jitsi_secure.secure_domain._apply import ApplyError, apply_plan, deployment_lock
from jitsi_secure.secure_domain._intent import (
    Finding,
    Intent,
    SettingPath,
    StrayChange,
    flatten,
    unintended_changes,
    unmet,
)
from jitsi_secure.secure_domain._masking import masked_error, spellings
from jitsi_secure.secure_domain._model import FileChange, Plan
from jitsi_secure.secure_domain._policy_check import secret_file_problem, verify_policy
from jitsi_secure.secure_domain._programs import Program
from jitsi_secure.secure_domain.layout import DockerLayout, Layout
from jitsi_secure.secure_domain.spec import SecureDomain

__all__ = ["ApplyError", "FileChange", "Plan", "apply_plan", "build_plan", "deployment_lock", "plan_of_changes"]


def build_plan(
    layout: Layout | DockerLayout, spec: SecureDomain, *, revert: bool = False, audit_only: bool = False
) -> Plan:
    """Read, change and verify every file of ``layout``; raise before anything could be written.

    ``audit_only=True`` reads and audits the files without computing their new texts (what ``check``
    needs: the findings say whether changes are needed, since each edit makes exactly its intent
    true); such a plan has no changes to show and :func:`apply_plan` refuses it.

    Raises :class:`~jitsi_secure.errors.ParseError` for a file that does not parse,
    :class:`~jitsi_secure.errors.EditError` for a change that cannot be made, and
    :class:`~jitsi_secure.errors.VerificationError` when a reader does not see exactly the intended change.
    """
    if isinstance(layout, Layout) and spec.jigasi is not None and layout.jigasi is None and not revert:
        raise WriteError("a Jigasi account was given but no Jigasi config was found; give --jigasi-config")
    try:
        deployment = read_deployment(layout, prosody_version=spec.prosody_version)
        now = access.compute(deployment)
        planned = tuple(
            _plan_file(program, path, layout, spec, revert=revert, audit_only=audit_only)
            for program, path in _programs.files(layout, deployment, now, spec, revert=revert)
        )
        planned = _with_secret_files(layout, deployment, spec, planned, revert=revert, audit_only=audit_only)
        if not audit_only:
            verify_policy(layout, spec, planned, revert=revert)
    except JitsiSecureError as error:
        # A file may already hold a given secret on the line an error quotes (a re-run after a
        # half-done manual edit), or another secret: the message is masked like every other output.
        raise masked_error(error, spellings(set(spec.secrets))) from None
    known = {secret for f in planned for secret in f.secrets} | set(spec.secrets)
    return Plan(
        layout,
        spec,
        revert,
        planned,
        spellings(known),
        audit_only=audit_only,
        policy=now,
        policy_differences=tuple(access.differences(now, spec, revert=revert)),
        notes=deployment.notes,
        deployment_warnings=_order_warnings(deployment, spec),
    )


def _order_warnings(deployment: Deployment, spec: SecureDomain) -> tuple[str, ...]:
    """The main and guest hosts defined in more than one loaded file (``doctor``'s ``duplicate-host``)."""
    if deployment.prosody is None:
        return ()
    hosts = [deployment.prosody.host(name) for name in (spec.domain, spec.guest_domain) if name]
    warnings = [host.order_warning for host in hosts if host is not None]
    return tuple(f"{warning} (doctor: duplicate-host)" for warning in warnings if warning)


def plan_of_changes(
    layout: Layout | DockerLayout,
    spec: SecureDomain,
    files: Sequence[FileChange],
    *,
    secrets: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> Plan:
    """A plan of arbitrary per-file edits another tool computed and verified (``jitsi-secure doctor --fix``).

    :func:`apply_plan` writes it like any plan: under the lock, each file checked against its
    ``before`` text, all or nothing. ``secrets`` are masked in its diffs in every spelling a file may
    hold them.
    """
    return Plan(layout, spec, False, tuple(files), spellings(set(secrets)), notes=tuple(notes))


def _with_secret_files(
    layout: Layout | DockerLayout,
    deployment: Deployment,
    spec: SecureDomain,
    files: tuple[FileChange, ...],
    *,
    revert: bool,
    audit_only: bool,
) -> tuple[FileChange, ...]:
    """``files`` with the app secret files around the main host file: the one to write before any other
    file (a host file never reads a file not there yet), the ones to delete after every other (none is
    deleted while a host file still reads it). An audit gets findings instead."""
    wants_file = spec.jwt is not None and spec.jwt.secret_file is not None and not revert
    if isinstance(layout, DockerLayout):
        if wants_file:
            raise WriteError("--secret-source file is for Prosody's host file; a docker .env holds JWT_APP_SECRET")
        return files
    main = next(f for f in files if f.role == "prosody" and f.path == layout.prosody)
    before = lua.parse(main.before, source=main.display)
    if audit_only:
        finding = _secret_file_finding(deployment, spec, before) if wants_file else None
        if finding is None:
            return files
        return tuple(replace(f, findings=(*f.findings, finding)) if f is main else f for f in files)
    after = lua.parse(main.after, source=main.display)
    root = Root(layout.root)
    written: list[FileChange] = []
    removed: list[FileChange] = []
    for change in secret_file.changes(root, spec, before, after, revert=revert):
        secrets = tuple(text for text in (change.before, change.after) if text)
        planned = FileChange(
            secret_file.ROLE,
            change.path,
            change.display,
            "utf-8",
            change.before or "",
            change.after or "",
            warnings=change.warnings,
            secrets=secrets,
            exists=change.before is not None,
            removed=change.after is None and change.before is not None,
            mode=change.mode,
        )
        (removed if change.after is None else written).append(planned)
    return (*written, *files, *removed)


def _secret_file_finding(deployment: Deployment, spec: SecureDomain, main: lua.LuaDocument) -> Finding | None:
    """What differs from "the main host reads the given secret from the spec's file", if anything."""
    assert spec.jwt is not None and spec.jwt.secret_file is not None and spec.jwt.app_secret is not None
    wanted = spec.jwt.secret_file
    setting = f'app_secret of "{spec.domain}"'
    read = secret_file.read_by(main, spec.domain)
    if read != wanted:
        current = f"read from {read}" if read else "not read from a file"
        return Finding(main.source, setting, current, f"read from {wanted}")
    problem = secret_file_problem(deployment, spec)
    return Finding(main.source, setting, problem, "the given secret") if problem else None


def _plan_file(
    program: Program[Any],
    path: Path,
    layout: Layout | DockerLayout,
    spec: SecureDomain,
    *,
    revert: bool,
    audit_only: bool,
) -> FileChange:
    source = layout.display(path)
    text = read_text(path, encoding=program.encoding)
    document = program.parse(text, source=source)
    before = flatten(dict(program.audit_read(document)) if audit_only else program.read(document, text, source))
    declaration = program.declare(document, spec, revert=revert)
    intent = engine.intent(document, declaration)
    findings = unmet(intent, before, program.describe, source)
    new_document = document if audit_only else engine.edit(document, declaration)
    new_text = new_document.render()
    after = before if new_text == text else flatten(program.read(new_document, new_text, source))
    _verify_change(program, document, intent, before, after, audit_only=audit_only)
    # The values at secret paths before and after (an old password a revert deletes, say) are masked too.
    secrets = tuple(
        value
        for path in intent.secret
        for value in (before.get(path), after.get(path))
        if isinstance(value, str) and value and value != prosody_recipe.FILE_READ
    )
    return FileChange(
        program.role,
        path,
        source,
        program.encoding,
        text,
        new_text,
        tuple(findings),
        tuple(program.warnings(new_document, spec, file=source)),
        secrets,
    )


def _verify_change(
    program: Program[Any],
    document: Document,
    intent: Intent,
    before: dict[SettingPath, Any],
    after: dict[SettingPath, Any],
    *,
    audit_only: bool,
) -> None:
    if audit_only:
        return
    source = document.source
    missed = unmet(intent, after, program.describe, source)
    if missed:
        raise VerificationError(
            f"{source}: the independent reader does not read the edited text as intended "
            "(nothing was written): " + "; ".join(f"{m.setting} is {m.current}, should be {m.wanted}" for m in missed)
        )
    stray = unintended_changes(before, after, intent)
    if stray:
        raise VerificationError(_stray_message(stray, document))


def _stray_message(stray: Sequence[StrayChange], before: Document) -> str:
    """Which settings the edit would also change, on which line and how (never their values), and what to do."""
    where = []
    for change in stray:
        # A setting the edit would add has no line in the file on disk.
        line = None if change.how == "added" else _line_of(before, change.path)
        where.append(f"{change.name} ({change.how}{f' on line {line}' if line is not None else ''})")
    return (
        f"{before.source}: the edit would also change {', '.join(where)}, which the recipe must leave alone "
        "(the independent reader reads the edited text differently there); nothing was written. "
        "This is a fault of jitsi-secure's editor for this file: please report it with the file (its "
        "secrets removed) and make the change by hand meanwhile"
    )


def _line_of(document: Document, path: SettingPath) -> int | None:
    """The line that sets ``path`` in ``document``, if the document can name one for a reader's path."""
    try:
        return document.line_of(path)
    except JitsiSecureError:  # a path of the reader's own bookkeeping, no path of the document's
        return None
