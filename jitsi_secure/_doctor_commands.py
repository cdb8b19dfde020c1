"""``jitsi-secure doctor``: its options, and its report as text, JSON or SARIF."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    # Imported where they run: building the command line's parser (every verb, `--version`, `--help`)
    # must not pay for the doctor's checks, the formats and the plan.
    from jitsi_secure.doctor import Finding
    from jitsi_secure.secure_domain.layout import DockerLayout, Layout
    from jitsi_secure.secure_domain.plan import Plan

__all__ = ["add_parser", "run"]

_HELP = (
    "find the known ways authentication breaks across the deployment's files (each with its file, line and "
    "upstream reference); --fix repairs what it can through a verified plan. Exit 0: nothing at warning "
    "level or above, 1: findings, 2: error"
)


def add_parser(verbs: Any) -> None:
    """Add the ``doctor`` verb to the ``jitsi-secure`` sub-parsers."""
    from jitsi_secure._options import add_where_options

    parser = verbs.add_parser("doctor", help=_HELP, description=_HELP)
    add_where_options(parser)
    parser.add_argument(
        "--prosody-version",
        metavar="X.Y",
        help="judge with this Prosody version's rules, X.Y or a bare major like 13 (default: `prosodyctl about` "
        "when --root is /, else 0.12)",
    )
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print one JSON object with the findings")
    out.add_argument("--sarif", action="store_true", help="print SARIF 2.1.0, paths relative to --root")
    fix = parser.add_argument_group("repairing")
    fix.add_argument("--fix", action="store_true", help="repair the fixable findings, verified, all or nothing")
    fix.add_argument("--dry-run", action="store_true", help="with --fix: show the diffs, write nothing")
    fix.add_argument("--backup", action="store_true", help="with --fix: keep a .bak copy of every file changed")
    parser.set_defaults(auth="internal")


def run(layout: Layout | DockerLayout, args: argparse.Namespace, *, prosody_version: Any, stdout: TextIO) -> int:
    """Examine, fix when asked, report; the exit status."""
    from jitsi_secure._exit import EXIT_CHANGES_NEEDED, EXIT_OK
    from jitsi_secure.doctor import examine, fixes
    from jitsi_secure.secure_domain.plan import apply_plan
    from jitsi_secure.secure_domain.spec import SpecError

    if (args.dry_run or args.backup) and not args.fix:
        raise SpecError("--dry-run and --backup go with --fix")
    found = examine(layout, prosody_version=prosody_version)
    plan: Plan | None = None
    written: list[str] = []
    if args.fix and any(f.fixable for f in found):
        plan = fixes(found)
        if not args.dry_run:
            results = apply_plan(plan, backup_suffix=".bak" if args.backup else None)
            written = [layout.display(r.path) for r in results if r.changed]
            found = examine(layout, prosody_version=prosody_version)
    status = EXIT_CHANGES_NEEDED if any(f.at_least_warning for f in found) else EXIT_OK
    if args.sarif:
        from jitsi_secure.doctor.sarif import to_sarif

        print(json.dumps(to_sarif(found, root=layout.root), indent=2), file=stdout)
    elif args.json:
        print(json.dumps(_as_json(found, plan, written, status), indent=2), file=stdout)
    else:
        _print_text(found, plan, written, dry_run=args.dry_run, stream=stdout)
    return status


def _as_json(found: list[Finding], plan: Plan | None, written: list[str], status: int) -> dict[str, Any]:
    return {
        "verb": "doctor",
        "ok": True,
        "exit": status,
        "findings": [f.to_json() for f in found],
        "fix": None
        if plan is None
        else {
            "files": [{"path": c.display, "diff": plan.diff(c), "written": c.display in written} for c in plan.changes],
            "restart": list(plan.services) if written else [],
        },
    }


def _print_text(found: list[Finding], plan: Plan | None, written: list[str], *, dry_run: bool, stream: TextIO) -> None:
    if plan is not None and dry_run:
        for change in plan.changes:
            stream.write(plan.diff(change))
    for path in written:
        print(f"wrote {path}", file=stream)
    if written and plan is not None:
        print(f"Now restart the services: {plan.restart_command}", file=stream)
    for finding in found:
        where = f" {finding.where}" if finding.where else ""
        fix = " [fixable: --fix]" if finding.fixable else ""
        print(f"{finding.severity}: {finding.id}{where}: {finding.message}{fix}", file=stream)
        print(f"    see {finding.reference}", file=stream)
    counts = {s: sum(1 for f in found if f.severity == s) for s in ("error", "warning", "info")}
    if not found:
        print("No problems found.", file=stream)
    else:
        summary = ", ".join(f"{n} {s}{'s' if n != 1 and s != 'info' else ''}" for s, n in counts.items() if n)
        fixable = sum(1 for f in found if f.fixable)
        print(f"{summary}" + (f"; {fixable} fixable with --fix" if fixable and not written else ""), file=stream)
