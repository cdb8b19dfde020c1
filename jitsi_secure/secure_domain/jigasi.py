"""Jigasi: log in with an account once the main domain refuses anonymous logins.

The shipped file has the three settings commented out (``# org.jitsi.jigasi.xmpp.acc.USER_ID=...``);
the properties document uncomments them in place. The password is plain text (Jigasi does not
decode it) and is escaped so that ``java.util.Properties`` reads back exactly the given string.
"""

from __future__ import annotations

from jitsi_secure.formats import COMMENT_OUT, REMOVE
from jitsi_secure.formats.properties import PropertiesDocument
from jitsi_secure.secure_domain import _engine as engine
from jitsi_secure.secure_domain._engine import Declaration
from jitsi_secure.secure_domain._intent import SettingPath
from jitsi_secure.secure_domain.spec import SecureDomain

__all__ = ["PASSWORD", "USER_ID", "apply", "audit", "declare", "describe", "intent", "revert"]

ROLE = "jigasi"
_PREFIX = "org.jitsi.jigasi.xmpp.acc."
USER_ID = _PREFIX + "USER_ID"
PASSWORD = _PREFIX + "PASS"
ANONYMOUS_AUTH = _PREFIX + "ANONYMOUS_AUTH"


def _settings(spec: SecureDomain) -> dict[str, str]:
    if spec.jigasi is None:
        return {}
    return {USER_ID: spec.jigasi.jid, PASSWORD: spec.jigasi.password.reveal(), ANONYMOUS_AUTH: "false"}


def declare(document: PropertiesDocument, spec: SecureDomain, *, revert: bool = False) -> Declaration:
    """The account settings after applying (only when an account is given) or reverting: Jigasi back
    to anonymous login, the account lines commented out and the password deleted (so the secret does
    not linger in the file)."""
    secret = frozenset({(PASSWORD,)})
    if revert:
        return Declaration({(PASSWORD,): REMOVE, (USER_ID,): COMMENT_OUT, (ANONYMOUS_AUTH,): COMMENT_OUT}, secret)
    return Declaration({(key,): value for key, value in _settings(spec).items()}, secret)


def describe(path: SettingPath) -> str:
    """A property key as it is."""
    return path[0]


# intent, apply, revert and audit are all derived from declare (see _engine.Recipe).
_RECIPE = engine.Recipe(declare, describe)
intent, apply, revert, audit = _RECIPE.intent, _RECIPE.apply, _RECIPE.revert, _RECIPE.audit
