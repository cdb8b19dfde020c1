"""Jigasi: log in with an account once the main domain refuses anonymous logins.

The shipped file has the three settings commented out (``# org.jitsi.jigasi.xmpp.acc.USER_ID=...``);
the properties document uncomments them in place. The password is plain text (Jigasi does not
decode it) and is escaped so that ``java.util.Properties`` reads back exactly the given string.
"""

from __future__ import annotations

from typing import Any

from jitsi_secure.formats.properties import PropertiesDocument
from jitsi_secure.secure_domain._intent import ABSENT, Finding, Intent, SettingPath, flatten, unmet
from jitsi_secure.secure_domain.spec import SecureDomain

__all__ = ["PASSWORD", "USER_ID", "apply", "audit", "describe", "intent", "revert"]

ROLE = "jigasi"
_PREFIX = "org.jitsi.jigasi.xmpp.acc."
USER_ID = _PREFIX + "USER_ID"
PASSWORD = _PREFIX + "PASS"
ANONYMOUS_AUTH = _PREFIX + "ANONYMOUS_AUTH"


def _settings(spec: SecureDomain) -> dict[str, str]:
    if spec.jigasi is None:
        return {}
    return {USER_ID: spec.jigasi.jid, PASSWORD: spec.jigasi.password.reveal(), ANONYMOUS_AUTH: "false"}


def intent(document: PropertiesDocument, spec: SecureDomain, *, revert: bool = False) -> Intent:
    """The account settings after applying (only when an account is given) or reverting."""
    secret = frozenset({(PASSWORD,)})
    if revert:
        return Intent({(key,): ABSENT for key in (USER_ID, PASSWORD, ANONYMOUS_AUTH)}, secret=secret)
    wanted: dict[SettingPath, Any] = {(key,): value for key, value in _settings(spec).items()}
    return Intent(wanted, secret=secret)


def apply(document: PropertiesDocument, spec: SecureDomain) -> PropertiesDocument:
    """The Jigasi file logging in with the spec's account (unchanged when none is given)."""
    for key, value in _settings(spec).items():
        document = document.set(key, value)
    return document


def revert(document: PropertiesDocument, spec: SecureDomain) -> PropertiesDocument:
    """Jigasi back to anonymous login: the account lines commented out, the password removed.

    The password line is deleted rather than commented out so the secret does not linger in the file.
    """
    document = document.remove(PASSWORD)
    for key in (USER_ID, ANONYMOUS_AUTH):
        document = document.remove(key, comment_out=True)
    return document


def audit(document: PropertiesDocument, spec: SecureDomain, *, file: str) -> list[Finding]:
    """The account settings that are not yet as ``spec`` wants."""
    return unmet(intent(document, spec), flatten(document.to_dict()), describe, file)


def describe(path: SettingPath) -> str:
    """A property key as it is."""
    return path[0]
