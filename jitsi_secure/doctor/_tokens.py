"""Tokens: ``token-muc-unverified`` and ``empty-token-guests``."""

from __future__ import annotations

import re
from collections.abc import Iterator

from jitsi_secure import policy as access
from jitsi_secure.deployment import Origin
from jitsi_secure.doctor._context import Context, setting
from jitsi_secure.doctor._finding import Finding, make

__all__ = ["check"]

_COMMENTED = re.compile(r"--\s*[\"']token_verification[\"']")


def check(ctx: Context) -> Iterator[Finding]:
    """With tokens on the main host every conference MUC verifies them; empty tokens only for guests."""
    prosody, policy = ctx.prosody, ctx.policy
    if prosody is None:
        return
    if policy.main_login == "token":
        for muc in policy.mucs:
            if muc.verifies_tokens or muc.role == "internal":
                continue
            commented = _commented_out(ctx, muc.name)
            if muc.role != "conference" and commented is None:
                continue
            host = prosody.hosts[muc.name]
            modules = host.options.get("modules_enabled")
            wanted = [*(modules if isinstance(modules, list) else []), "token_verification"]
            why = "has it commented out" if commented else "lacks it"
            yield make(
                "token-muc-unverified",
                f"{ctx.deployment.domain} takes tokens, but the {muc.role} MUC {muc.name} does not verify them "
                f"(its modules_enabled {why}): any token opens any room",
                commented or muc.origin or ctx.header(host),
                edits=ctx.lua_edit(
                    ctx.host_file(host, "modules_enabled"),
                    setting(muc.name, "modules_enabled", wanted),
                ),
            )
    announced = str(policy.announced_guest.value or "").lower()
    for host in prosody.hosts.values():
        auth = prosody.get(host.name, "authentication")
        empty = prosody.get(host.name, "allow_empty_token")
        if host.kind != "VirtualHost" or not host.enabled or auth is None or empty is None or empty.value is not True:
            continue
        if access.login_of(auth.value) != "token":
            continue
        guest = host.name != ctx.deployment.domain and (host.name == announced or host.name.startswith("guest."))
        yield make(
            "empty-token-guests",
            f"{host.name} takes tokens but lets clients without one in (allow_empty_token = true)"
            + (": fine for a guest host" if guest else ": anyone can log in"),
            empty.origin,
            severity="info" if guest else "warning",
        )


def _commented_out(ctx: Context, name: str) -> Origin | None:
    """The line of a commented-out ``token_verification`` in MUC ``name``'s section, if any."""
    from jitsi_secure.formats import lua

    prosody = ctx.prosody
    assert prosody is not None
    for origin in prosody.hosts[name].defined_at:
        text = ctx.text(origin.file)
        if text is None:
            continue
        for section in lua.parse(text, source=origin.file).sections():
            if (section.name or "").lower() != name:
                continue
            match = _COMMENTED.search(text, section.header_end, section.end)
            if match:
                return Origin(origin.file, text.count("\n", 0, match.start()) + 1)
    return None
