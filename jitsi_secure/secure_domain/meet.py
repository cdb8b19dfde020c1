"""jitsi-meet's ``config.js``: tell the web app where guests log in anonymously.

The shipped file has ``// anonymousdomain: 'guest.example.com',`` inside ``hosts``; the config.js
document uncomments it in place. Revert comments it out again, which is how the file ships.
"""

from __future__ import annotations

from jitsi_secure.formats.js import ConfigJsDocument
from jitsi_secure.secure_domain import _engine as engine
from jitsi_secure.secure_domain._engine import COMMENT_OUT, Declaration
from jitsi_secure.secure_domain._intent import Finding, Intent, SettingPath, flatten, unmet
from jitsi_secure.secure_domain.spec import SecureDomain

__all__ = ["apply", "audit", "declare", "describe", "intent", "revert"]

ROLE = "meet"
_ANONYMOUS_DOMAIN = ("hosts", "anonymousdomain")


def declare(document: ConfigJsDocument, spec: SecureDomain, *, revert: bool = False) -> Declaration:
    """config.js pointing guests at the guest domain; without one (or on revert) the setting commented
    out, as shipped."""
    guest = None if revert else spec.guest_domain
    return Declaration({_ANONYMOUS_DOMAIN: guest if guest else COMMENT_OUT})


def intent(document: ConfigJsDocument, spec: SecureDomain, *, revert: bool = False) -> Intent:
    """The settings config.js should have after applying (or reverting) ``spec`` (from :func:`declare`)."""
    return engine.intent(document, declare(document, spec, revert=revert))


def apply(document: ConfigJsDocument, spec: SecureDomain) -> ConfigJsDocument:
    """config.js pointing guests at the guest domain (or at nothing, when guests are off)."""
    return engine.edit(document, declare(document, spec))


def revert(document: ConfigJsDocument, spec: SecureDomain) -> ConfigJsDocument:
    """config.js without an anonymous domain (the setting commented out, as shipped)."""
    return engine.edit(document, declare(document, spec, revert=True))


def audit(document: ConfigJsDocument, spec: SecureDomain, *, file: str) -> list[Finding]:
    """The settings of config.js that are not yet as ``spec`` wants."""
    return unmet(intent(document, spec), flatten(document.to_dict()), describe, file)


def describe(path: SettingPath) -> str:
    """``("hosts", "anonymousdomain")`` as ``config.hosts.anonymousdomain``."""
    return "config." + ".".join(path)
