"""docker-jitsi-meet: the durable change is the ``.env`` file, not the rendered configs.

The containers render Prosody's, Jicofo's and the web app's files from environment variables at every
start, so an edit to a rendered file is gone at the next restart. The settings that matter
(docker-jitsi-meet's ``env.example``): ``ENABLE_AUTH=1``, ``ENABLE_GUESTS=1``,
``AUTH_TYPE=internal|jwt|ldap``, ``JWT_APP_ID``, ``JWT_APP_SECRET`` or ``JWT_ASAP_KEYSERVER``,
``JWT_ALLOW_EMPTY``, ``JICOFO_ENABLE_AUTH`` (for tokens without Jicofo) and ``XMPP_GUEST_DOMAIN``.
The shipped file has them commented out (``#ENABLE_AUTH=1``); the ``.env`` document uncomments them
in place. Revert comments them out again, except the app secret, which is deleted (a commented-out
secret is still a secret on disk; so does a move to another mode), and ``XMPP_GUEST_DOMAIN``, which only
names a domain and means nothing while ``ENABLE_GUESTS`` is off.

The options beyond the mode have their own variables: ``JWT_ACCEPTED_ISSUERS``/``AUDIENCES``,
``ENABLE_AUTO_LOGIN`` and ``JICOFO_AUTH_LIFETIME`` (Jicofo's login), ``ENABLE_AUTO_OWNER=0`` with token
moderators, ``WAIT_FOR_HOST_DISABLE_AUTO_OWNERS=1`` with tokens and waiting for a host, and the MUC
modules ``muc_wait_for_host``/``token_affiliation`` in ``XMPP_MUC_MODULES``. A JWKS URL
(``cache_keys_url``) has no variable: the plan refuses it for docker.
"""

from __future__ import annotations

from typing import Any

from jitsi_secure._layout import DEFAULT_XMPP_DOMAIN, xmpp_domain
from jitsi_secure.errors import EditError
from jitsi_secure.formats import COMMENT_OUT, REMOVE, CommentOut, Remove
from jitsi_secure.formats.dotenv import DotenvDocument, readers_disagree
from jitsi_secure.secure_domain import _engine as engine
from jitsi_secure.secure_domain._engine import Declaration
from jitsi_secure.secure_domain._intent import SettingPath
from jitsi_secure.secure_domain.spec import SecureDomain

__all__ = [
    "DEFAULT_XMPP_DOMAIN",
    "apply",
    "audit",
    "declare",
    "describe",
    "intent",
    "revert",
    "warnings",
    "xmpp_domain",
]

ROLE = "docker-env"
_DEFAULT_GUEST_DOMAIN = "guest.meet.jitsi"
_SECRET = "JWT_APP_SECRET"
#: Everything apply may set; revert takes all of it back.
_MANAGED = (
    "ENABLE_AUTH",
    "ENABLE_GUESTS",
    "AUTH_TYPE",
    "XMPP_GUEST_DOMAIN",
    "JWT_APP_ID",
    "JWT_APP_SECRET",
    "JWT_ASAP_KEYSERVER",
    "JWT_ALLOW_EMPTY",
    "JICOFO_ENABLE_AUTH",
    "JWT_ACCEPTED_ISSUERS",
    "JWT_ACCEPTED_AUDIENCES",
    "ENABLE_AUTO_OWNER",
    "WAIT_FOR_HOST_DISABLE_AUTO_OWNERS",
)
#: Set only when the spec asks; revert takes back only what its spec asks for.
_ASKED = ("ENABLE_AUTO_LOGIN", "JICOFO_AUTH_LIFETIME")
_MUC_MODULES = "XMPP_MUC_MODULES"

#: Why a secret is refused before anything else (docs/docker.md): no value in it, only its shape.
_UNWRITABLE_SECRET = (
    "the JWT app secret cannot be written to .env so that Docker Compose and python-dotenv read it alike: "
    "it holds a ' or a \\ (so only double quotes can hold it) and a $ before a letter, _, { or $ (which "
    "inside double quotes must be written \\$: Compose reads that as $, python-dotenv as \\$); nothing "
    "was written. Choose a secret without that combination (for example one of letters and digits only: "
    "openssl rand -hex 32) and give it again with --app-secret-file"
)


def _settings(document: DotenvDocument, spec: SecureDomain) -> dict[str, str | None]:
    """The wanted value of every managed variable (``None``: must not be set)."""
    settings: dict[str, str | None] = dict.fromkeys(_MANAGED)
    settings.update(ENABLE_AUTH="1", ENABLE_GUESTS="1" if spec.guest_domain else "0", AUTH_TYPE=spec.auth)
    default_guest = f"guest.{xmpp_domain(document)}" if document.get("XMPP_DOMAIN") else _DEFAULT_GUEST_DOMAIN
    if spec.guest_domain and spec.guest_domain != default_guest:
        settings["XMPP_GUEST_DOMAIN"] = spec.guest_domain
    else:
        # A guest domain already set in .env is the deployment's own choice; keep it.
        guest = document.get("XMPP_GUEST_DOMAIN")
        settings["XMPP_GUEST_DOMAIN"] = guest if isinstance(guest, str) else None
    if spec.jwt is not None:
        if spec.jwt.jwks_url is not None:
            raise EditError(
                "docker-jitsi-meet has no .env variable for a JWKS URL (cache_keys_url); "
                "use --app-secret-file or --asap-key-server, or set it in a prosody conf.d overlay yourself"
            )
        settings["JWT_APP_ID"] = spec.jwt.app_id
        secret = spec.jwt.app_secret.reveal() if spec.jwt.app_secret else None
        if secret is not None and readers_disagree(secret):
            raise EditError(_UNWRITABLE_SECRET, source=document.source)
        settings["JWT_APP_SECRET"] = secret
        settings["JWT_ASAP_KEYSERVER"] = spec.jwt.asap_key_server
        settings["JWT_ALLOW_EMPTY"] = (
            "1" if spec.jwt.allow_empty_token else _explicit_false(document, "JWT_ALLOW_EMPTY")
        )
        settings["JWT_ACCEPTED_ISSUERS"] = ",".join(spec.jwt.accepted_issuers) or None
        settings["JWT_ACCEPTED_AUDIENCES"] = ",".join(spec.jwt.accepted_audiences) or None
        settings["ENABLE_AUTO_OWNER"] = "0" if spec.token_moderators else None
        settings["WAIT_FOR_HOST_DISABLE_AUTO_OWNERS"] = "1" if spec.wait_for_host else None
    if spec.jicofo_auth == "off":
        settings["JICOFO_ENABLE_AUTH"] = "0"
    if spec.auto_login is not None:
        settings["ENABLE_AUTO_LOGIN"] = "1" if spec.auto_login else "0"
    if spec.auth_lifetime is not None:
        settings["JICOFO_AUTH_LIFETIME"] = spec.auth_lifetime
    modules = _muc_modules(document, spec, revert=False)
    if modules is not None:
        settings[_MUC_MODULES] = modules
    return settings


def _explicit_false(document: DotenvDocument, key: str) -> str | None:
    """``key``'s value when it explicitly says false (``0``, ``false``): the change wants "not true", and
    the admin's line says so already; ``None`` (not set) otherwise."""
    value = document.get(key)
    return value if isinstance(value, str) and value.lower() in ("0", "false") else None


def _muc_modules(document: DotenvDocument, spec: SecureDomain, *, revert: bool) -> str | None:
    """``XMPP_MUC_MODULES`` with the modules the spec asks for in (revert: out), ``None`` for no change."""
    asked = [
        m for m, on in (("muc_wait_for_host", spec.wait_for_host), ("token_affiliation", spec.token_moderators)) if on
    ]
    if not asked:
        return None
    current = document.get(_MUC_MODULES)
    modules = [m.strip() for m in current.split(",") if m.strip()] if isinstance(current, str) else []
    new = [m for m in modules if m not in asked] if revert else modules + [m for m in asked if m not in modules]
    return None if new == modules else ",".join(new)


_KEPT_ON_REVERT = frozenset({"XMPP_GUEST_DOMAIN"})


def declare(document: DotenvDocument, spec: SecureDomain, *, revert: bool = False) -> Declaration:
    """The variables ``.env`` must hold after applying (or reverting) ``spec``: a variable not wanted is
    commented out, except the app secret, which is deleted (it would still be on disk)."""
    secret = frozenset({(_SECRET,)})
    if revert:
        reverted: dict[SettingPath, Any] = {(key,): _gone(key) for key in _reverted(spec)}
        modules = _muc_modules(document, spec, revert=True)
        if modules is not None:
            reverted[(_MUC_MODULES,)] = modules if modules else COMMENT_OUT
        return Declaration(reverted, secret)
    wanted: dict[SettingPath, Any] = {
        (key,): _gone(key) if value is None else value for key, value in _settings(document, spec).items()
    }
    return Declaration(wanted, secret)


def _gone(key: str) -> Remove | CommentOut:
    return REMOVE if key == _SECRET else COMMENT_OUT


def _reverted(spec: SecureDomain) -> list[str]:
    """The variables revert comments out (the secret: deletes)."""
    asked = [key for key, given in zip(_ASKED, (spec.auto_login, spec.auth_lifetime), strict=True) if given is not None]
    return [key for key in (*_MANAGED, *asked) if key not in _KEPT_ON_REVERT]


def warnings(document: DotenvDocument, spec: SecureDomain, *, file: str) -> list[str]:
    """What the docker deployment needs beyond ``.env``."""
    notes = []
    if spec.auth == "ldap":
        missing = [key for key in ("LDAP_URL", "LDAP_BASE") if not document.get(key)]
        if missing:
            notes.append(
                f"{file}: AUTH_TYPE=ldap also needs {', '.join(missing)} "
                "(and LDAP_BINDDN/LDAP_BINDPW if your directory wants them)"
            )
    if spec.jigasi is not None:
        notes.append(
            "docker-jitsi-meet creates Jigasi's account itself (JIGASI_XMPP_USER/JIGASI_XMPP_PASSWORD); "
            "--jigasi-user was not used"
        )
    return notes


def describe(path: SettingPath) -> str:
    """A variable name as it is."""
    return path[0]


# intent, apply, revert and audit are all derived from declare (see _engine.Recipe).
_RECIPE = engine.Recipe(declare, describe)
intent, apply, revert, audit = _RECIPE.intent, _RECIPE.apply, _RECIPE.revert, _RECIPE.audit
