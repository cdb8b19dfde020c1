"""Jicofo: ask for a login before a conference starts (``jicofo.conf``), and keep the legacy
``sip-communicator.properties`` from contradicting it.

Jicofo reads ``org.jitsi.jicofo.auth.URL`` from the legacy file *before* jicofo.conf, so a stale
line there silently wins; the legacy recipe brings it in line and the audit warns that it exists.
"""

from __future__ import annotations

from typing import Any

from jitsi_secure.formats import COMMENT_OUT, REMOVE
from jitsi_secure.formats.hocon import HoconDocument
from jitsi_secure.formats.properties import PropertiesDocument
from jitsi_secure.secure_domain import _engine as engine
from jitsi_secure.secure_domain._engine import Declaration
from jitsi_secure.secure_domain._intent import Finding, Intent, SettingPath, flatten, unmet
from jitsi_secure.secure_domain.spec import SecureDomain

__all__ = [
    "LEGACY_AUTH_URL",
    "apply",
    "apply_legacy",
    "audit",
    "audit_legacy",
    "declare",
    "declare_legacy",
    "describe",
    "intent",
    "intent_legacy",
    "legacy_warnings",
    "revert",
    "revert_legacy",
]

ROLE = "jicofo"
LEGACY_ROLE = "jicofo-legacy"
#: The legacy property that overrides jicofo.conf's authentication.
LEGACY_AUTH_URL = "org.jitsi.jicofo.auth.URL"
_AUTH = ("jicofo", "authentication")
#: Off when the token decides who is moderator (``token_affiliation``): else the first to join owns the room.
_AUTO_OWNER = ("jicofo", "conference", "enable-auto-owner")


def _settings(spec: SecureDomain) -> dict[str, Any]:
    if spec.jicofo_auth == "off":
        # With tokens, upstream now advises leaving Jicofo out of authentication altogether.
        return {"enabled": False}
    # login-url is the main domain, the one users are registered on (never auth.<domain>).
    settings: dict[str, Any] = {
        "enabled": True,
        "type": "JWT" if spec.jicofo_auth == "jwt" else "XMPP",
        "login-url": spec.domain,
    }
    if spec.auto_login is not None:
        settings["enable-auto-login"] = spec.auto_login
    if spec.auth_lifetime is not None:
        settings["authentication-lifetime"] = spec.auth_lifetime
    return settings


def declare(document: HoconDocument, spec: SecureDomain, *, revert: bool = False) -> Declaration:
    """jicofo.conf with the spec's authentication inside the existing ``jicofo`` block; on revert
    authentication disabled (type and login-url stay, harmless when disabled)."""
    wanted: dict[SettingPath, Any] = (
        {(*_AUTH, "enabled"): False} if revert else {(*_AUTH, key): value for key, value in _settings(spec).items()}
    )
    if spec.token_moderators and not revert:
        wanted[_AUTO_OWNER] = False
    elif document.get(".".join(_AUTO_OWNER)) is False and (revert or spec.auth != "jwt"):
        # Only token affiliation gives a room an owner once auto-owner is off: without tokens it goes,
        # with the block apply made for it when nothing else is in it.
        block = document.get(".".join(_AUTO_OWNER[:-1]))
        alone = isinstance(block, dict) and set(block) == {_AUTO_OWNER[-1]}
        wanted[_AUTO_OWNER[:-1] if alone else _AUTO_OWNER] = REMOVE
    return Declaration(wanted)


def describe(path: SettingPath) -> str:
    """``("jicofo", "authentication", "enabled")`` as ``jicofo.authentication.enabled``."""
    return ".".join(path)


def _legacy_url(spec: SecureDomain) -> str | None:
    """The legacy value that agrees with jicofo.conf: Jicofo reads ``EXT_JWT:``/``XMPP:`` prefixes."""
    if spec.jicofo_auth == "off":
        return None
    return f"{'EXT_JWT' if spec.jicofo_auth == 'jwt' else 'XMPP'}:{spec.domain}"


def declare_legacy(
    document: PropertiesDocument, spec: SecureDomain, *, revert: bool = False, authoritative: bool = False
) -> Declaration:
    """The legacy property, if the file has it, must agree with jicofo.conf (or be commented out on revert).

    Any value there turns Jicofo's authentication on, so with Jicofo authentication off it must go.
    ``authoritative``: the deployment has no jicofo.conf (an older Jicofo), so the property must be
    there whenever Jicofo's authentication is wanted; else an absent one stays absent.
    """
    wanted = None if revert else _legacy_url(spec)
    if wanted is not None and document.get(LEGACY_AUTH_URL) is None and not authoritative:
        return Declaration()
    return Declaration({(LEGACY_AUTH_URL,): COMMENT_OUT if wanted is None else wanted})


def intent_legacy(
    document: PropertiesDocument, spec: SecureDomain, *, revert: bool = False, authoritative: bool = False
) -> Intent:
    """The legacy property after applying (or reverting) ``spec`` (from :func:`declare_legacy`)."""
    return engine.intent(document, declare_legacy(document, spec, revert=revert, authoritative=authoritative))


def apply_legacy(
    document: PropertiesDocument, spec: SecureDomain, *, authoritative: bool = False
) -> PropertiesDocument:
    """The legacy file with a present ``org.jitsi.jicofo.auth.URL`` brought in line; an absent one stays
    absent unless the file is ``authoritative`` (no jicofo.conf), where it is added."""
    return engine.edit(document, declare_legacy(document, spec, authoritative=authoritative))


def revert_legacy(document: PropertiesDocument, spec: SecureDomain) -> PropertiesDocument:
    """The legacy file with ``org.jitsi.jicofo.auth.URL`` commented out."""
    return engine.edit(document, declare_legacy(document, spec, revert=True))


def audit_legacy(document: PropertiesDocument, spec: SecureDomain, *, file: str) -> list[Finding]:
    """A legacy ``org.jitsi.jicofo.auth.URL`` that contradicts the spec."""
    return unmet(intent_legacy(document, spec), flatten(document.to_dict()), describe, file)


def legacy_warnings(document: PropertiesDocument, spec: SecureDomain, *, file: str) -> list[str]:
    """Why a present legacy ``org.jitsi.jicofo.auth.URL`` deserves attention even when it agrees."""
    if document.get(LEGACY_AUTH_URL) is None:
        return []
    return [
        f"{file}: {LEGACY_AUTH_URL} is set; Jicofo reads it before jicofo.conf, so it overrides "
        "jicofo.authentication (consider removing it once jicofo.conf is authoritative)"
    ]


# intent, apply, revert and audit are all derived from declare (see _engine.Recipe).
_RECIPE = engine.Recipe(declare, describe)
intent, apply, revert, audit = _RECIPE.intent, _RECIPE.apply, _RECIPE.revert, _RECIPE.audit
