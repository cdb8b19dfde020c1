"""What each ``jitsi-secure`` verb does with its parsed arguments (kept apart so ``--help`` stays cheap)."""

from __future__ import annotations

import argparse
import functools
import json
import os
from collections.abc import Callable
from typing import Any, TextIO

from jitsi_secure._core.write import WriteResult
from jitsi_secure._exit import EXIT_CHANGES_NEEDED, EXIT_OK
from jitsi_secure.secure_domain.layout import DockerLayout, Layout
from jitsi_secure.secure_domain.options import OptionNames, SpecOptions, require_login_kept, spec_from_options
from jitsi_secure.secure_domain.plan import Plan, apply_plan, build_plan, deployment_lock
from jitsi_secure.secure_domain.spec import Secret, SpecError, resolve_prosody_version

__all__ = ["run"]

_BACKUP_SUFFIX = ".bak"
#: The flags as messages name them: ``--app-id``, ``--auth jwt``; the secrets are given as files.
_NAMES = OptionNames(
    flags=True, renamed={"app_secret": "--app-secret-file", "jigasi_password": "--jigasi-password-file"}
)


def run(args: argparse.Namespace, *, stdout: TextIO) -> int:
    """Carry out ``args.verb`` (every verb but ``user``, which :mod:`jitsi_secure._user_commands` does);
    raises :class:`~jitsi_secure.errors.JitsiSecureError` on failure."""
    layout, domain = _layout(args)
    if args.verb == "doctor":
        from jitsi_secure import _doctor_commands

        return _doctor_commands.run(layout, args, prosody_version=_prosody_version(args), stdout=stdout)
    if args.verb == "policy":
        return _policy(layout, args, stdout=stdout)
    spec = spec_from_options(_spec_options(args, domain), names=_NAMES)
    if args.verb in ("apply", "revert", "migrate"):
        # Locked before the files are read: a run that waited plans on what the previous one wrote.
        # migrate is apply under the name of moving a secured server to another mode in place.
        with deployment_lock(layout, timeout=args.lock_timeout):
            plan = build_plan(layout, spec, revert=args.verb == "revert")
            require_login_kept(plan, args.auth, names=_NAMES)
            written = apply_plan(plan, backup_suffix=_BACKUP_SUFFIX if args.backup else None)
        return _Report(args.verb, plan, json_output=args.json, stream=stdout).applied(written)
    # check only reads: its answer is the findings, so it computes no new texts.
    plan = build_plan(layout, spec, audit_only=args.verb == "check")
    require_login_kept(plan, args.auth, names=_NAMES)
    report = _Report(args.verb, plan, json_output=args.json, stream=stdout)
    if args.verb == "plan":
        return report.plan()
    return report.check()


def _policy(layout: Layout | DockerLayout, args: argparse.Namespace, *, stdout: TextIO) -> int:
    """``policy``: the access policy as a table (or JSON), each answer with the place that decides it."""
    from jitsi_secure import policy
    from jitsi_secure.deployment import read_deployment

    deployment = read_deployment(layout, prosody_version=_prosody_version(args))
    computed = policy.compute(deployment)
    if args.json:
        body = {"verb": "policy", "ok": True, "exit": EXIT_OK, **computed.to_json(), "notes": list(deployment.notes)}
        print(json.dumps(body, indent=2), file=stdout)
        return EXIT_OK
    rows = [("question", "answer", "decided at"), *computed.rows()]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    print(f"Access policy of {computed.domain}:", file=stdout)
    for question, answer, where in rows:
        print(f"  {question.ljust(widths[0])}  {answer.ljust(widths[1])}  {where}", file=stdout)
    for note in deployment.notes:
        print(f"note: {note}", file=stdout)
    return EXIT_OK


def _layout(args: argparse.Namespace) -> tuple[Layout | DockerLayout, str]:
    """The deployment's files and its main domain."""
    if args.layout == "docker":
        debian_only = ("prosody_config", "meet_config", "jicofo_config", "jicofo_legacy_config", "jigasi_config")
        if not args.env_file or any(getattr(args, name) for name in debian_only):
            raise SpecError("--layout docker takes --env-file (and none of the per-file paths of the Debian layout)")
        docker_layout = DockerLayout.from_env_file(args.env_file, root=args.root)
        domain = docker_layout.domain
        if args.domain and args.domain.lower() != domain:
            raise SpecError(f"--domain {args.domain} differs from the .env file's XMPP domain {domain}")
        return docker_layout, domain
    if args.env_file:
        raise SpecError("--env-file goes with --layout docker")
    layout = Layout.debian(
        root=args.root,
        domain=args.domain,
        prosody=args.prosody_config,
        meet=args.meet_config,
        jicofo=args.jicofo_config,
        jicofo_legacy=args.jicofo_legacy_config,
        jigasi=args.jigasi_config,
    )
    return layout, layout.domain


# Flags passed on as keyword arguments, as to Layout.debian above: `duplicates` pairs the two calls by
# shape; each maps its own flags.
def _spec_options(args: argparse.Namespace, domain: str) -> SpecOptions:
    """The flags as :func:`~jitsi_secure.secure_domain.options.spec_from_options` takes them; the
    secret files are read only once every flag has been checked."""
    return SpecOptions(
        domain=domain,
        root=args.root,
        guest_domain=args.guest_domain,
        guests=args.guests,
        no_guests=args.no_guests,
        auth=args.auth,
        app_id=args.app_id,
        app_secret=_read_later(args.app_secret_file or None, "app secret"),
        secret_source=args.secret_source,
        secret_path=args.secret_path,
        asap_key_server=args.asap_key_server,
        jwks_url=args.jwks_url,
        accepted_issuers=_claims(args.accepted_issuers),
        accepted_audiences=_claims(args.accepted_audiences),
        allow_empty_token=args.allow_empty_token,
        jicofo_auth=args.jicofo_auth,
        prosody_version=args.prosody_version,
        jigasi_user=args.jigasi_user,
        jigasi_password=_read_later(args.jigasi_password_file, "Jigasi password"),
        wait_for_host=args.wait_for_host,
        token_moderators=args.token_moderators,
        auto_login=args.auto_login,
        auth_lifetime=args.auth_lifetime,
    )


def _read_later(path: str | None, what: str) -> Callable[[], Secret] | None:
    """The secret file at ``path``, read when called (``None`` when not given)."""
    return None if path is None else functools.partial(_secret_file, path, what)


def _claims(given: str | None) -> tuple[str, ...]:
    return tuple(c.strip() for c in given.split(",") if c.strip()) if given else ()


def _secret_file(path: str, what: str) -> Secret:
    """A secret read from a file: its content minus one trailing line ending (what `echo` adds)."""
    try:
        # newline="": a carriage return inside a secret is part of it, not a line ending to translate.
        with open(path, encoding="utf-8", newline="") as handle:
            value = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise SpecError(f"cannot read the {what} file {path}: {reason}") from None
    for ending in ("\r\n", "\n"):
        if value.endswith(ending):
            return Secret(value[: -len(ending)])
    return Secret(value)


def _prosody_version(args: argparse.Namespace) -> tuple[int, int] | None:
    """The Prosody version the host file is for: as given, else asked of the installed Prosody.

    Only a deployment at ``/`` can be asked; an image under ``--root`` says nothing about this machine.
    The rule is :func:`~jitsi_secure.secure_domain.spec.resolve_prosody_version`, shared with the
    Ansible module.
    """
    return resolve_prosody_version(
        args.prosody_version, root=args.root, auth=args.auth, secret_file=getattr(args, "secret_source", None) == "file"
    )


class _Report:
    """Prints a verb's outcome as text for people or as one JSON object for programs.

    Every string that leaves here goes through :meth:`Plan.mask`, so no secret reaches the output.
    """

    def __init__(self, verb: str, plan: Plan, *, json_output: bool, stream: TextIO) -> None:
        self.verb = verb
        self.planned = plan
        self.json_output = json_output
        self.stream = stream

    def plan(self) -> int:
        """``plan``: the diffs, and what they are for."""
        if self.json_output:
            return self._json(EXIT_OK)
        if not self.planned.changes:
            self._line("Nothing to change: every file is already as wanted.")
        colour = _colour(self.stream)
        for change in self.planned.changes:
            diff = self.planned.diff(change)
            self.stream.write(_coloured_diff(diff) if colour else diff)
        self._warnings()
        return EXIT_OK

    def check(self) -> int:
        """``check``: 0 when the effective policy and every file are as wanted, else 1 and what is not.

        The policy is read over every file the servers load (:mod:`jitsi_secure.policy`); the settings
        are the lines ``apply`` would write. Both must hold.
        """
        planned = self.planned
        needed = planned.changes or planned.findings or planned.policy_differences
        status = EXIT_CHANGES_NEEDED if needed else EXIT_OK
        if self.json_output:
            return self._json(status)
        if status == EXIT_OK:
            self._line(f"OK: {planned.spec.domain} is set up as a secure domain.")
        else:
            self._line(f"Changes needed for {planned.spec.domain}:")
            if planned.policy_differences:
                self._line("  what the servers will enforce:")
                for difference in planned.policy_differences:
                    self._line(f"  - {difference}")
            if planned.findings:
                self._line("  settings:")
            for finding in planned.findings:
                self._line(f"  - {finding.message}")
            self._line("Run `jitsi-secure plan` to see them, `jitsi-secure apply` to make them.")
        self._warnings()
        return status

    def applied(self, written: list[WriteResult]) -> int:
        """``apply``/``revert``: which files were written, and what to restart."""
        if self.json_output:
            return self._json(EXIT_OK, written)
        changed = [w for w in written if w.changed]
        if not changed:
            self._line("Nothing to change: every file is already as wanted.")
        for result in changed:
            backup = f" (backup: {self.planned.layout.display(result.backup)})" if result.backup else ""
            done = "removed" if result.removed else "wrote"
            self._line(f"{done} {self.planned.layout.display(result.path)}{backup}")
        if changed:
            self._line(f"Now restart the services: {self.planned.restart_command}")
        self._warnings(written)
        return EXIT_OK

    def _warnings(self, written: list[WriteResult] | None = None) -> None:
        for warning in _warnings(self.planned, written):
            self._line(f"warning: {warning}")

    def _json(self, status: int, written: list[WriteResult] | None = None) -> int:
        self._line(json.dumps(_as_json(self.planned, self.verb, status, written), indent=2))
        return status

    def _line(self, text: str) -> None:
        print(self.planned.mask(text), file=self.stream)


def _colour(stream: TextIO) -> bool:
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


_COLOURS = {"+": "\033[32m", "-": "\033[31m", "@": "\033[36m"}


def _coloured_diff(diff: str) -> str:
    out = []
    for line in diff.splitlines(keepends=True):
        colour = _COLOURS.get(line[:1]) if not line.startswith(("+++", "---")) else "\033[1m"
        out.append(f"{colour}{line.rstrip(chr(10))}\033[0m\n" if colour else line)
    return "".join(out)


def _warnings(plan: Plan, written: list[WriteResult] | None) -> list[str]:
    """The plan's warnings, then one for each backup written that keeps a secret the plan removed."""
    return [*plan.warnings, *plan.backup_warnings(written or [])]


def _as_json(plan: Plan, verb: str, status: int, written: list[WriteResult] | None = None) -> dict[str, Any]:
    changed_targets = {w.path for w in written or [] if w.changed}
    return {
        "verb": verb,
        "ok": True,
        "exit": status,
        "domain": plan.spec.domain,
        "guest_domain": plan.spec.guest_domain,
        "root": str(plan.layout.root),
        "files": [
            {
                "role": f.role,
                "path": f.display,
                "changes_needed": f.changed or bool(f.findings),
                "written": f.path in changed_targets,
                "diff": plan.diff(f) if f.changed else "",
            }
            for f in plan.files
        ],
        "findings": [
            {"file": x.file, "setting": x.setting, "current": x.current, "wanted": x.wanted, "message": x.message}
            for x in plan.findings
        ],
        "policy": plan.policy.to_json() if plan.policy is not None else None,
        "policy_differences": [
            {"message": d.message, "decided_at": str(d.origin) if d.origin else None} for d in plan.policy_differences
        ],
        "notes": list(plan.notes),
        "warnings": _warnings(plan, written),
        "restart": list(plan.services) if verb in ("apply", "revert") and changed_targets else [],
        "restart_command": plan.restart_command if verb in ("apply", "revert") and changed_targets else "",
    }
