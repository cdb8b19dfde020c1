"""``removed-module``: Jitsi Prosody modules that upstream deleted (jitsi-meet PR #17453, 2026-06)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from jitsi_secure.deployment import Origin
from jitsi_secure.doctor._context import Context, removing_section, setting
from jitsi_secure.doctor._finding import Finding, make
from jitsi_secure.doctor.rules import Severity

__all__ = ["REMOVED_MODULES", "check"]

#: Module names as ``modules_enabled`` and ``Component "x" "module"`` spell them.
REMOVED_MODULES = frozenset({
    "speakerstats", "speakerstats_component", "av_moderation", "av_moderation_component", "room_metadata",
    "room_metadata_component", "end_conference", "conference_duration_component", "muc_poltergeist",
})  # fmt: skip


def check(ctx: Context) -> Iterator[Finding]:
    """Every use of a removed module: a warning when the installed plugins lack it, info when unknown.

    Only the warnings are fixable: removing a module the installed plugins may still have is a guess.
    """
    prosody = ctx.prosody
    if prosody is None:
        return
    folders = _plugin_folders(ctx)
    scopes: list[tuple[str | None, Mapping[str, Any], Mapping[str, Origin]]] = [
        (None, prosody.globals, prosody.global_origins)
    ]
    scopes += [(h.name, h.options, h.origins) for h in prosody.hosts.values()]
    for host_name, options, origins in scopes:
        modules = options.get("modules_enabled")
        if not isinstance(modules, list):
            continue
        for module in [str(m) for m in modules if str(m) in REMOVED_MODULES]:
            severity, state = _installed(folders, module)
            if severity is None:
                continue
            origin = origins.get("modules_enabled")
            section = host_name or "*"
            kept = [m for m in modules if m != module]
            yield make(
                "removed-module",
                f"modules_enabled of {host_name or 'the global section'} names {module!r}, which jitsi-meet "
                f"deleted in 2026-06 ({state})",
                origin,
                severity=severity,
                edits=()
                if severity == "info"
                else ctx.lua_edit(
                    origin.file if origin else None,
                    setting(section, "modules_enabled", kept),
                ),
            )
    for host in prosody.hosts.values():
        if host.kind != "Component" or host.module not in REMOVED_MODULES:
            continue
        severity, state = _installed(folders, host.module)
        if severity is None:
            continue
        yield make(
            "removed-module",
            f'Component "{host.name}" "{host.module}" uses a module jitsi-meet deleted in 2026-06 ({state})',
            ctx.header(host),
            severity=severity,
            edits=() if severity == "info" else ctx.lua_edit(ctx.host_file(host), removing_section(host.name)),
        )


def _plugin_folders(ctx: Context) -> list[str] | None:
    """The plugin folders under the root, ``None`` when none named can be read."""
    prosody = ctx.prosody
    assert prosody is not None
    paths = prosody.globals.get("plugin_paths")
    names = [str(p) for p in paths] if isinstance(paths, list) else []
    readable = [n for n in names if n.startswith("/") and (d := ctx.disk(n)) is not None and d.is_dir()]
    return readable or None


def _installed(folders: list[str] | None, module: str) -> tuple[Severity | None, str]:
    """How bad using ``module`` is: ``None`` when an installed plugin folder still has it."""
    if folders is None:
        return "info", "the plugin folders plugin_paths names cannot be read here to see if it is still installed"
    return "warning", f"the plugin folders ({', '.join(folders)}) no longer have mod_{module}.lua"
