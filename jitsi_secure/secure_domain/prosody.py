"""Prosody's host file: the main host asks for a password, a guest host lets anyone in anonymously.

Debian ships ``authentication = "jitsi-anonymous" -- do not delete me`` on the main host; the
comment stays (``jitsi-meet-tokens`` finds the line by it) because the Lua document keeps a changed
option's trailing comment. The guest host uses the same anonymous module the main host used
(``jitsi-anonymous`` adds session resumption), and revert gives the main host back the module the
guest host has.
"""

from __future__ import annotations

from typing import Any

from jitsi_secure.errors import EditError
from jitsi_secure.formats.lua import LuaDocument
from jitsi_secure.secure_domain._intent import ABSENT, Finding, Intent, SettingPath, flatten, unmet
from jitsi_secure.secure_domain.spec import SecureDomain

__all__ = ["ANONYMOUS_MODULES", "apply", "audit", "describe", "intent", "revert"]

ROLE = "prosody"
#: The authentication modules that let anyone in without an account.
ANONYMOUS_MODULES = ("jitsi-anonymous", "anonymous")
_PASSWORD_MODULE = "internal_hashed"


def intent(document: LuaDocument, spec: SecureDomain, *, revert: bool = False) -> Intent:
    """The options the host file should have after applying (or reverting) ``spec``."""
    domain = _main_host(document, spec)
    guest = spec.guest_domain
    if revert:
        wanted: dict[SettingPath, Any] = {(domain, "authentication"): _anonymous_module(document, spec)}
        if guest:
            wanted[(guest,)] = ABSENT
        return Intent(wanted)
    wanted = {(domain, "authentication"): _PASSWORD_MODULE}
    created: frozenset[SettingPath] = frozenset()
    if guest:
        wanted[(guest, "authentication")] = _anonymous_module(document, spec)
        wanted[(guest, "c2s_require_encryption")] = False
        if not _has_section(document, guest):
            created = frozenset({(guest,)})
    return Intent(wanted, created)


def apply(document: LuaDocument, spec: SecureDomain) -> LuaDocument:
    """The host file with password authentication on the main host and the guest host in place."""
    domain = _main_host(document, spec)
    guest_module = _anonymous_module(document, spec)
    document = document.set(domain, "authentication", _PASSWORD_MODULE)
    guest = spec.guest_domain
    if guest is None:
        return document
    options: dict[str, Any] = {"authentication": guest_module, "c2s_require_encryption": False}
    if not _has_section(document, guest):
        return document.add_section("VirtualHost", guest, options, after=domain)
    for option, value in options.items():
        document = document.set(guest, option, value)
    return document


def revert(document: LuaDocument, spec: SecureDomain) -> LuaDocument:
    """The host file as before: anonymous main host, no guest host."""
    domain = _main_host(document, spec)
    document = document.set(domain, "authentication", _anonymous_module(document, spec))
    guest = spec.guest_domain
    if guest and _has_section(document, guest):
        document = document.remove_section(guest)
    return document


def audit(document: LuaDocument, spec: SecureDomain, *, file: str) -> list[Finding]:
    """The settings of the host file that are not yet as ``spec`` wants."""
    return unmet(intent(document, spec), flatten(document.evaluate()), describe, file)


def describe(path: SettingPath) -> str:
    """``("meet.example.com", "authentication")`` as ``VirtualHost "meet.example.com": authentication``."""
    host, *option = path
    section = "the global section" if host == "*" else f'VirtualHost "{host}"'
    return f"{section}: {'.'.join(option)}" if option else section


def _main_host(document: LuaDocument, spec: SecureDomain) -> str:
    if not _has_section(document, spec.domain):
        found = ", ".join(s.name for s in document.sections() if s.kind == "VirtualHost" and s.name) or "none"
        raise EditError(f'{document.source}: no VirtualHost "{spec.domain}" section (VirtualHosts found: {found})')
    return spec.domain


def _has_section(document: LuaDocument, name: str) -> bool:
    return any(s.kind == "VirtualHost" and (s.name or "").lower() == name for s in document.sections())


def _anonymous_module(document: LuaDocument, spec: SecureDomain) -> str:
    """Which anonymous module this deployment uses: the main host's, else the guest host's."""
    for host in (spec.domain, spec.guest_domain):
        if host and _has_section(document, host):
            module = document.get(host, "authentication")
            if module in ANONYMOUS_MODULES:
                return str(module)
    return "anonymous"
