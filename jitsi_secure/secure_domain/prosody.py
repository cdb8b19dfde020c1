"""Prosody's host file: the main host asks who you are, a guest host lets anyone in anonymously.

How the main host asks depends on the spec's mode:

- ``internal``: ``authentication = "internal_hashed"`` (Prosody accounts); on Prosody 13 and newer
  also ``disable_sasl_mechanisms = { "DIGEST-MD5", "OAUTHBEARER" }``.
- ``jwt``: ``authentication = "token"`` with ``app_id`` and ``app_secret`` (or ``asap_key_server``),
  optionally ``allow_empty_token``; the conference MUC component gets ``"token_verification"``.
  Debian's shipped ``--app_id="example_app_id"`` lines are uncommented in place, as the
  ``jitsi-meet-tokens`` package does.
- ``ldap``: ``authentication = "cyrus"``, ``cyrus_application_name = "xmpp"``,
  ``allow_unencrypted_plain_auth = true`` and ``"auth_cyrus"`` in the host's ``modules_enabled``; the
  system pieces (saslauthd and its LDAP settings) are listed as warnings, not pretended.

Debian ships ``authentication = "jitsi-anonymous" -- do not delete me`` on the main host; the comment
stays (``jitsi-meet-tokens`` finds the line by it) because the Lua document keeps a changed option's
trailing comment. The guest host uses the same anonymous module the main host used
(``jitsi-anonymous`` adds session resumption), and revert gives the main host back the module the
guest host has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jitsi_secure.errors import EditError
from jitsi_secure.formats.lua import LuaDocument
from jitsi_secure.secure_domain._intent import ABSENT, Finding, Intent, SettingPath, flatten, unmet
from jitsi_secure.secure_domain.spec import SecureDomain

__all__ = ["ANONYMOUS_MODULES", "Placement", "apply", "audit", "describe", "intent", "revert", "warnings"]

ROLE = "prosody"
#: The authentication modules that let anyone in without an account.
ANONYMOUS_MODULES = ("jitsi-anonymous", "anonymous")
_HOST_MODULES = {"ldap": "auth_cyrus"}
_COMPONENT_MODULES = {"jwt": "token_verification"}
_PROSODY_13_SASL = ["DIGEST-MD5", "OAUTHBEARER"]
_SECRET_OPTIONS = frozenset({"app_secret"})


@dataclass(frozen=True)
class Placement:
    """What one Prosody file holds of the deployment, so each host is edited where it is defined.

    Attributes:
        main: the main host's options are edited in this file (the main host file).
        guest_elsewhere: the guest host is defined in another file Prosody loads: never add a second
            definition here.
        removals: live hosts of the domain defined in this file that let anyone in and must go
            (``--no-guests``).
        anonymous_module: the anonymous module the deployment uses (``jitsi-anonymous`` or ``anonymous``),
            when another file than this one tells.
    """

    main: bool = True
    guest_elsewhere: bool = False
    removals: tuple[str, ...] = ()
    anonymous_module: str | None = None


_MAIN_FILE = Placement()


def intent(
    document: LuaDocument, spec: SecureDomain, *, revert: bool = False, placement: Placement = _MAIN_FILE
) -> Intent:
    """The options the host file should have after applying (or reverting) ``spec``."""
    guest = _guest_here(document, spec, placement)
    wanted: dict[SettingPath, Any] = {}
    created: frozenset[SettingPath] = frozenset()
    domain = _main_host(document, spec) if placement.main else None
    module = placement.anonymous_module or _anonymous_module(document, spec)
    if domain is not None and revert:
        wanted[(domain, "authentication")] = module
        wanted.update({(domain, option): ABSENT for option in _main_options(spec) if option != "authentication"})
    elif domain is not None:
        wanted.update({(domain, option): value for option, value in _main_options(spec).items()})
    if guest and revert:
        wanted[(guest,)] = ABSENT
    elif guest:
        wanted[(guest, "authentication")] = module
        wanted[(guest, "c2s_require_encryption")] = False
        if not _has_section(document, guest):
            created = frozenset({(guest,)})
    wanted.update({(host,): ABSENT for host in placement.removals})
    for section, target in _module_targets(document, spec, revert=revert, placement=placement):
        wanted[(section, "modules_enabled")] = _with_module(document, section, target, present=not revert)
    secret = frozenset((domain, option) for option in _SECRET_OPTIONS) if domain else frozenset()
    return Intent(wanted, created, secret)


def apply(document: LuaDocument, spec: SecureDomain, *, placement: Placement = _MAIN_FILE) -> LuaDocument:
    """The host file with the spec's authentication on the main host and the guest host in place."""
    guest_module = placement.anonymous_module or _anonymous_module(document, spec)
    for host in placement.removals:
        document = document.remove_section(host)
    if placement.main:
        domain = _main_host(document, spec)
        for option, value in _main_options(spec).items():
            document = document.set((domain, option), value)
    for section, module in _module_targets(document, spec, revert=False, placement=placement):
        document = document.set((section, "modules_enabled"), _with_module(document, section, module, present=True))
    guest = _guest_here(document, spec, placement)
    if guest is None:
        return document
    options: dict[str, Any] = {"authentication": guest_module, "c2s_require_encryption": False}
    if not _has_section(document, guest):
        return document.add_section("VirtualHost", guest, options, after=spec.domain)
    for option, value in options.items():
        document = document.set((guest, option), value)
    return document


def revert(document: LuaDocument, spec: SecureDomain, *, placement: Placement = _MAIN_FILE) -> LuaDocument:
    """The host file as before: the main host anonymous again without the settings ``apply`` adds for
    the spec's mode, and no guest host, wherever it is defined. (Settings of another mode are left
    alone: revert a token setup with the token mode's spec.)"""
    module = placement.anonymous_module or _anonymous_module(document, spec)
    if placement.main:
        domain = _main_host(document, spec)
        document = document.set((domain, "authentication"), module)
        for option in _main_options(spec):
            if option != "authentication":
                document = document.remove((domain, option))
    for section, target in _module_targets(document, spec, revert=True, placement=placement):
        document = document.set((section, "modules_enabled"), _with_module(document, section, target, present=False))
    guest = spec.guest_domain
    if guest and _has_section(document, guest):
        document = document.remove_section(guest)
    for host in placement.removals:
        if _has_section(document, host):
            document = document.remove_section(host)
    return document


def _guest_here(document: LuaDocument, spec: SecureDomain, placement: Placement) -> str | None:
    """The guest host this file's edit deals with: the spec's, unless another file defines it (then
    only that file does) or this is not the main host file and does not define it."""
    guest = spec.guest_domain
    if guest is None:
        return None
    if _has_section(document, guest):
        return guest
    return guest if placement.main and not placement.guest_elsewhere else None


def audit(document: LuaDocument, spec: SecureDomain, *, file: str) -> list[Finding]:
    """The settings of the host file that are not yet as ``spec`` wants."""
    return unmet(intent(document, spec), flatten(document.evaluate()), describe, file)


def warnings(document: LuaDocument, spec: SecureDomain, *, file: str) -> list[str]:
    """What the spec needs that editing this file cannot do."""
    notes = []
    if spec.auth == "jwt" and _conference_component(document, spec) is None:
        notes.append(
            f'{file}: no conference MUC component (Component "conference.{spec.domain}" "muc") was found; '
            'add "token_verification" to its modules_enabled yourself'
        )
    if spec.auth == "ldap":
        notes.append(
            "LDAP needs system pieces jitsi-secure does not set up: the packages sasl2-bin, "
            "libsasl2-modules-ldap and lua-cyrussasl, Prosody's mod_auth_cyrus, /etc/saslauthd.conf with your "
            "directory's ldap_servers/ldap_search_base, /etc/sasl/prosody.conf (pwcheck_method: saslauthd, "
            "mech_list: PLAIN), and `adduser prosody sasl`"
        )
    return notes


def describe(path: SettingPath) -> str:
    """``("meet.example.com", "authentication")`` as ``authentication of "meet.example.com"``."""
    host, *option = path
    section = "the global section" if host == "*" else f'"{host}"'
    return f"{'.'.join(option)} of {section}" if option else f"the section {section}"


def _main_options(spec: SecureDomain) -> dict[str, Any]:
    if spec.auth == "jwt":
        assert spec.jwt is not None
        options: dict[str, Any] = {"authentication": "token", "app_id": spec.jwt.app_id}
        if spec.jwt.app_secret is not None:
            options["app_secret"] = spec.jwt.app_secret.reveal()
        else:
            options["asap_key_server"] = spec.jwt.asap_key_server
        if spec.jwt.allow_empty_token is not None:
            options["allow_empty_token"] = spec.jwt.allow_empty_token
        return options
    if spec.auth == "ldap":
        return {"authentication": "cyrus", "cyrus_application_name": "xmpp", "allow_unencrypted_plain_auth": True}
    options = {"authentication": "internal_hashed"}
    if spec.prosody_version is not None and spec.prosody_version >= (13, 0):
        options["disable_sasl_mechanisms"] = list(_PROSODY_13_SASL)
    return options


def _module_targets(
    document: LuaDocument, spec: SecureDomain, *, revert: bool, placement: Placement = _MAIN_FILE
) -> list[tuple[str, str]]:
    """The (section, module) pairs the spec's mode adds to a ``modules_enabled`` list (revert: takes out)."""
    targets = []
    if spec.auth in _HOST_MODULES and placement.main:
        targets.append((spec.domain, _HOST_MODULES[spec.auth]))
    component = _conference_component(document, spec)
    if spec.auth in _COMPONENT_MODULES and component is not None:
        targets.append((component, _COMPONENT_MODULES[spec.auth]))
    # Taking out a module that is not there would be no change; skip it rather than write a list.
    return [(section, m) for section, m in targets if not revert or m in _modules(document, section)]


def _modules(document: LuaDocument, section: str) -> list[Any]:
    current = document.get((section, "modules_enabled")) if _defines(document, section, "modules_enabled") else []
    if not isinstance(current, list):
        raise EditError(f'{document.source}: "{section}": modules_enabled is not a plain list; edit it by hand')
    return current


def _with_module(document: LuaDocument, section: str, module: str, *, present: bool) -> list[Any]:
    current = _modules(document, section)
    if present:
        return current if module in current else [*current, module]
    return [m for m in current if m != module]


def _defines(document: LuaDocument, section: str, option: str) -> bool:
    return option in document.options(section)


def _conference_component(document: LuaDocument, spec: SecureDomain) -> str | None:
    """The MUC component conferences live on: ``conference.<domain>``, else the first ``conference.*`` MUC."""
    components = [s for s in document.sections() if s.kind == "Component" and s.name]
    for section in components:
        if (section.name or "").lower() == f"conference.{spec.domain}":
            return section.name
    for section in components:
        if (section.name or "").lower().startswith("conference.") and section.module == "muc":
            return section.name
    return None


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
            module = document.get((host, "authentication"))
            if module in ANONYMOUS_MODULES:
                return str(module)
    return "anonymous"
