"""Running every check: the one place that knows the checks and the order of findings."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from jitsi_secure.deployment import Deployment
from jitsi_secure.doctor import _client, _guests, _hosts, _jicofo, _modules, _sasl, _secrets, _tokens
from jitsi_secure.doctor._context import Context
from jitsi_secure.doctor._finding import Finding

__all__ = ["diagnose_with_texts"]

#: Every check, each a module with one job; findings come out in this order.
_CHECKS: tuple[Callable[[Context], Iterator[Finding]], ...] = (
    _guests.check,
    _jicofo.check,
    _sasl.check,
    _hosts.check,
    _modules.check,
    _tokens.check,
    _secrets.check,
    _client.check,
)
_ORDER = {"error": 0, "warning": 1, "info": 2}


def diagnose_with_texts(deployment: Deployment, texts: Mapping[Path, str]) -> list[Finding]:
    """:func:`diagnose` with planned texts standing in for files on disk (how a fix is verified)."""
    context = Context(deployment, texts)
    found = [finding for check in _CHECKS for finding in check(context)]
    return sorted(found, key=lambda f: (_ORDER[f.severity], f.file or "", f.line, f.id))
