"""The hosts themselves: ``underscore-in-domain``, ``duplicate-option``, ``duplicate-host``,
``breakout-admins-missing``."""

from __future__ import annotations

from collections.abc import Iterator

from jitsi_secure.deployment import ProsodyHost
from jitsi_secure.doctor._context import Context, lua_file, setting
from jitsi_secure.doctor._finding import Finding, make

__all__ = ["check"]

#: Jicofo's account on Debian (``focus``) and in the 2025 Debian template (``focusUser``).
FOCUS_USERS = ("focus", "focususer")


def check(ctx: Context) -> Iterator[Finding]:
    """Host names Prosody accepts, no dead assignments, and Jicofo an admin of the main host."""
    prosody = ctx.prosody
    if prosody is None:
        return
    for host in prosody.hosts.values():
        if "_" in host.name:
            yield make(
                "underscore-in-domain",
                f"{host.kind} {host.name} has '_' in its name; Prosody 13.0.3 and later refuse to start it",
                ctx.header(host),
                severity="error" if ctx.version >= (13, 0) else "warning",
            )
    for origin, message in prosody.warnings:
        if message.startswith("Duplicate option"):
            yield make("duplicate-option", f"{message}: the earlier assignment in this host is dead", origin)
    for host in prosody.hosts.values():
        yield from _defined_in_several_files(ctx, host)
    yield from _breakout_admins(ctx)


def _defined_in_several_files(ctx: Context, host: ProsodyHost) -> Iterator[Finding]:
    """A host defined in more than one file, found at the definition Prosody reads last (the one that
    wins where they differ); an error when the files write different ``authentication`` strings."""
    warning = host.order_warning
    if warning is None:
        return
    written = {}
    for file in host.files:
        document = ctx.document(file, lua_file)
        value = document.get((host.name, "authentication")) if document is not None else None
        if isinstance(value, str):  # a computed value is not compared: its meaning is not known here
            written[file] = value
    disagree = len(set(written.values())) > 1
    if disagree:
        values = ", ".join(f'{file}: "{value}"' for file, value in written.items())
        warning += f"; they set authentication differently ({values}), so who may log in depends on that order"
    yield make("duplicate-host", warning, host.defined_at[-1], severity="error" if disagree else None)


def _breakout_admins(ctx: Context) -> Iterator[Finding]:
    prosody, domain = ctx.prosody, ctx.deployment.domain
    assert prosody is not None
    host = prosody.host(domain)
    if host is None or host.kind != "VirtualHost" or not ctx.policy.main_loaded:
        return
    current = prosody.get(domain, "admins")
    admins = [str(a) for a in current.value] if current is not None and isinstance(current.value, list) else []
    if any(a.lower() in (f"{user}@auth.{domain}" for user in FOCUS_USERS) for a in admins):
        return
    focus = f"focus@auth.{domain}"
    yield make(
        "breakout-admins-missing",
        f'VirtualHost {domain} lacks admins = {{ "{focus}" }}: breakout rooms show a stray "focus" participant',
        ctx.header(host),
        edits=ctx.lua_edit(ctx.host_file(host, "admins"), setting(domain, "admins", [*admins, focus])),
    )
