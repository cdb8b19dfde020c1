"""``doctor --sarif``: the findings as SARIF 2.1.0, for code-scanning tools.

Infra repositories that keep their servers' configuration files get the findings where they review
code. The rules come from :data:`~jitsi_secure.doctor.rules.RULES` (ids, descriptions, help, the
upstream reference as ``helpUri``); each result's location is relative to the root (``uriBaseId``
``ROOT``), so ``/etc/prosody/prosody.cfg.lua`` of a tree checked out at ``srv/`` is
``etc/prosody/prosody.cfg.lua`` under it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jitsi_secure import __version__
from jitsi_secure.doctor._finding import Finding
from jitsi_secure.doctor.rules import RULES

__all__ = ["SARIF_SCHEMA", "to_sarif"]

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def to_sarif(findings: Sequence[Finding], *, root: str | os.PathLike[str] = "/") -> dict[str, Any]:
    """One SARIF log with one run of ``jitsi-secure doctor``."""
    index = {rule.id: n for n, rule in enumerate(RULES)}
    base = Path(root).resolve().as_uri().rstrip("/") + "/"
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "jitsi-secure doctor",
                        "version": __version__,
                        "informationUri": "https://github.com/jitsi-secure/jitsi-secure",
                        "rules": [_rule(rule) for rule in RULES],
                    }
                },
                "originalUriBaseIds": {"ROOT": {"uri": base}},
                "results": [_result(f, index[f.id]) for f in findings],
            }
        ],
    }


def _rule(rule: Any) -> dict[str, Any]:
    return {
        "id": rule.id,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.cause},
        "help": {"text": f"{rule.cause}\n\nFix: {rule.fix}", "markdown": f"{rule.cause}\n\n**Fix:** {rule.fix}"},
        "helpUri": rule.references[0],
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": {"fixable": rule.fixable, "references": list(rule.references)},
    }


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.id,
        "ruleIndex": rule_index,
        "level": _LEVELS[finding.severity],
        "message": {"text": finding.message},
        "properties": {"fixable": finding.fixable},
    }
    if finding.file is not None:
        physical: dict[str, Any] = {"artifactLocation": {"uri": finding.file.lstrip("/"), "uriBaseId": "ROOT"}}
        if finding.line:
            region = {"startLine": finding.line}
            if finding.column:
                region["startColumn"] = finding.column
            physical["region"] = region
        result["locations"] = [{"physicalLocation": physical}]
    return result
