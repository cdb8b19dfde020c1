"""``jitsi-secure doctor``: the known ways Jitsi authentication breaks, found across files, and fixed.

:func:`diagnose` reads a deployment (:func:`~jitsi_secure.deployment.read_deployment`) for each rule
of :data:`~jitsi_secure.doctor.rules.RULES` and reports every problem with the file and line that
causes it, the upstream reference and whether :func:`fixes` repairs it; :func:`examine` reads the
layout first and also reports what stops it being read (a jicofo.conf that is not one, a Prosody
config that does not load). :func:`fixes` builds one verified plan that
:func:`~jitsi_secure.secure_domain.plan.apply_plan` writes all or nothing.

Example::

    from jitsi_secure.doctor import examine, fixes
    from jitsi_secure.secure_domain import Layout
    from jitsi_secure.secure_domain.plan import apply_plan

    found = examine(Layout.debian(root="/mnt/image"), prosody_version=(13, 0))
    for finding in found:
        print(finding.severity, finding.id, finding.where, finding.message)
    if any(f.fixable for f in found):
        apply_plan(fixes(found))
"""

from __future__ import annotations

from jitsi_secure.deployment import Deployment, NotJicofoConfigError, Origin, read_deployment
from jitsi_secure.doctor._diagnose import diagnose_with_texts
from jitsi_secure.doctor._finding import Finding, make
from jitsi_secure.doctor._fix import fixes
from jitsi_secure.doctor.rules import RULES, Rule, Severity
from jitsi_secure.formats.lua import LuaEvaluationError
from jitsi_secure.secure_domain.layout import DockerLayout, Layout

__all__ = ["RULES", "Finding", "Rule", "Severity", "diagnose", "examine", "fixes"]


def diagnose(deployment: Deployment) -> list[Finding]:
    """Every finding in ``deployment``, errors first, then by file and line.

    A deployment read by :func:`~jitsi_secure.deployment.read_deployment` knows its layout: then files
    Prosody does not load and the plugin folders are looked at too, and findings carry their fixes.
    """
    return diagnose_with_texts(deployment, {})


def examine(layout: Layout | DockerLayout, *, prosody_version: tuple[int, int] | None = None) -> list[Finding]:
    """Read ``layout`` as its programs do and :func:`diagnose` it.

    A jicofo.conf that is not Jicofo's HOCON is a finding (``not-a-jicofo-config``) and the rest is
    read without it; a Prosody configuration Prosody's loader stops on is one too
    (``prosody-not-readable``). Other unreadable files raise
    :class:`~jitsi_secure.errors.ParseError` naming the file, line and column.
    """
    from dataclasses import replace

    first: list[Finding] = []
    try:
        deployment = read_deployment(layout, prosody_version=prosody_version)
    except NotJicofoConfigError as error:
        assert isinstance(layout, Layout)
        first.append(make("not-a-jicofo-config", error.message, Origin(error.source, error.line)))
        deployment = read_deployment(replace(layout, jicofo=None), prosody_version=prosody_version)
    except LuaEvaluationError as error:
        file, _, rest = str(error).partition(":")
        line, _, message = rest.partition(":")
        origin = Origin(file, int(line)) if file.startswith("/") and line.isdigit() else None
        return [make("prosody-not-readable", (message if origin else str(error)).strip(), origin)]
    return first + diagnose(deployment)
