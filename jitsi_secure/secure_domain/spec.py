"""What a secured Jitsi Meet deployment should look like: the validated, frozen spec."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from jitsi_secure.errors import JitsiSecureError

__all__ = ["AuthMode", "JigasiAccount", "Secret", "SecureDomain", "SpecError", "validate_domain", "validate_jid"]

#: Authentication modes. Only internal accounts exist today; JWT and LDAP come as further values.
AuthMode = Literal["internal"]

_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)\Z")
_NODE = re.compile(r"[^\s\"'&/:<>@\\]{1,1023}\Z")


class SpecError(JitsiSecureError):
    """A spec value that cannot be used (a bad domain, JID or secret)."""


class Secret:
    """A string that must never be shown: ``str()``/``repr()`` give a mask, ``reveal()`` the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise SpecError("a secret must be a string")
        self._value = value

    def reveal(self) -> str:
        """The secret itself, for the one place that writes it into a file."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def validate_domain(domain: str, *, what: str = "domain") -> str:
    """``domain`` lower-cased if it is a plain DNS host name, else :class:`SpecError`.

    Anything that could inject text into a configuration file (quotes, spaces, slashes, ``..``,
    comment or substitution characters) fails here, before any file is read.
    """
    if not isinstance(domain, str) or not domain:
        raise SpecError(f"the {what} is empty")
    name = domain.lower()
    labels = name.split(".")
    if len(name) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise SpecError(
            f"the {what} {domain!r} is not a host name (letters, digits and '-' in dot-separated labels, "
            "like meet.example.com)"
        )
    return name


def validate_jid(jid: str, *, what: str = "JID") -> str:
    """A bare JID ``user@domain`` with a safe local part and a valid domain, else :class:`SpecError`."""
    user, at, domain = jid.partition("@")
    if not at or not _NODE.match(user):
        raise SpecError(f"the {what} {jid!r} is not of the form user@domain (no spaces, quotes, '/', ':' or '\\')")
    return f"{user}@{validate_domain(domain, what=f'domain of the {what}')}"


@dataclass(frozen=True)
class JigasiAccount:
    """The XMPP account Jigasi logs in with once anonymous logins are refused."""

    jid: str
    password: Secret

    def __post_init__(self) -> None:
        object.__setattr__(self, "jid", validate_jid(self.jid, what="Jigasi JID"))
        if not isinstance(self.password, Secret):
            raise SpecError("the Jigasi password must be given as a Secret")
        if not self.password.reveal():
            raise SpecError("the Jigasi password is empty")


@dataclass(frozen=True)
class SecureDomain:
    """A Secure Domain setup: registered users create rooms on ``domain``, guests join on ``guest_domain``.

    Attributes:
        domain: the main XMPP domain, e.g. ``meet.example.com``.
        guest_domain: the anonymous domain for guests; defaults to ``guest.<domain>``; ``None`` with
            ``guests=False`` (then nobody without an account can join).
        auth: the authentication mode (``"internal"``: Prosody accounts, ``internal_hashed``).
        jigasi: the account Jigasi logs in with, if Jigasi is deployed.
    """

    domain: str
    guest_domain: str | None = None
    guests: bool = True
    auth: AuthMode = "internal"
    jigasi: JigasiAccount | None = None

    def __post_init__(self) -> None:
        domain = validate_domain(self.domain)
        object.__setattr__(self, "domain", domain)
        if not self.guests:
            if self.guest_domain is not None:
                raise SpecError("a guest domain was given but guests are turned off")
        else:
            guest = validate_domain(self.guest_domain or f"guest.{domain}", what="guest domain")
            if guest == domain:
                raise SpecError("the guest domain must differ from the main domain")
            object.__setattr__(self, "guest_domain", guest)
        if self.auth != "internal":
            raise SpecError(f"unknown authentication mode {self.auth!r} (supported: internal)")
