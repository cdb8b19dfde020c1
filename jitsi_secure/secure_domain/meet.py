"""jitsi-meet's ``config.js``: tell the web app where guests log in anonymously.

The shipped file has ``// anonymousdomain: 'guest.example.com',`` inside ``hosts``; the config.js
document uncomments it in place. Revert comments it out again, which is how the file ships.
"""

from __future__ import annotations

from jitsi_secure.formats import COMMENT_OUT
from jitsi_secure.formats.js import ConfigJsDocument
from jitsi_secure.secure_domain import _engine as engine
from jitsi_secure.secure_domain._engine import Declaration
from jitsi_secure.secure_domain._intent import SettingPath
from jitsi_secure.secure_domain.spec import SecureDomain

__all__ = ["apply", "audit", "declare", "describe", "intent", "revert"]

ROLE = "meet"
_ANONYMOUS_DOMAIN = ("hosts", "anonymousdomain")


def declare(document: ConfigJsDocument, spec: SecureDomain, *, revert: bool = False) -> Declaration:
    """config.js pointing guests at the guest domain; without one (or on revert) the setting commented
    out, as shipped."""
    guest = None if revert else spec.guest_domain
    return Declaration({_ANONYMOUS_DOMAIN: guest if guest else COMMENT_OUT})


def describe(path: SettingPath) -> str:
    """``("hosts", "anonymousdomain")`` as ``config.hosts.anonymousdomain``."""
    return "config." + ".".join(path)


# intent, apply, revert and audit are all derived from declare (see _engine.Recipe).
_RECIPE = engine.Recipe(declare, describe)
intent, apply, revert, audit = _RECIPE.intent, _RECIPE.apply, _RECIPE.revert, _RECIPE.audit
