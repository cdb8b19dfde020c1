"""What a secured Jitsi Meet deployment should look like: the validated, frozen spec."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Literal

from jitsi_secure.errors import JitsiSecureError

__all__ = [
    "DEFAULT_SECRET_FILE",
    "FILE_CONTENTS_SINCE",
    "AuthMode",
    "JicofoAuth",
    "JigasiAccount",
    "JwtAuth",
    "Secret",
    "SecureDomain",
    "SpecError",
    "installed_prosody_version",
    "parse_prosody_version",
    "resolve_prosody_version",
    "validate_domain",
    "validate_jid",
]

#: How registered users prove who they are: Prosody accounts (``internal_hashed``), JSON Web Tokens
#: (Prosody's ``token`` module from jitsi-meet-tokens) or an LDAP directory through Cyrus SASL.
AuthMode = Literal["internal", "jwt", "ldap"]
#: What Jicofo does: ask for an XMPP login, a JWT login, or stay out of authentication.
JicofoAuth = Literal["xmpp", "jwt", "off"]

_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)\Z")
_NODE = re.compile(r"[^\s\x00-\x1f\x7f\"'&/:<>@\\]{1,1023}\Z")
_APP_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,254}\Z")
_URL = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%/+-]*)?\Z")
# An issuer or audience claim value: what a token's iss/aud may hold, no quotes, spaces or commas.
_CLAIM = re.compile(r"[A-Za-z0-9*][A-Za-z0-9_.:/*-]{0,254}\Z")
# Where --secret-source file puts the app secret: a plain absolute path that FileContents reads as written.
_SECRET_PATH = re.compile(r"(?!.*/\.\.?(/|\Z))/[A-Za-z0-9._+-][A-Za-z0-9._+/-]{0,1022}(?<!/)\Z")
#: The file ``--secret-source file`` writes the app secret to unless told (``{domain}`` is the main
#: domain): beside Prosody's private keys, in the folder Debian gives Prosody's group only.
DEFAULT_SECRET_FILE = "/etc/prosody/certs/{domain}.app_secret"
#: The Prosody version whose config loader has ``FileContents``.
FILE_CONTENTS_SINCE = (13, 0)
# Jicofo's authentication-lifetime: a HOCON duration such as "24 hours", "90 minutes", "1d".
_DURATION = re.compile(
    r"[0-9]{1,9} ?(ns|us|ms|s|m|h|d|nanoseconds?|microseconds?|milliseconds?|seconds?|minutes?|hours?|days?)\Z"
)
# X.Y with anything after the minor (0.12.4, 13.0.1), or a bare major (13; not 0, whose minors differ).
_VERSION = re.compile(r"(?:(\d+)\.(\d+)\S*|([1-9]\d*))$")
# The first line of `prosodyctl about`'s output: "Prosody 0.12.4", "Prosody 13.0.1", ...
_ABOUT_VERSION = re.compile(r"^Prosody (\d+)\.(\d+)", re.MULTILINE)


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
class JwtAuth:
    """Token authentication: who issues the tokens and how Prosody checks them.

    Exactly one key source is given: ``app_secret`` (a shared HS256 secret, Prosody's ``app_secret``),
    ``asap_key_server`` (the base URL of the issuer's public keys, ``asap_key_server``) or ``jwks_url``
    (a JSON Web Key Set, ``cache_keys_url``, which Jitsi's token plugin accepts alone since 2025-11).
    ``secret_file`` (with ``app_secret``, Prosody 13 and newer): the path, as the deployment sees it, of
    the file the secret goes into; the host file then says ``app_secret = FileContents("<path>")``
    instead of holding the secret (:data:`DEFAULT_SECRET_FILE` names the usual place).
    ``accepted_issuers``/``accepted_audiences`` limit the tokens' ``iss``/``aud`` claims
    (``asap_accepted_issuers``/``asap_accepted_audiences``). ``allow_empty_token`` lets clients without a
    token in (they then land on the guest domain, if any).
    """

    app_id: str
    app_secret: Secret | None = None
    asap_key_server: str | None = None
    allow_empty_token: bool | None = None
    jwks_url: str | None = None
    accepted_issuers: tuple[str, ...] = ()
    accepted_audiences: tuple[str, ...] = ()
    secret_file: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.app_id, str) or not _APP_ID.match(self.app_id):
            raise SpecError(f"the app id {self.app_id!r} must be letters, digits, '.', '_' or '-'")
        sources = [s for s in (self.app_secret, self.asap_key_server, self.jwks_url) if s is not None]
        if len(sources) != 1:
            raise SpecError(
                "token authentication needs exactly one key source: an app secret, an ASAP key server or a JWKS URL"
            )
        if self.app_secret is not None and (
            not isinstance(self.app_secret, Secret) or not self.app_secret.reveal() or "\n" in self.app_secret.reveal()
        ):
            raise SpecError("the app secret must be a non-empty Secret on one line")
        if self.secret_file is not None:
            if self.app_secret is None:
                raise SpecError("--secret-source file keeps the app secret in a file: it goes with --app-secret-file")
            if not isinstance(self.secret_file, str) or not _SECRET_PATH.match(self.secret_file):
                raise SpecError(
                    f"the secret file {self.secret_file!r} must be an absolute path of letters, digits, "
                    "'.', '_', '-', '+' and '/' (no '..')"
                )
        for what, url in (("ASAP key server", self.asap_key_server), ("JWKS URL", self.jwks_url)):
            if url is not None and not _URL.match(url):
                raise SpecError(f"the {what} {url!r} is not a plain http(s) URL")
        object.__setattr__(self, "accepted_issuers", tuple(self.accepted_issuers))
        object.__setattr__(self, "accepted_audiences", tuple(self.accepted_audiences))
        for what, claims in (("issuer", self.accepted_issuers), ("audience", self.accepted_audiences)):
            for claim in claims:
                if not isinstance(claim, str) or not _CLAIM.match(claim):
                    raise SpecError(f"the accepted {what} {claim!r} must be letters, digits, '.', '_', ':', '/' or '-'")

    @property
    def key_option(self) -> str:
        """The Prosody option that names the key source: ``app_secret``, ``asap_key_server`` or ``cache_keys_url``."""
        if self.app_secret is not None:
            return "app_secret"
        return "asap_key_server" if self.asap_key_server is not None else "cache_keys_url"


@dataclass(frozen=True)
class SecureDomain:
    """A Secure Domain setup: registered users create rooms on ``domain``, guests join on ``guest_domain``.

    Attributes:
        domain: the main XMPP domain, e.g. ``meet.example.com``.
        guest_domain: the anonymous domain for guests; defaults to ``guest.<domain>``; ``None`` with
            ``guests=False`` (then nobody without an account can join).
        auth: the authentication mode: ``"internal"`` (Prosody accounts, ``internal_hashed``),
            ``"jwt"`` (tokens; needs ``jwt``) or ``"ldap"`` (Cyrus SASL).
        jwt: the token settings, with ``auth="jwt"`` only.
        jicofo_auth: Jicofo's part: ``"xmpp"``, ``"jwt"`` or ``"off"``. Defaults to ``"xmpp"``, and to
            ``"off"`` with tokens, as upstream's token guide says (Jicofo must stay out when Prosody
            checks tokens); ``"jwt"`` is the older advice.
        prosody_version: the installed Prosody's ``(major, minor)``; 13 and newer also get
            ``disable_sasl_mechanisms`` on a password host.
        jigasi: the account Jigasi logs in with, if Jigasi is deployed.
        wait_for_host: rooms wait for a host (``muc_wait_for_host`` on the conference MUC; with tokens
            also ``wait_for_host_disable_auto_owners``, so the host's token, not the first to join, decides).
        token_moderators: the token decides who is moderator (``token_affiliation`` on the conference MUC,
            Jicofo's ``enable-auto-owner = false``); tokens only.
        auto_login: Jicofo's ``enable-auto-login`` (Secure Domain: a login is remembered); ``None`` leaves it.
        auth_lifetime: Jicofo's ``authentication-lifetime`` (a duration such as ``"24 hours"``); ``None``
            leaves it.
    """

    domain: str
    guest_domain: str | None = None
    guests: bool = True
    auth: AuthMode = "internal"
    jwt: JwtAuth | None = None
    jicofo_auth: JicofoAuth | None = None
    prosody_version: tuple[int, int] | None = None
    jigasi: JigasiAccount | None = None
    wait_for_host: bool = False
    token_moderators: bool = False
    auto_login: bool | None = None
    auth_lifetime: str | None = None

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
        if self.auth not in ("internal", "jwt", "ldap"):
            raise SpecError(f"unknown authentication mode {self.auth!r} (supported: internal, jwt, ldap)")
        if (self.auth == "jwt") != (self.jwt is not None):
            raise SpecError("token settings (app id and secret or key server) go with --auth jwt, and only with it")
        if self.jicofo_auth is None:
            object.__setattr__(self, "jicofo_auth", "off" if self.auth == "jwt" else "xmpp")
        elif self.jicofo_auth not in ("xmpp", "jwt", "off"):
            raise SpecError(f"unknown Jicofo authentication {self.jicofo_auth!r} (supported: xmpp, jwt, off)")
        elif self.jicofo_auth == "jwt" and self.auth != "jwt":
            raise SpecError("Jicofo can use JWT only when Prosody does (--auth jwt)")
        if self.token_moderators and self.auth != "jwt":
            raise SpecError("token moderators (--token-moderators) need token authentication (--auth jwt)")
        if (self.auto_login is not None or self.auth_lifetime is not None) and self.jicofo_auth != "xmpp":
            raise SpecError(
                "--auto-login and --auth-lifetime are Jicofo's XMPP login settings (Secure Domain); "
                f"Jicofo authentication here is {self.jicofo_auth}"
            )
        if (
            self.jwt is not None
            and self.jwt.secret_file is not None
            and (self.prosody_version is None or self.prosody_version < FILE_CONTENTS_SINCE)
        ):
            have = "unknown" if self.prosody_version is None else ".".join(map(str, self.prosody_version))
            raise SpecError(
                "--secret-source file needs Prosody 13.0 or newer (its config reads the secret with "
                f"FileContents); the Prosody version here is {have}: give --prosody-version, or keep the "
                "secret in the config (--secret-source config)"
            )
        if self.auth_lifetime is not None and not _DURATION.match(self.auth_lifetime):
            raise SpecError(f"the authentication lifetime {self.auth_lifetime!r} is not a duration like '24 hours'")

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret this spec will write into a file, for masking output."""
        secrets = [self.jigasi.password if self.jigasi else None, self.jwt.app_secret if self.jwt else None]
        return tuple(s.reveal() for s in secrets if s is not None)


# ------------------------------------------------------------------------------------ Prosody version


def parse_prosody_version(text: str) -> tuple[int, int]:
    """``(major, minor)`` of a version given as ``X.Y`` (``"0.12"``, ``"13.0"``; ``"0.12.4"`` gives
    ``(0, 12)``) or as a bare major (``"13"`` is ``(13, 0)``), the form :attr:`SecureDomain.prosody_version`
    takes.

    Raises :class:`SpecError` otherwise; the message names the command line's ``--prosody-version``.
    """
    match = _VERSION.match(text.strip())
    if not match:
        raise SpecError(f"--prosody-version {text!r} is not of the form X.Y or X (like 0.12, 13.0 or 13)")
    if match.group(3) is not None:
        return int(match.group(3)), 0
    return int(match.group(1)), int(match.group(2))


def installed_prosody_version(root: str | os.PathLike[str] = "/") -> tuple[int, int] | None:
    """``(major, minor)`` of the Prosody installed on this machine, from ``prosodyctl about``.

    ``None`` when it cannot be told: ``root`` is not ``/`` (an image under another root says nothing
    about this machine's Prosody), ``prosodyctl`` is not on the ``PATH``, or it fails, takes more than
    30 s or prints no version.
    """
    import shutil
    import subprocess

    if os.path.realpath(root) != "/" or shutil.which("prosodyctl") is None:
        return None
    try:
        about = subprocess.run(["prosodyctl", "about"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = _ABOUT_VERSION.search(about.stdout)
    return (int(match.group(1)), int(match.group(2))) if match else None


def resolve_prosody_version(
    given: str | None, *, root: str | os.PathLike[str] = "/", auth: AuthMode = "internal", secret_file: bool = False
) -> tuple[int, int] | None:
    """The Prosody version a host file is written for, by the command line's rule (which the Ansible
    module follows, so both write the same bytes).

    ``given`` (``X.Y``, see :func:`parse_prosody_version`) if not ``None``; else, with ``auth``
    ``"internal"`` or ``secret_file`` (the settings that depend on it), :func:`installed_prosody_version`
    under ``root``; else ``None``.
    """
    if given is not None:
        return parse_prosody_version(given)
    if auth != "internal" and not secret_file:
        return None
    return installed_prosody_version(root)
