"""Prosody's host file: the main host asks who you are, a guest host lets anyone in anonymously.

How the main host asks depends on the spec's mode:

- ``internal``: ``authentication = "internal_hashed"`` (Prosody accounts); on Prosody 13 and newer
  also ``disable_sasl_mechanisms = { "DIGEST-MD5", "OAUTHBEARER" }``.
- ``jwt``: ``authentication = "token"`` with ``app_id`` and one key source (``app_secret``,
  ``asap_key_server`` or ``cache_keys_url``), optionally ``asap_accepted_issuers``/``audiences`` and
  ``allow_empty_token``. ``"token_verification"`` goes where the packaging puts it: on the conference MUC
  (the one the main host's ``main_muc`` names, else ``conference.<domain>``), and every commented-out
  ``--"token_verification";`` entry of another MUC is uncommented in place, as the ``jitsi-meet-tokens``
  postinst does; never on the internal MUC Jicofo and the bridge join. Debian's shipped
  ``--app_id="example_app_id"`` lines are uncommented in place too.
- any mode: ``wait_for_host`` adds ``"muc_wait_for_host"`` to the conference MUC (with tokens also
  ``wait_for_host_disable_auto_owners = true``), ``token_moderators`` adds ``"token_affiliation"``.

With ``jwt.secret_file`` (Prosody 13 and newer) the host file says ``app_secret = FileContents("<path>")``
and the plan writes the secret into that file (:mod:`jitsi_secure.secure_domain.secret_file`); read
alone, without following files, the option reads as :data:`FILE_READ`.

Another mode, or revert, takes the token settings back out: in a Debian host file (the one whose main
host carries the tokens package's comment) as the package ships them, ``--app_id="example_app_id"``,
``--app_secret="example_app_secret"`` and ``--"token_verification";`` commented out again, the real
secret never left behind, not even commented; elsewhere the lines are deleted.
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
from jitsi_secure.formats import REMOVE, CommentOut, Computed, Remove, lua
from jitsi_secure.formats.lua import LuaDocument
from jitsi_secure.policy import ANONYMOUS_MODULES
from jitsi_secure.secure_domain import _engine as engine
from jitsi_secure.secure_domain._engine import (
    AddSection,
    Declaration,
    ListMembers,
    Opaque,
    RemoveSection,
    Step,
)
from jitsi_secure.secure_domain._intent import Finding, Intent, SettingPath, flatten, unmet
from jitsi_secure.secure_domain.spec import SecureDomain

__all__ = [
    "ANONYMOUS_MODULES",
    "FILE_READ",
    "Placement",
    "apply",
    "audit",
    "declare",
    "describe",
    "file_contents",
    "intent",
    "revert",
    "warnings",
]

ROLE = "prosody"
_HOST_MODULES = {"ldap": "auth_cyrus"}
_PROSODY_13_SASL = ["DIGEST-MD5", "OAUTHBEARER"]
_SECRET_OPTIONS = frozenset({"app_secret"})
#: What Prosody 13's ``FileContents(...)`` reads as when files are not followed (a host file read alone).
FILE_READ = "<FileContents>"
_TOKEN_CHECK = "token_verification"
_WAIT_FOR_HOST = "muc_wait_for_host"
_TOKEN_AFFILIATION = "token_affiliation"
_DISABLE_AUTO_OWNERS = "wait_for_host_disable_auto_owners"
#: The main host's options that mean something only with token authentication.
_TOKEN_OPTIONS = (
    "app_id",
    "app_secret",
    "asap_key_server",
    "cache_keys_url",
    "asap_accepted_issuers",
    "asap_accepted_audiences",
    "allow_empty_token",
)
#: Debian's shipped placeholders: revert comments these back out with these values.
_PLACEHOLDERS = {"app_id": "example_app_id", "app_secret": "example_app_secret"}
#: The comment the Debian template puts above the placeholders (jitsi-meet-tokens edits below it).
_PACKAGED_MARK = "modified by jitsi-meet-tokens"
#: MUCs Jicofo and the bridge join with their accounts: tokens are never checked there.
_INTERNAL_PREFIXES = ("internal.auth.", "internal-muc.")


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
        conference: the conference MUC as the deployment names it (``main_muc``, config.js
            ``hosts.muc``), when another file than this one tells.
    """

    main: bool = True
    guest_elsewhere: bool = False
    removals: tuple[str, ...] = ()
    anonymous_module: str | None = None
    conference: str | None = None


_MAIN_FILE = Placement()


def declare(
    document: LuaDocument, spec: SecureDomain, *, revert: bool = False, placement: Placement = _MAIN_FILE
) -> Declaration:
    """What the host file must say after applying (or reverting) ``spec``: the main host's options,
    the guest host, the MUCs' modules, and the anonymous hosts ``--no-guests`` takes out."""
    settings: dict[SettingPath, Any] = {}
    steps: list[Step] = [RemoveSection(host) for host in placement.removals]
    module = placement.anonymous_module or _anonymous_module(document, spec, revert=revert)
    if placement.main:
        domain = _main_host(document, spec)
        options = _main_options(spec)
        if revert:
            settings[(domain, "authentication")] = module
            gone = [option for option in options if option != "authentication"]
        else:
            gone = []
        gone += _stale_token_options(document, spec, revert=revert)
        settings.update({(domain, option): _removal(document, domain, option) for option in gone})
        if not revert:
            settings.update({(domain, option): _written(value) for option, value in options.items()})
    lists, components = _component_changes(document, spec, revert=revert, placement=placement)
    steps += lists
    settings.update(components)
    guest = _guest_here(document, spec, placement)
    if guest and revert:
        if _has_section(document, guest) or placement.main:
            steps.append(RemoveSection(guest))
    elif guest:
        # A guest host that already lets anyone in keeps its own anonymous module (smallest change).
        current = document.get((guest, "authentication")) if _has_section(document, guest) else None
        guest_module = current if current in ANONYMOUS_MODULES else module
        guest_options: dict[str, Any] = {"authentication": guest_module, "c2s_require_encryption": False}
        if _has_section(document, guest):
            settings.update({(guest, option): value for option, value in guest_options.items()})
        else:
            steps.append(AddSection("VirtualHost", guest, guest_options, after=spec.domain))
    secret = frozenset((spec.domain, option) for option in _SECRET_OPTIONS) if placement.main else frozenset()
    return Declaration(settings, secret, tuple(steps))


def intent(
    document: LuaDocument, spec: SecureDomain, *, revert: bool = False, placement: Placement = _MAIN_FILE
) -> Intent:
    """The options the host file should have after applying (or reverting) ``spec`` (from :func:`declare`)."""
    return engine.intent(document, declare(document, spec, revert=revert, placement=placement))


def apply(document: LuaDocument, spec: SecureDomain, *, placement: Placement = _MAIN_FILE) -> LuaDocument:
    """The host file with the spec's authentication on the main host and the guest host in place."""
    return engine.edit(document, declare(document, spec, placement=placement))


def revert(document: LuaDocument, spec: SecureDomain, *, placement: Placement = _MAIN_FILE) -> LuaDocument:
    """The host file as before: the main host anonymous again without the settings ``apply`` adds for
    the spec's mode (token settings back to Debian's commented placeholders where the file has the
    tokens package's comment), and no guest host, wherever it is defined."""
    return engine.edit(document, declare(document, spec, revert=True, placement=placement))


def _stale_token_options(document: LuaDocument, spec: SecureDomain, *, revert: bool) -> list[str]:
    """The main host's token options set now that the change does not want (another mode, another key
    source, revert). An explicit ``allow_empty_token = false`` stays on a token host: the change wants
    "not true", which it says (the admin's line, not an absent one)."""
    keep = set() if revert else set(_main_options(spec))
    if spec.auth == "jwt" and not revert and document.get((spec.domain, "allow_empty_token")) is False:
        keep.add("allow_empty_token")
    options = document.options(spec.domain) if _has_section(document, spec.domain) else {}
    return [option for option in _TOKEN_OPTIONS if option in options and option not in keep]


def _removal(document: LuaDocument, domain: str, option: str) -> Remove | CommentOut:
    """How a main host option goes: Debian's placeholders commented out as shipped (the value first
    becomes the placeholder, so no secret stays in a comment), anything else deleted."""
    if option in _PLACEHOLDERS and _packaged(document) and _defines(document, domain, option):
        return CommentOut(_PLACEHOLDERS[option])
    return REMOVE


def _packaged(document: LuaDocument) -> bool:
    """Whether this is Debian's host file, with the comment the tokens package edits below."""
    return _PACKAGED_MARK in document.render()


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
            f'{file}: no conference MUC component (Component "conference.{spec.domain}" "muc", or the one '
            'main_muc names) was found; add "token_verification" to its modules_enabled yourself'
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
        jwt = spec.jwt
        options: dict[str, Any] = {"authentication": "token", "app_id": jwt.app_id}
        options[jwt.key_option] = jwt.app_secret.reveal() if jwt.app_secret else jwt.asap_key_server or jwt.jwks_url
        if jwt.secret_file is not None:
            options["app_secret"] = file_contents(jwt.secret_file)
        if jwt.accepted_issuers:
            options["asap_accepted_issuers"] = list(jwt.accepted_issuers)
        if jwt.accepted_audiences:
            options["asap_accepted_audiences"] = list(jwt.accepted_audiences)
        if spec.jwt.allow_empty_token is not None:
            options["allow_empty_token"] = spec.jwt.allow_empty_token
        return options
    if spec.auth == "ldap":
        return {"authentication": "cyrus", "cyrus_application_name": "xmpp", "allow_unencrypted_plain_auth": True}
    options = {"authentication": "internal_hashed"}
    if spec.prosody_version is not None and spec.prosody_version >= (13, 0):
        options["disable_sasl_mechanisms"] = list(_PROSODY_13_SASL)
    return options


def file_contents(path: str) -> Computed:
    """``FileContents("<path>")``: Prosody 13 reads the option's value from the file ``path``."""
    return Computed(f"FileContents({lua.string_literal(path, chr(34))})")


def _written(value: Any) -> Any:
    """A value as the recipe writes it: a ``FileContents`` call reads, in the host file alone (not
    following files), as :data:`FILE_READ`."""
    return Opaque(value, FILE_READ) if isinstance(value, Computed) else value


def _component_changes(
    document: LuaDocument, spec: SecureDomain, *, revert: bool, placement: Placement = _MAIN_FILE
) -> tuple[list[ListMembers], dict[SettingPath, Any]]:
    """The modules lists (the components', and the main host's) with the mode's modules in or out, and
    the conference MUC's options."""
    add: dict[str, list[str]] = {}
    drop: dict[str, list[str]] = {}
    if spec.auth in _HOST_MODULES and placement.main:
        (drop if revert else add).setdefault(spec.domain, []).append(_HOST_MODULES[spec.auth])
    conference = _conference_component(document, spec, placement)
    for section in _mucs(document):
        for module, present in _muc_modules(document, spec, section, conference, revert=revert).items():
            (add if present else drop).setdefault(section, []).append(module)
    # The token check goes back to the comment the packaging ships it as; the packages never ship the rest.
    commented = (_TOKEN_CHECK,) if _packaged(document) else ()
    lists = [
        ListMembers((section, "modules_enabled"), tuple(add.get(section, ())), tuple(drop.get(section, ())), commented)
        for section in dict.fromkeys([*add, *drop])
    ]
    settings: dict[SettingPath, Any] = {}
    if conference is not None and _has_component(document, conference):
        disable = spec.wait_for_host and spec.auth == "jwt" and not revert
        if disable:
            settings[(conference, _DISABLE_AUTO_OWNERS)] = True
        elif _DISABLE_AUTO_OWNERS in document.options(conference) and (revert or spec.auth != "jwt"):
            settings[(conference, _DISABLE_AUTO_OWNERS)] = REMOVE
    return lists, settings


def _muc_modules(
    document: LuaDocument, spec: SecureDomain, section: str, conference: str | None, *, revert: bool
) -> dict[str, bool]:
    """Which of the modules this tool manages the MUC ``section`` must have (``True``) or not (``False``);
    a module not named is left as it is."""
    tokens = spec.auth == "jwt" and not revert
    is_conference = section == conference
    wanted: dict[str, bool] = {}
    if not tokens or section.lower().startswith(_INTERNAL_PREFIXES):
        wanted[_TOKEN_CHECK] = False
    elif is_conference or any(v == _TOKEN_CHECK for _, v in _commented(document, section)):
        wanted[_TOKEN_CHECK] = True
    if spec.wait_for_host and is_conference:
        # Not a mode of its own: only the spec that asks for it adds it, and its revert takes it out.
        wanted[_WAIT_FOR_HOST] = not revert
    if not tokens:
        wanted[_TOKEN_AFFILIATION] = False
    elif spec.token_moderators and is_conference:
        wanted[_TOKEN_AFFILIATION] = True
    return wanted


def _mucs(document: LuaDocument) -> list[str]:
    return [s.name for s in document.sections() if s.kind == "Component" and s.name and s.module == "muc"]


def _has_component(document: LuaDocument, name: str) -> bool:
    return any(s.kind == "Component" and (s.name or "").lower() == name.lower() for s in document.sections())


def _commented(document: LuaDocument, section: str) -> list[tuple[int, Any]]:
    return engine.commented_members(document, (section, "modules_enabled"))


def _defines(document: LuaDocument, section: str, option: str) -> bool:
    return option in document.options(section)


def _conference_component(document: LuaDocument, spec: SecureDomain, placement: Placement = _MAIN_FILE) -> str | None:
    """The MUC conferences live on, if this file defines it: the one the main host's ``main_muc`` (or the
    deployment) names, else ``conference.<domain>``, else the first ``conference.*`` MUC."""
    named = document.get((spec.domain, "main_muc")) if _has_section(document, spec.domain) else None
    components = [s for s in document.sections() if s.kind == "Component" and s.name]
    for name in (named, placement.conference, f"conference.{spec.domain}"):
        if isinstance(name, str):
            for section in components:
                if (section.name or "").lower() == name.lower():
                    return section.name
    for section in components:
        if (section.name or "").lower().startswith("conference.") and section.module == "muc":
            return section.name
    return None


def _main_host(document: LuaDocument, spec: SecureDomain) -> str:
    if not _has_section(document, spec.domain):
        found = ", ".join(s.name for s in document.sections() if s.kind == "VirtualHost" and s.name) or "none"
        raise EditError(f'no VirtualHost "{spec.domain}" section (VirtualHosts found: {found})', source=document.source)
    return spec.domain


def _has_section(document: LuaDocument, name: str) -> bool:
    return any(s.kind == "VirtualHost" and (s.name or "").lower() == name for s in document.sections())


def _anonymous_module(document: LuaDocument, spec: SecureDomain, *, revert: bool = False) -> str:
    """Which anonymous module this deployment uses: the main host's, else the guest host's; else
    ``anonymous``, but on revert in Debian's host file ``jitsi-anonymous`` (what the tokens package's
    postrm switches the main host back to)."""
    for host in (spec.domain, spec.guest_domain):
        if host and _has_section(document, host):
            module = document.get((host, "authentication"))
            if module in ANONYMOUS_MODULES:
                return str(module)
    return "jitsi-anonymous" if revert and _packaged(document) else "anonymous"
