"""``removed-client-option``: config.js options the web client no longer reads."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from jitsi_secure.deployment import Origin
from jitsi_secure.doctor._context import Context, line_of_key
from jitsi_secure.doctor._finding import Finding, make

__all__ = ["REMOVED_OPTIONS", "check"]

#: Option and when upstream removed it.
REMOVED_OPTIONS = {"tokenAuthUrlAutoRedirect": "2026-02"}


def check(ctx: Context) -> Iterator[Finding]:
    """Every removed option config.js still sets."""
    meet = ctx.deployment.meet
    if meet is None:
        return
    text = ctx.text(meet.file) or ""
    for option, when in REMOVED_OPTIONS.items():
        if option not in meet.config:
            continue
        yield make(
            "removed-client-option",
            f"config.js sets {option}, which the web client no longer reads (removed {when})",
            Origin(meet.file, line_of_key(text, option)),
            edits=ctx.edit(meet.file, "meet", _remover(option, meet.file)),
        )


def _remover(option: str, source: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        from jitsi_secure.formats import js

        return js.parse(text, source=source, name=js.variable_for(source)).remove(option).render()

    return change
