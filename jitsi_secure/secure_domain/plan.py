"""Plan, verify and apply the Secure Domain change across a deployment's files, all or nothing.

:func:`build_plan` reads every file, computes its new text with the recipe, and verifies it with an
independent reader of the format: the new meaning must be exactly the recipe's intent and every other
setting unchanged. Only a plan whose every file verified exists, so one bad file means nothing is
written. :func:`apply_plan` then, under a lock, stages every new text in synced files, renames them
into place in plan order, and puts the ones already renamed back if a later one fails (see
``docs/safety.md``).
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from jitsi_secure import _verify
from jitsi_secure import policy as access
from jitsi_secure._core.lock import DEFAULT_TIMEOUT, locked
from jitsi_secure._core.write import (
    WriteBatch,
    WriteResult,
    create_text,
    leftovers,
    read_text,
    remove_leftovers,
    write_text,
)
from jitsi_secure._root import Root
from jitsi_secure.deployment import Deployment, read_deployment
from jitsi_secure.errors import JitsiSecureError, ParseError, VerificationError, WriteError
from jitsi_secure.formats import dotenv, hocon, js, lua, properties
from jitsi_secure.secure_domain import docker, jicofo, jigasi, meet, secret_file
from jitsi_secure.secure_domain import prosody as prosody_recipe
from jitsi_secure.secure_domain._intent import Finding, Intent, SettingPath, flatten, unintended_changes, unmet
from jitsi_secure.secure_domain.layout import DockerLayout, Layout
from jitsi_secure.secure_domain.spec import SecureDomain

__all__ = ["ApplyError", "FileChange", "Plan", "apply_plan", "build_plan", "deployment_lock", "plan_of_changes"]

MASK = "********"
#: What the handbook restarts after the change; Jigasi only when its file changed.
CORE_SERVICES = ("prosody", "jicofo", "jitsi-videobridge2")
#: The docker-jitsi-meet containers that read the authentication variables from ``.env``.
DOCKER_SERVICES = ("web", "prosody", "jicofo")


class _Document(Protocol):
    def render(self) -> str: ...


@dataclass(frozen=True)
class _Program:
    """How one kind of file is read, changed and checked; the plan treats all alike."""

    role: str
    title: str
    encoding: str
    parse: Callable[..., Any]
    #: The independent reader: given the document, its text and source name, the meaning as a dict.
    read: Callable[[Any, str, str], dict[str, Any]]
    intent: Callable[..., Intent]
    apply: Callable[[Any, SecureDomain], Any]
    revert: Callable[[Any, SecureDomain], Any]
    describe: Callable[[SettingPath], str]
    warnings: Callable[..., list[str]] = lambda document, spec, file: []
    #: What an audit (``check``) reads: the document's own meaning, which is all the intent's settings
    #: need; the independent reader is for verifying an edit, and importing it costs ``check`` time.
    audit_read: Callable[[Any], Mapping[str, Any]] = lambda document: document.to_dict()


def _by_text(reader: Callable[[str, str], dict[str, Any]]) -> Callable[[Any, str, str], dict[str, Any]]:
    """A reader that parses the text itself (pyhocon, jproperties, python-dotenv)."""
    return lambda document, text, source: reader(text, source)


def _by_document(reader: Callable[[Any], dict[str, Any]]) -> Callable[[Any, str, str], dict[str, Any]]:
    """A reader of the document already parsed (lupa runs its text; an edited config.js is read again by
    esprima, an unedited one is taken as the document reads it)."""
    return lambda document, text, source: reader(document)


_PROGRAMS = {
    "prosody": _Program(
        "prosody", "Prosody host file", "utf-8", lua.parse, _by_document(_verify.read_lua),
        prosody_recipe.intent, prosody_recipe.apply, prosody_recipe.revert, prosody_recipe.describe,
        prosody_recipe.warnings,
        # Host names after nameprep and the loader's bookkeeping, as the intent names them.
        _verify.read_lua,
    ),
    "meet": _Program(
        "meet", "jitsi-meet config.js", "utf-8", js.parse, _by_document(_verify.read_js),
        meet.intent, meet.apply, meet.revert, meet.describe,
    ),
    "jicofo": _Program(
        "jicofo", "jicofo.conf", "utf-8", hocon.parse, _by_text(_verify.read_hocon),
        jicofo.intent, jicofo.apply, jicofo.revert, jicofo.describe,
    ),
    "jicofo-legacy": _Program(
        "jicofo-legacy", "Jicofo legacy sip-communicator.properties", properties.ENCODING, properties.parse,
        _by_text(_verify.read_properties), jicofo.intent_legacy, jicofo.apply_legacy, jicofo.revert_legacy,
        jicofo.describe, jicofo.legacy_warnings,
    ),
    "jigasi": _Program(
        "jigasi", "Jigasi sip-communicator.properties", properties.ENCODING, properties.parse,
        _by_text(_verify.read_properties), jigasi.intent, jigasi.apply, jigasi.revert, jigasi.describe,
    ),
    "docker-env": _Program(
        "docker-env", "docker-jitsi-meet .env", "utf-8", dotenv.parse, _by_text(_verify.read_dotenv),
        docker.intent, docker.apply, docker.revert, docker.describe, docker.warnings,
    ),
}  # fmt: skip


@dataclass(frozen=True)
class FileChange:
    """One file of the plan: its text before and after, and what the audit found in it.

    Attributes:
        role: which program reads the file (``prosody``, ``meet``, ``jicofo``, ``jicofo-legacy``, ``jigasi``).
        path: the file on disk (under the layout's root).
        display: the path as the deployment sees it, for messages.
        before, after: the file's text now and as planned (identical when nothing changes).
        findings: the settings that were not as the spec wants before the change.
        warnings: things worth knowing that the change does not fix.
        exists: whether the file exists as planned (``False``: ``before`` is ``""`` and the file is
            created; one that appears meanwhile stops :func:`apply_plan`).
        removed: the change deletes the file (``after`` is ``""``).
        mode: the permission bits and owner a created file gets, or a deleted one had.
    """

    role: str
    path: Path
    display: str
    encoding: str
    before: str
    after: str
    findings: tuple[Finding, ...] = ()
    warnings: tuple[str, ...] = ()
    secrets: tuple[str, ...] = field(default=(), repr=False)
    exists: bool = True
    removed: bool = False
    mode: secret_file.FileMode | None = None

    @property
    def changed(self) -> bool:
        """Whether the planned text differs from the file's (or the file goes, or comes)."""
        return self.before != self.after or self.removed or not self.exists


@dataclass(frozen=True)
class Plan:
    """Every file's verified new text; nothing is written until :func:`apply_plan`."""

    layout: Layout | DockerLayout
    spec: SecureDomain
    revert: bool
    files: tuple[FileChange, ...]
    secrets: tuple[str, ...] = field(default=(), repr=False)
    #: Built with ``build_plan(audit_only=True)``: findings only, no new texts, not applicable.
    audit_only: bool = False
    #: The access policy the servers enforce now, read over every file they load.
    policy: access.AccessPolicy | None = None
    #: How that policy differs from the one the spec asks for (each with the place that decides it).
    policy_differences: tuple[access.Difference, ...] = ()
    #: How the deployment was read (a tree without Prosody's main config, an unknown version...).
    notes: tuple[str, ...] = ()

    @property
    def changes(self) -> tuple[FileChange, ...]:
        """The files whose text changes."""
        return tuple(f for f in self.files if f.changed)

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every setting not yet as the spec wants, over all files."""
        return tuple(finding for f in self.files for finding in f.findings)

    @property
    def warnings(self) -> tuple[str, ...]:
        """Every warning, over all files."""
        return tuple(w for f in self.files for w in f.warnings)

    @property
    def services(self) -> tuple[str, ...]:
        """The services (docker: containers) to restart once the plan is applied; none when nothing changes."""
        if not self.changes:
            return ()
        if isinstance(self.layout, DockerLayout):
            return DOCKER_SERVICES
        return CORE_SERVICES + (("jigasi",) if any(f.role == "jigasi" for f in self.changes) else ())

    @property
    def restart_command(self) -> str:
        """The command that makes the services read the new files ("" when nothing changes)."""
        if not self.changes:
            return ""
        if isinstance(self.layout, DockerLayout):
            # Compose recreates exactly the containers whose environment changed.
            return "docker compose up -d"
        return "systemctl restart " + " ".join(self.services)

    def diff(self, change: FileChange) -> str:
        """A unified diff of one file's change, with every secret masked (a secret file's content is
        never shown, only that it comes, changes or goes)."""
        if change.role == secret_file.ROLE:
            return _secret_file_diff(change)
        lines = difflib.unified_diff(
            change.before.splitlines(keepends=True),
            change.after.splitlines(keepends=True),
            fromfile=f"a{change.display}",
            tofile=f"b{change.display}",
        )
        text = "".join(
            _mask_secret_looking(line) if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
            for line in lines
        )
        return self.mask(text)

    def mask(self, text: str) -> str:
        """``text`` with every secret of the spec (in every spelling written to a file) masked."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text


def _secret_file_diff(change: FileChange) -> str:
    old = "/dev/null" if not change.exists else f"a{change.display}"
    new = "/dev/null" if change.removed else f"b{change.display}"
    lines = [f"--- {old}\n", f"+++ {new}\n"]
    if change.mode is not None and not change.exists:
        lines.append(f"new file mode {change.mode.mode:04o}, owner {change.mode.uid}:{change.mode.gid}\n")
    lines.append(f"@@ -{int(change.exists)} +{int(not change.removed)} @@\n")
    lines += ([f"-{MASK}\n"] if change.exists else []) + ([] if change.removed else [f"+{MASK}\n"])
    return "".join(lines)


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
        files = tuple(
            _plan_file(program, path, layout, spec, revert=revert, audit_only=audit_only)
            for program, path in _files(layout, deployment, now, spec, revert=revert)
        )
        files = _with_secret_files(layout, deployment, spec, files, revert=revert, audit_only=audit_only)
        if not audit_only:
            _verify_policy(layout, spec, files, revert=revert)
    except JitsiSecureError as error:
        # A file may already hold a given secret on the line an error quotes (a re-run after a
        # half-done manual edit), or another secret: the message is masked like every other output.
        raise _masked_error(error, _spellings(set(spec.secrets))) from None
    known = {secret for f in files for secret in f.secrets} | set(spec.secrets)
    return Plan(
        layout,
        spec,
        revert,
        files,
        _spellings(known),
        audit_only=audit_only,
        policy=now,
        policy_differences=tuple(access.differences(now, spec, revert=revert)),
        notes=deployment.notes,
    )


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
    return Plan(layout, spec, False, tuple(files), _spellings(set(secrets)), notes=tuple(notes))


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
    problem = _secret_file_problem(deployment, spec)
    return Finding(main.source, setting, problem, "the given secret") if problem else None


def _secret_file_problem(deployment: Deployment, spec: SecureDomain) -> str | None:
    """How the app secret Prosody reads (through ``FileContents``) differs from the given one, if it does."""
    if spec.jwt is None or spec.jwt.secret_file is None or spec.jwt.app_secret is None:
        return None
    assert deployment.prosody is not None
    setting = deployment.prosody.get(spec.domain, "app_secret")
    if setting is None or not setting.value:
        return "not set"
    return None if setting.value == spec.jwt.app_secret.reveal() else "a different secret"


def _verify_policy(
    layout: Layout | DockerLayout, spec: SecureDomain, files: tuple[FileChange, ...], *, revert: bool
) -> None:
    """Read the planned texts as the servers will, over every file they load: the policy must be the
    one asked for, and an app secret kept in a file must read as the given one."""
    planned = {f.path: f.after for f in files if f.changed and not f.removed}
    after = read_deployment(layout, prosody_version=spec.prosody_version, texts=planned)
    problem = None if revert else _secret_file_problem(after, spec)
    if problem is not None:
        raise VerificationError(
            f"Prosody would read the app secret through FileContents as {problem} (nothing was written)"
        )
    missed = access.differences(access.compute(after), spec, revert=revert)
    if missed:
        raise VerificationError(
            "the planned files would not give the access policy asked for (nothing was written): "
            + "; ".join(str(m) for m in missed)
        )


def apply_plan(
    plan: Plan, *, backup_suffix: str | None = None, lock_timeout: float = DEFAULT_TIMEOUT
) -> list[WriteResult]:
    """Write the plan's changed files, all or nothing as far as a file system allows.

    1. **Lock.** Take the deployment lock (:func:`deployment_lock`): ``.jitsi-secure.lock`` in the
       folder of the plan's first file. A second run waits up to ``lock_timeout`` seconds, then fails
       with :class:`~jitsi_secure._core.lock.LockError`; nothing is written. (The command line takes
       the lock before it reads the deployment, so a run that waited plans on what the last one
       wrote; take it around :func:`build_plan` too for the same effect.)
    2. **Tidy.** Temporary files that an interrupted run left beside the plan's files are removed.
    3. **Check.** Under the lock, every file to change must still hold exactly the text it was planned
       from; one that differs (someone edited it, or another run applied first) stops everything
       before any write, with a :class:`~jitsi_secure.errors.WriteError` saying to plan again.
    4. **Stage** every new text, and with ``backup_suffix`` every backup, in a synced file that does
       not replace anything yet (:class:`~jitsi_secure._core.write.WriteBatch`). A failure here
       writes nothing.
    5. **Rename** them into place in plan order (Prosody host file, config.js, jicofo.conf, Jicofo's
       legacy properties, Jigasi's properties; docker: the one ``.env``), back to back, then fsync
       the folders.
    6. **Roll back.** If renaming file *k* fails (or the run is interrupted), files 1..k-1 are written
       back from their planned ``before`` text with the safe writer, and :class:`ApplyError` says
       which files are old and which (if a restore failed too) are still new. File *k* itself is old.

    Returns one :class:`~jitsi_secure._core.write.WriteResult` per changed file, in write order.
    """
    if plan.audit_only:
        raise VerificationError("this plan is an audit (audit_only=True) without new texts; it cannot be applied")
    changes = plan.changes
    paths = [f.path for f in plan.files]
    if not changes and not leftovers(paths):
        return []
    with deployment_lock(plan.layout, timeout=lock_timeout):
        remove_leftovers(leftovers(paths))
        for change in changes:
            if not change.exists:
                if os.path.lexists(change.path):
                    raise WriteError(f"{change.display} appeared since it was planned; nothing was written, plan again")
            elif not os.path.lexists(change.path) or read_text(change.path, encoding=change.encoding) != change.before:
                raise WriteError(
                    f"{change.display} changed on disk since it was planned; nothing was written, plan again"
                )
        with WriteBatch() as batch:
            try:
                for change in changes:
                    _stage(batch, change, backup_suffix)
                return batch.commit()
            except BaseException as exc:
                if len(batch.committed) == len(changes):
                    raise  # interrupted after the last rename: everything is new
                # Staging failed at file len(batch) (nothing renamed), or a rename after len(committed).
                failed = changes[len(batch) if len(batch) < len(changes) else len(batch.committed)]
                done = changes[: len(batch.committed)]
                batch.discard()
                error = _roll_back(plan, done, failed, exc)
                if isinstance(exc, WriteError):
                    raise error from None
                raise


def _stage(batch: WriteBatch, change: FileChange, backup_suffix: str | None) -> None:
    """One change into the batch: a deletion, or a text (a secret file never gets a backup: it would be
    a copy of the secret the change is there to remove or replace)."""
    if change.removed:
        batch.remove(change.path)
        return
    secret = change.role == secret_file.ROLE
    new = change.mode if not change.exists else None
    batch.stage(
        change.path,
        change.after,
        encoding=change.encoding,
        backup_suffix=None if secret else backup_suffix,
        mode=new.mode if new else None,
        owner=(new.uid, new.gid) if new else None,
    )


@contextlib.contextmanager
def deployment_lock(layout: Layout | DockerLayout, *, timeout: float = DEFAULT_TIMEOUT) -> Iterator[Path]:
    """Hold the lock that :func:`apply_plan` takes, for the ``with`` block; yields the lock file's path.

    Taken around :func:`build_plan` and :func:`apply_plan`, it makes a run that had to wait read the
    files only after the previous run wrote them, so it plans on their new text instead of failing
    with "changed on disk". :func:`apply_plan` inside the block does not wait for it again.
    """
    first = layout.env_file if isinstance(layout, DockerLayout) else layout.prosody  # the plan's first file
    with locked(Path(os.path.realpath(first)).parent, timeout=timeout) as path:
        yield path


class ApplyError(WriteError):
    """A multi-file apply that failed part-way; every file was put back where possible.

    Attributes:
        failed: the file (as the deployment sees it) whose write failed; it is unchanged.
        restored: files that had been written and were put back to their old text.
        still_new: files that had been written and could not be put back (they hold the new text).
        untouched: files not reached; they are unchanged.
    """

    def __init__(
        self,
        message: str,
        *,
        failed: str,
        restored: tuple[str, ...],
        still_new: tuple[str, ...],
        untouched: tuple[str, ...],
    ) -> None:
        super().__init__(message)
        self.failed = failed
        self.restored = restored
        self.still_new = still_new
        self.untouched = untouched


def _roll_back(plan: Plan, done: tuple[FileChange, ...], failed: FileChange, cause: BaseException) -> ApplyError:
    """Write the files in ``done`` back to their planned ``before`` text, newest first; say what is where."""
    restored: list[str] = []
    still_new: list[str] = []
    for change in reversed(done):
        try:
            _put_back(change)
        except WriteError as exc:
            still_new.append(f"{change.display} ({exc})")
        else:
            restored.append(change.display)
    restored.reverse()
    still_new.reverse()
    untouched = tuple(c.display for c in plan.changes if c is not failed and all(c is not d for d in done))
    reason = str(cause) if isinstance(cause, WriteError) else type(cause).__name__
    parts = [f"{plan.mask(reason)}; {failed.display} is unchanged"]
    if restored:
        parts.append(f"put back to the old text: {', '.join(restored)}")
    if still_new:
        parts.append(f"STILL NEW, could not be put back: {', '.join(still_new)}")
    if untouched:
        parts.append(f"not written: {', '.join(untouched)}")
    state = "every file is as it was" if not still_new else "the deployment is half-changed: fix the files named"
    message = plan.mask("; ".join(parts) + f" ({state})")
    return ApplyError(
        message, failed=failed.display, restored=tuple(restored), still_new=tuple(still_new), untouched=untouched
    )


def _put_back(change: FileChange) -> None:
    """The file as it was before ``change``: its old text, gone again if it was created, back if deleted."""
    if not change.exists:
        try:
            os.unlink(change.path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise WriteError(f"{change.display}: cannot delete: {exc.strerror or exc}") from None
    elif change.removed and change.mode is not None:
        owner = (change.mode.uid, change.mode.gid)
        if not create_text(change.path, change.before, mode=change.mode.mode, owner=owner, encoding=change.encoding):
            raise WriteError(f"{change.display}: another file took its place")
    else:
        write_text(change.path, change.before, encoding=change.encoding)


def _masked_error(error: JitsiSecureError, spellings: tuple[str, ...]) -> JitsiSecureError:
    """``error`` with every spelling of a secret masked in its message (the same error when none occurs)."""

    def mask(text: str) -> str:
        for secret in sorted(spellings, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text

    if isinstance(error, ParseError):
        # The quoted line may also hold a secret nobody gave (a broken ``JWT_APP_SECRET='...`` line):
        # masked by its key's name, as in diffs.
        excerpt = _mask_secret_looking(" " + mask(error.excerpt))[1:]
        if excerpt == error.excerpt and mask(error.message) == error.message:
            return error
        head = error.excerpt[: error.column - 1]
        column = len(mask(head)) + 1 if mask(head) != head else error.column
        return ParseError(
            mask(error.message),
            source=error.source,
            line=error.line,
            column=min(column, len(excerpt) + 1),
            excerpt=excerpt,
        )
    if not any(secret in str(error) for secret in spellings):
        return error
    try:
        return type(error)(mask(str(error)))
    except TypeError:  # an error class with another constructor: keep the kind, lose nothing secret
        return JitsiSecureError(mask(str(error)))


def _files(
    layout: Layout | DockerLayout,
    deployment: Deployment,
    now: access.AccessPolicy,
    spec: SecureDomain,
    *,
    revert: bool,
) -> Iterator[tuple[_Program, Path]]:
    """Every file to plan, with its program; Prosody's files each told which hosts they hold."""
    if isinstance(layout, DockerLayout):
        yield _PROGRAMS["docker-env"], layout.env_file
        return
    yield from _prosody_files(layout, deployment, now, spec, revert=revert)
    for role, path in (
        ("meet", layout.meet),
        ("jicofo", layout.jicofo),
        ("jicofo-legacy", layout.jicofo_legacy),
        ("jigasi", layout.jigasi),
    ):
        if path is None:
            continue
        program = _PROGRAMS[role]
        if role == "jicofo-legacy" and layout.jicofo is None:
            # An older Jicofo with no jicofo.conf: the legacy file is where its authentication is set.
            program = replace(
                program,
                intent=functools.partial(jicofo.intent_legacy, authoritative=True),
                apply=functools.partial(jicofo.apply_legacy, authoritative=True),
            )
        yield program, path


def _prosody_files(
    layout: Layout, deployment: Deployment, now: access.AccessPolicy, spec: SecureDomain, *, revert: bool
) -> Iterator[tuple[_Program, Path]]:
    """The main host file, and every other loaded file that defines a host the change must touch.

    The guest host is edited where it is defined, never defined a second time; with ``--no-guests``
    every live host of the domain that lets anyone in goes, in whichever file defines it.
    """
    prosody = deployment.prosody
    assert prosody is not None
    root = Root(layout.root)
    guest = prosody.host(spec.guest_domain) if spec.guest_domain else None
    removals: dict[Path, list[str]] = {}
    if not spec.guests and not revert:
        for host in now.guests:
            for file in prosody.hosts[host.name].files:
                removals.setdefault(root.resolve(file), []).append(host.name)
    guest_files = {root.resolve(file) for file in guest.files} if guest is not None else set()
    module = _anonymous_module_of(deployment, spec)
    main_placement = prosody_recipe.Placement(
        main=True,
        guest_elsewhere=bool(guest_files - {layout.prosody}),
        removals=tuple(removals.get(layout.prosody, ())),
        anonymous_module=module,
    )
    yield _placed(main_placement, spec), layout.prosody
    others = [root.resolve(f) for f in prosody.files]
    for path in dict.fromkeys(p for p in others if p != layout.prosody):
        if path in guest_files or path in removals:
            placement = prosody_recipe.Placement(
                main=False, removals=tuple(removals.get(path, ())), anonymous_module=module
            )
            yield _placed(placement, spec), path


def _placed(placement: prosody_recipe.Placement, spec: SecureDomain) -> _Program:
    program = _PROGRAMS["prosody"]
    # With the spec's Prosody version's loader rules: 13's FileContents is no call of an unknown name.
    read = functools.partial(_verify.read_lua, prosody_version=spec.prosody_version)
    return replace(
        program,
        read=_by_document(read),
        audit_read=read,
        intent=functools.partial(prosody_recipe.intent, placement=placement),
        apply=functools.partial(prosody_recipe.apply, placement=placement),
        revert=functools.partial(prosody_recipe.revert, placement=placement),
        warnings=program.warnings if placement.main else (lambda document, spec, file: []),
    )


def _anonymous_module_of(deployment: Deployment, spec: SecureDomain) -> str | None:
    """The anonymous module the deployment uses on its main or guest host, wherever they are defined."""
    prosody = deployment.prosody
    assert prosody is not None
    for host in (spec.domain, spec.guest_domain):
        setting = prosody.get(host, "authentication") if host and prosody.host(host) else None
        if setting is not None and setting.value in prosody_recipe.ANONYMOUS_MODULES:
            return str(setting.value)
    return None


def _plan_file(
    program: _Program, path: Path, layout: Layout | DockerLayout, spec: SecureDomain, *, revert: bool, audit_only: bool
) -> FileChange:
    source = layout.display(path)
    text = read_text(path, encoding=program.encoding)
    document = program.parse(text, source=source)
    before = flatten(dict(program.audit_read(document)) if audit_only else program.read(document, text, source))
    intent = program.intent(document, spec, revert=revert)
    findings = unmet(intent, before, program.describe, source)
    new_document = document if audit_only else (program.revert if revert else program.apply)(document, spec)
    new_text: str = new_document.render()
    after = before if new_text == text else flatten(program.read(new_document, new_text, source))
    _verify_change(program, source, intent, before, after, audit_only=audit_only)
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
    program: _Program,
    source: str,
    intent: Intent,
    before: dict[SettingPath, Any],
    after: dict[SettingPath, Any],
    *,
    audit_only: bool,
) -> None:
    if audit_only:
        return
    missed = unmet(intent, after, program.describe, source)
    if missed:
        raise VerificationError(
            f"{source}: the independent reader does not read the edited text as intended "
            "(nothing was written): " + "; ".join(f"{m.setting} is {m.current}, should be {m.wanted}" for m in missed)
        )
    stray = unintended_changes(before, after, intent)
    if stray:
        raise VerificationError(f"{source}: the edit would also change {', '.join(stray)}; nothing was written")


_SECRET_LOOKING = re.compile(
    r"^(?P<head>[-+ ].*?[A-Za-z0-9_.-]*(?:pass|PASS|Pass|secret|SECRET|Secret)[A-Za-z0-9_.-]*[\"']?[ \t]*[:=][ \t]*)"
    r"(?P<value>\S.*?)(?P<tail>[\r\n]*)$"
)


def _mask_secret_looking(line: str) -> str:
    """A diff line whose key looks like a password or secret, with its value masked.

    Context lines can hold secrets the spec never named (Jicofo's focus password, an old Jigasi
    password on revert); the exact values are masked too, but a name-based rule also catches a value
    no reader could find (in a commented-out line, say).
    """
    match = _SECRET_LOOKING.match(line)
    if match is None or line.startswith(("+++", "---")):
        return line
    return match.group("head") + MASK + match.group("tail")


def _spellings(secrets: set[str]) -> tuple[str, ...]:
    """Each secret in every spelling a file may hold it: as given, and as each format may write it."""
    spellings = set()
    for secret in secrets:
        spellings.add(secret)
        for format_module in (dotenv, hocon, js, lua, properties):
            spellings |= format_module.secret_spellings(secret)
    return tuple(spellings)
