"""The plan as data: every file's text before and after, with what the audit found, and its diffs."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from jitsi_secure import policy as access
from jitsi_secure._core.write import WriteResult
from jitsi_secure.secure_domain import secret_file
from jitsi_secure.secure_domain._intent import Finding
from jitsi_secure.secure_domain._masking import MASK, mask_secret_looking, spellings
from jitsi_secure.secure_domain.layout import DockerLayout, Layout
from jitsi_secure.secure_domain.prosody import ROLE as PROSODY_ROLE
from jitsi_secure.secure_domain.spec import SecureDomain

__all__ = ["CORE_SERVICES", "DOCKER_SERVICES", "FileChange", "Plan"]

#: What the handbook restarts after the change; Jigasi only when its file changed.
CORE_SERVICES = ("prosody", "jicofo", "jitsi-videobridge2")
#: The docker-jitsi-meet containers that read the authentication variables from ``.env``.
DOCKER_SERVICES = ("web", "prosody", "jicofo")


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
        link_target: the change creates ``path`` as a symbolic link leading there (``exists`` is
            ``False``; ``before`` and ``after`` are ``""``), as Debian links ``conf.d`` to ``conf.avail``.
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
    link_target: str | None = None

    @property
    def changed(self) -> bool:
        """Whether the planned text differs from the file's (or the file goes, or comes)."""
        return self.before != self.after or self.removed or not self.exists

    @property
    def removes_secret(self) -> bool:
        """Whether a secret the file's text holds now (in any spelling) is gone from the planned text:
        a backup of the file still holds it (a Jigasi password a revert deletes, a replaced app secret)."""

        def holds(text: str, secret: str) -> bool:
            return any(spelling in text for spelling in spellings({secret}))

        return any(holds(self.before, secret) and not holds(self.after, secret) for secret in self.secrets)


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
    #: What the deployment as read warns of that no change of the plan repairs (the main or guest
    #: host defined in more than one loaded file).
    deployment_warnings: tuple[str, ...] = ()

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
        """Every warning, over all files, then the deployment's."""
        return tuple(w for f in self.files for w in f.warnings) + self.deployment_warnings

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

    def backup_warnings(self, written: Sequence[WriteResult]) -> tuple[str, ...]:
        """A warning for each backup among ``written`` (what :func:`apply_plan` returned) of a file whose
        change removed a secret: the backup keeps it. The warning names the backup, never the secret."""
        removing = {f.path for f in self.files if f.removes_secret}
        return tuple(
            f"{self.layout.display(w.backup)} still holds the secret this change removed from "
            f"{self.layout.display(w.path)}, with the file's old permissions; delete it once it is not needed"
            for w in written
            if w.backup is not None and w.path in removing
        )

    def diff(self, change: FileChange) -> str:
        """A unified diff of one file's change, with every secret masked (a secret file's content is
        never shown, only that it comes, changes or goes)."""
        if change.role == secret_file.ROLE:
            return _secret_file_diff(change)
        if change.link_target is not None:
            return (
                f"--- /dev/null\n+++ b{change.display}\nnew file mode 120000\n@@ -0,0 +1 @@\n"
                f"+{change.link_target}\n\\ No newline at end of file\n"
            )
        lines = difflib.unified_diff(
            change.before.splitlines(keepends=True),
            change.after.splitlines(keepends=True),
            fromfile=f"a{change.display}",
            tofile=f"b{change.display}",
        )
        lua = change.role == PROSODY_ROLE
        text = "".join(
            mask_secret_looking(line, lua=lua)
            if line.endswith(("\n", "\r"))
            else line + "\n\\ No newline at end of file\n"
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
