"""``removed-client-option``: config.js options the web client no longer reads."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from jitsi_secure.deployment import Origin
from jitsi_secure.doctor._context import Context, config_js
from jitsi_secure.doctor._finding import Finding, make

__all__ = ["REMOVED_OPTIONS", "check"]

#: Option and when upstream removed it.
REMOVED_OPTIONS = {"tokenAuthUrlAutoRedirect": "2026-02"}


def check(ctx: Context) -> Iterator[Finding]:
    """Every removed option config.js still sets."""
    meet = ctx.deployment.meet
    if meet is None:
        return
    for option, when in REMOVED_OPTIONS.items():
        if option not in meet.config:
            continue
        yield make(
            "removed-client-option",
            f"config.js sets {option}, which the web client no longer reads (removed {when})",
            Origin(meet.file, ctx.line_of(meet.file, option, config_js)),
            edits=ctx.edit(meet.file, "meet", _remover(option, meet.file)),
        )


def _remover(option: str, source: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        return config_js(text, source).remove(option).render()

    return change
