"""Who may log in, create rooms and join, computed from the deployment as its programs read it.

:func:`compute` answers an admin's first questions about a domain (who can log in to the main host,
is an anonymous guest host live, does Jicofo ask for a login before a room is created, which MUCs
verify tokens, can a password cross the wire in clear) with the file and line that decides each
answer. :func:`differences` compares that policy with the one a
:class:`~jitsi_secure.secure_domain.spec.SecureDomain` asks for: ``check`` and a plan's final
verification judge this, never the edited lines alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from jitsi_secure._spec import SecureDomain
from jitsi_secure.deployment import JICOFO_DEFAULTS, Deployment, Origin, ProsodyConfig, ProsodyHost, Setting

__all__ = [
    "ANONYMOUS_MODULES",
    "AccessPolicy",
    "Difference",
    "GuestHost",
    "Login",
    "MucPolicy",
    "compute",
    "differences",
    "login_of",
]

#: The authentication modules that let anyone in without an account (the Prosody recipe uses them too).
ANONYMOUS_MODULES = ("jitsi-anonymous", "anonymous")
#: Authentication modules that take a token (JWT).
TOKEN_MODULES = frozenset({"token", "jitsi-token"})
#: Authentication modules that ask an external directory (through Cyrus SASL or LDAP).
DIRECTORY_MODULES = frozenset({"cyrus", "ldap", "ldap2", "ldap_roster", "dovecot", "imap", "http"})
#: Prosody's authentication when none is set.
DEFAULT_AUTHENTICATION = "internal_hashed"

Login = Literal["anonymous", "accounts", "token", "directory", "none"]
_NO_KEY = Setting(None)


@dataclass(frozen=True)
class GuestHost:
    """A live host of the domain that lets people in without an account.

    ``login`` is ``"anonymous"`` or ``"empty-token"`` (token authentication with ``allow_empty_token``).
    """

    name: str
    login: Literal["anonymous", "empty-token"]
    origin: Origin | None
    files: tuple[str, ...]


@dataclass(frozen=True)
class MucPolicy:
    """A MUC component of the domain and whether it checks tokens (``token_verification``)."""

    name: str
    role: str
    verifies_tokens: bool
    origin: Origin | None
    modules: tuple[str, ...] = ()

    @property
    def waits_for_host(self) -> bool:
        """Whether rooms wait for a host (``muc_wait_for_host``)."""
        return "muc_wait_for_host" in self.modules

    @property
    def token_moderators(self) -> bool:
        """Whether the token decides who is moderator (``token_affiliation``)."""
        return "token_affiliation" in self.modules


@dataclass(frozen=True)
class AccessPolicy:
    """What the servers will enforce for one domain.

    Attributes:
        domain: the main XMPP domain.
        main_loaded: whether Prosody loads a ``VirtualHost`` for the domain (and it is enabled).
        main_auth: the main host's authentication module, as Prosody reads it.
        main_login: who logs in to the main host: ``anonymous`` (anyone), ``accounts`` (Prosody's
            accounts), ``token``, ``directory`` (LDAP/Cyrus and such) or ``none`` (no such host).
        empty_token: whether a token host lets clients without a token in (``allow_empty_token``).
        guests: every live host of the domain that lets people in without an account.
        announced_guest: the anonymous domain config.js announces (``hosts.anonymousdomain``).
        jicofo_enabled, jicofo_type, jicofo_login_url: whether Jicofo asks for a login before it creates a
            room, how, and on which domain.
        mucs: every MUC component of the domain.
        plaintext_login: whether a password can be sent unencrypted to the main host.
        sasl_disabled: the SASL mechanisms the main host turns off (``disable_sasl_mechanisms``).
        key_source: with tokens, the option that gives the keys (``app_secret``, ``asap_key_server`` or
            ``cache_keys_url``), where it is set; ``None`` when there is none.
        key_file: the file Prosody reads that option's value from (Prosody 13's
            ``app_secret = FileContents("/etc/prosody/certs/x")``), ``None`` when the config holds the
            value itself. The path only: the secret is never part of the policy's output.
        jicofo_auto_login, jicofo_auth_lifetime: Jicofo's ``enable-auto-login`` and
            ``authentication-lifetime``.
        jicofo_auto_owner: Jicofo's ``conference.enable-auto-owner`` (the first to join owns the room).
    """

    domain: str
    main_loaded: bool
    main_auth: Setting
    main_login: Login
    empty_token: Setting
    guests: tuple[GuestHost, ...]
    announced_guest: Setting
    jicofo_enabled: Setting
    jicofo_type: Setting
    jicofo_login_url: Setting
    mucs: tuple[MucPolicy, ...]
    plaintext_login: Setting
    sasl_disabled: Setting
    key_source: Setting = _NO_KEY
    key_file: str | None = None
    jicofo_auto_login: Setting = JICOFO_DEFAULTS["auto_login"]
    jicofo_auth_lifetime: Setting = JICOFO_DEFAULTS["auth_lifetime"]
    jicofo_auto_owner: Setting = JICOFO_DEFAULTS["auto_owner"]

    @property
    def conference(self) -> MucPolicy | None:
        """The conference MUC, if the deployment has one."""
        return next((m for m in self.mucs if m.role == "conference"), None)

    def guest(self, name: str | None) -> GuestHost | None:
        """The live guest host ``name``, if any."""
        return next((g for g in self.guests if name is not None and g.name == name.lower()), None)

    def rows(self) -> list[tuple[str, str, str]]:
        """The policy as ``(question, answer, where it is decided)`` rows, for a table."""
        rows = [
            ("who logs in to the main host", self._main_answer(), _where(self.main_auth)),
            ("live guest hosts", ", ".join(f"{g.name} ({g.login})" for g in self.guests) or "none",
             ", ".join(str(g.origin) for g in self.guests if g.origin) or "-"),
            ("guest domain config.js announces", str(self.announced_guest.value or "none"),
             _where(self.announced_guest)),
            ("Jicofo asks for a login to create a room", self._jicofo_answer(), _where(self.jicofo_enabled)),
        ]  # fmt: skip
        if self.main_login == "token":
            rows.append(("where the token keys come from", self._key_answer(), _where(self.key_source)))
        rows += [
            (f"{m.role} MUC {m.name} verifies tokens", "yes" if m.verifies_tokens else "no", _where_origin(m.origin))
            for m in self.mucs
        ]
        conference = self.conference
        if conference is not None:
            rows.append(("rooms wait for a host", "yes" if conference.waits_for_host else "no",
                         _where_origin(conference.origin)))  # fmt: skip
        moderator = "the token (token_affiliation)" if conference and conference.token_moderators else (
            "the first to join" if self.jicofo_auto_owner.value else "nobody automatically")  # fmt: skip
        rows.append(("who becomes moderator", moderator, _where(self.jicofo_auto_owner)))
        if self.jicofo_enabled.value:
            rows.append(("Jicofo remembers a login / for how long",
                         f"{'yes' if self.jicofo_auto_login.value else 'no'} / {self.jicofo_auth_lifetime.value}",
                         _where(self.jicofo_auto_login)))  # fmt: skip
        rows.append(("password sent in clear possible", "yes" if self.plaintext_login.value else "no",
                     _where(self.plaintext_login)))  # fmt: skip
        return rows

    def to_json(self) -> dict[str, Any]:
        """The policy as plain JSON values."""
        return {
            "domain": self.domain,
            "main_host": {
                "loaded": self.main_loaded,
                "login": self.main_login,
                "authentication": self.main_auth.value,
                "allow_empty_token": bool(self.empty_token.value),
                "decided_at": _where_origin(self.main_auth.origin),
            },
            "guest_hosts": [
                {"name": g.name, "login": g.login, "decided_at": _where_origin(g.origin)} for g in self.guests
            ],
            "announced_guest_domain": self.announced_guest.value,
            "jicofo": {
                "authentication": bool(self.jicofo_enabled.value),
                "type": self.jicofo_type.value,
                "login_url": self.jicofo_login_url.value,
                "auto_login": self.jicofo_auto_login.value,
                "authentication_lifetime": self.jicofo_auth_lifetime.value,
                "auto_owner": self.jicofo_auto_owner.value,
                "decided_at": _where_origin(self.jicofo_enabled.origin),
            },
            "key_source": self.key_source.value,
            "key_file": self.key_file,
            "mucs": [
                {
                    "name": m.name,
                    "role": m.role,
                    "verifies_tokens": m.verifies_tokens,
                    "waits_for_host": m.waits_for_host,
                    "token_moderators": m.token_moderators,
                }
                for m in self.mucs
            ],
            "plaintext_login": bool(self.plaintext_login.value),
        }

    def _main_answer(self) -> str:
        if not self.main_loaded:
            return "nobody: Prosody does not load this host"
        answer = {
            "anonymous": "anyone (anonymous)",
            "accounts": "registered users (Prosody accounts)",
            "token": "token holders (JWT)",
            "directory": "directory users (LDAP/Cyrus)",
            "none": "nobody",
        }[self.main_login]
        return answer + (
            ", and anyone without a token" if self.main_login == "token" and self.empty_token.value else ""
        )

    def _key_answer(self) -> str:
        answer = str(self.key_source.value or "nowhere")
        return f"{answer}, from file {self.key_file}" if self.key_file else answer

    def _jicofo_answer(self) -> str:
        if not self.jicofo_enabled.value:
            return "no: anyone who can join may create a room"
        return f"yes ({self.jicofo_type.value}, login on {self.jicofo_login_url.value or '?'})"


@dataclass(frozen=True)
class Difference:
    """A way the effective policy differs from the one asked for, and the place that decides it."""

    message: str
    origin: Origin | None = None

    def __str__(self) -> str:
        return f"{self.message} ({self.origin})" if self.origin else self.message


def login_of(authentication: Any) -> Login:
    """Who an authentication module lets in."""
    name = str(authentication or DEFAULT_AUTHENTICATION)
    if name in ANONYMOUS_MODULES:
        return "anonymous"
    if name in TOKEN_MODULES:
        return "token"
    if name in DIRECTORY_MODULES or name.startswith("ldap"):
        return "directory"
    return "accounts"


def compute(deployment: Deployment) -> AccessPolicy:
    """The access policy of ``deployment``'s main domain."""
    if deployment.prosody is None:
        return _docker(deployment)
    prosody = deployment.prosody
    domain = deployment.domain
    main = prosody.host(domain)
    loaded = main is not None and main.kind == "VirtualHost" and main.enabled
    auth = prosody.get(domain, "authentication") or Setting(DEFAULT_AUTHENTICATION)
    announced = deployment.meet.get("hosts.anonymousdomain") if deployment.meet else None
    announced_setting = Setting(announced if isinstance(announced, str) else None,
                                Origin(deployment.meet.file) if deployment.meet else None)  # fmt: skip
    jicofo = deployment.jicofo
    key_source = _key_source(prosody, domain)
    return AccessPolicy(
        domain=domain,
        main_loaded=loaded,
        main_auth=auth,
        main_login=login_of(auth.value) if loaded else "none",
        empty_token=prosody.get(domain, "allow_empty_token") or Setting(False),
        guests=tuple(_guest_hosts(prosody, domain, announced_setting.value)),
        announced_guest=announced_setting,
        jicofo_enabled=jicofo.enabled if jicofo else Setting(False),
        jicofo_type=jicofo.type if jicofo else Setting("XMPP"),
        jicofo_login_url=jicofo.login_url if jicofo else Setting(None),
        mucs=tuple(_mucs(prosody, domain, _conference_name(deployment))),
        plaintext_login=_plaintext(prosody, domain),
        sasl_disabled=prosody.get(domain, "disable_sasl_mechanisms") or Setting([]),
        key_source=key_source,
        key_file=prosody.read_from(domain, key_source.value) if key_source.value else None,
        jicofo_auto_login=jicofo.auto_login if jicofo else JICOFO_DEFAULTS["auto_login"],
        jicofo_auth_lifetime=jicofo.auth_lifetime if jicofo else JICOFO_DEFAULTS["auth_lifetime"],
        jicofo_auto_owner=jicofo.auto_owner if jicofo else JICOFO_DEFAULTS["auto_owner"],
    )


#: The options that give a token host its keys, in the order Jitsi's token plugin prefers them.
KEY_OPTIONS = ("app_secret", "asap_key_server", "cache_keys_url")


def _key_source(prosody: ProsodyConfig, domain: str) -> Setting:
    for option in KEY_OPTIONS:
        setting = prosody.get(domain, option)
        if setting is not None and setting.value:
            return Setting(option, setting.origin)
    return Setting(None)


def _conference_name(deployment: Deployment) -> str | None:
    """The conference MUC as the programs name it: the main host's ``main_muc``, else config.js ``hosts.muc``."""
    assert deployment.prosody is not None
    named = deployment.prosody.get(deployment.domain, "main_muc")
    if named is not None and isinstance(named.value, str):
        return named.value.lower()
    muc = deployment.meet.get("hosts.muc") if deployment.meet else None
    return muc.lower() if isinstance(muc, str) else None


# The values docker-jitsi-meet's templates take for "on".
_TRUE = frozenset({"1", "true", "yes", "on"})


def _docker(deployment: Deployment) -> AccessPolicy:
    """The access policy docker-jitsi-meet's containers render from ``.env`` (its templates' rules).

    ``ENABLE_AUTH`` turns the main host to ``AUTH_TYPE`` (``internal`` by default), ``ENABLE_GUESTS``
    adds the anonymous ``XMPP_GUEST_DOMAIN`` host that config.js announces, and Jicofo asks for a login
    unless ``JICOFO_ENABLE_AUTH`` is off. Every answer points at ``.env``.

    Here, not in the docker recipe: what the containers enforce is read like any deployment's policy,
    and the recipe (which writes ``.env``) must not be needed to read it.
    """

    env, domain = deployment.env, deployment.domain
    where = Origin(deployment.env_file or ".env")

    def on(key: str, default: bool = False) -> bool:
        value = env.get(key)
        return default if value is None or value == "" else value.strip().lower() in _TRUE

    auth_type = (env.get("AUTH_TYPE") or "internal").lower()
    secured = on("ENABLE_AUTH")
    module = {"internal": "internal_hashed", "jwt": "token", "ldap": "cyrus"}.get(auth_type, auth_type)
    authentication = module if secured else "jitsi-anonymous"
    guest_domain = (env.get("XMPP_GUEST_DOMAIN") or f"guest.{domain}").lower()
    guests = secured and on("ENABLE_GUESTS")
    empty = secured and auth_type == "jwt" and on("JWT_ALLOW_EMPTY")
    jicofo = secured and on("JICOFO_ENABLE_AUTH", default=True)
    muc = f"{env.get('XMPP_MUC_DOMAIN_PREFIX') or 'muc'}.{domain}"
    tokens = secured and auth_type == "jwt"
    # The prosody image renders token_verification on the MUC itself with AUTH_TYPE=jwt.
    muc_modules = tuple(m.strip() for m in (env.get("XMPP_MUC_MODULES") or "").split(",") if m.strip())
    muc_modules += ("token_verification",) if tokens else ()
    key = "app_secret" if env.get("JWT_APP_SECRET") else "asap_key_server" if env.get("JWT_ASAP_KEYSERVER") else None
    return AccessPolicy(
        domain=domain,
        main_loaded=True,
        main_auth=Setting(authentication, where),
        main_login=login_of(authentication),
        empty_token=Setting(empty, where),
        guests=(GuestHost(guest_domain, "anonymous", where, (where.file,)),) if guests else (),
        announced_guest=Setting(guest_domain if guests else None, where),
        jicofo_enabled=Setting(jicofo, where),
        jicofo_type=Setting("JWT" if auth_type == "jwt" else "XMPP", where),
        jicofo_login_url=Setting(domain if jicofo else None, where),
        mucs=(MucPolicy(muc, "conference", tokens, where, muc_modules),),
        plaintext_login=Setting(secured and auth_type == "ldap", where),
        sasl_disabled=Setting([], where),
        key_source=Setting(key if tokens else None, where),
        jicofo_auto_login=Setting(on("ENABLE_AUTO_LOGIN", default=True), where),
        jicofo_auth_lifetime=Setting(env.get("JICOFO_AUTH_LIFETIME") or "24 hours", where),
        jicofo_auto_owner=Setting(on("ENABLE_AUTO_OWNER", default=True), where),
    )


def _guest_hosts(prosody: ProsodyConfig, domain: str, announced: str | None) -> Iterator[GuestHost]:
    for host in prosody.hosts.values():
        if host.kind != "VirtualHost" or host.name == domain or not host.enabled:
            continue
        if not (host.name.endswith("." + domain) or host.name == (announced or "").lower()):
            continue
        auth = prosody.get(host.name, "authentication") or Setting(DEFAULT_AUTHENTICATION)
        login = login_of(auth.value)
        empty = prosody.get(host.name, "allow_empty_token")
        if login == "anonymous":
            yield GuestHost(host.name, "anonymous", auth.origin, host.files)
        elif login == "token" and empty is not None and empty.value is True:
            yield GuestHost(host.name, "empty-token", empty.origin, host.files)


def _mucs(prosody: ProsodyConfig, domain: str, conference: str | None) -> Iterator[MucPolicy]:
    for host in prosody.hosts.values():
        if host.kind != "Component" or host.module != "muc" or not host.name.endswith("." + domain):
            continue
        modules = host.options.get("modules_enabled")
        names = tuple(str(m) for m in modules) if isinstance(modules, list) else ()
        role = "conference" if host.name == conference else _muc_role(host, domain, conference)
        yield MucPolicy(host.name, role, "token_verification" in names, host.origins.get("modules_enabled"), names)


def _muc_role(host: ProsodyHost, domain: str, conference: str | None = None) -> str:
    first = host.name[: -len(domain) - 1]
    if conference is not None and first in ("conference", "muc"):
        return "other"  # the deployment names another MUC for its conferences
    return {"conference": "conference", "muc": "conference", "breakout": "breakout", "lobby": "lobby",
            "internal.auth": "internal", "internal-muc": "internal"}.get(first, "other")  # fmt: skip


def _plaintext(prosody: ProsodyConfig, domain: str) -> Setting:
    auth = prosody.get(domain, "authentication")
    if auth is not None and login_of(auth.value) == "directory":
        return Setting(True, auth.origin)
    encryption = prosody.get(domain, "c2s_require_encryption")
    plain = prosody.get(domain, "allow_unencrypted_plain_auth")
    if encryption is not None and encryption.value is False and plain is not None and plain.value is True:
        return Setting(True, plain.origin)
    return Setting(False)


def differences(policy: AccessPolicy, spec: SecureDomain, *, revert: bool = False) -> list[Difference]:
    """Every way ``policy`` differs from what ``spec`` asks for (``revert``: from the unsecured setup)."""
    found: list[Difference] = []
    if not policy.main_loaded:
        return [Difference(f"Prosody does not load an enabled VirtualHost {spec.domain!r}", policy.main_auth.origin)]
    wanted_login: Login = "anonymous" if revert else _WANTED_LOGIN[spec.auth]
    if policy.main_login != wanted_login:
        found.append(Difference(
            f"{spec.domain} lets {policy._main_answer()} log in "
            f"(authentication = {policy.main_auth.value!r}); wanted: {_LOGIN_WORDS[wanted_login]}",
            policy.main_auth.origin,
        ))  # fmt: skip
    elif wanted_login == "token":
        wanted_empty = bool(spec.jwt and spec.jwt.allow_empty_token)
        if bool(policy.empty_token.value) != wanted_empty:
            state = "lets clients without a token in" if policy.empty_token.value else "refuses clients without a token"
            found.append(Difference(f"{spec.domain} {state} (allow_empty_token)", policy.empty_token.origin))
    found += _guest_differences(policy, spec, revert=revert)
    found += _jicofo_differences(policy, spec, revert=revert)
    found += _muc_differences(policy, spec, revert=revert)
    wants_key = not revert and spec.jwt is not None and policy.main_login == "token"
    if wants_key and spec.jwt is not None and policy.key_source.value != spec.jwt.key_option:
        found.append(Difference(
            f"{spec.domain} takes its token keys from {policy.key_source.value or 'nowhere'}, "
            f"wanted {spec.jwt.key_option}",
            policy.key_source.origin,
        ))  # fmt: skip
    return found


def _muc_differences(policy: AccessPolicy, spec: SecureDomain, *, revert: bool) -> list[Difference]:
    """Token checks on the conference MUC (never on the internal one), waiting for a host, and who
    becomes moderator."""
    found = []
    tokens = spec.auth == "jwt" and not revert
    for muc in policy.mucs:
        if tokens and muc.role == "conference" and not muc.verifies_tokens:
            found.append(Difference(f"the conference MUC {muc.name} does not verify tokens", muc.origin))
        if muc.role == "internal" and muc.verifies_tokens:
            found.append(Difference(
                f"the internal MUC {muc.name} verifies tokens, but Jicofo and the bridge join it without one",
                muc.origin,
            ))  # fmt: skip
    conference = policy.conference
    if spec.wait_for_host and conference is not None and conference.waits_for_host == revert:
        state = "waits" if revert else "does not wait"
        found.append(Difference(f"the conference MUC {conference.name} {state} for a host", conference.origin))
    if spec.token_moderators:
        by_token = conference is not None and conference.token_moderators
        if by_token == revert:
            found.append(Difference(f"who becomes moderator is {'' if by_token else 'not '}decided by the token",
                                    conference.origin if conference else None))  # fmt: skip
        if bool(policy.jicofo_auto_owner.value) != revert:
            found.append(Difference(
                f"Jicofo makes the first to join the room's owner: {bool(policy.jicofo_auto_owner.value)}, "
                f"wanted {revert}",
                policy.jicofo_auto_owner.origin,
            ))  # fmt: skip
    return found


_WANTED_LOGIN: dict[str, Login] = {"internal": "accounts", "jwt": "token", "ldap": "directory"}
_LOGIN_WORDS = {
    "anonymous": "anyone (anonymous)",
    "accounts": "registered users only",
    "token": "token holders only",
    "directory": "directory (LDAP) users only",
    "none": "nobody",
}


def _guest_differences(policy: AccessPolicy, spec: SecureDomain, *, revert: bool) -> list[Difference]:
    found = []
    wanted = None if revert else spec.guest_domain
    if wanted is not None:
        if policy.guest(wanted) is None:
            found.append(Difference(f"no live anonymous guest host {wanted}"))
        if (policy.announced_guest.value or "").lower() != wanted:
            found.append(Difference(
                f"config.js announces guest domain {policy.announced_guest.value or 'none'}, wanted {wanted}",
                policy.announced_guest.origin,
            ))  # fmt: skip
        return found
    for guest in policy.guests:
        if revert and guest.name != (spec.guest_domain or "").lower():
            continue  # revert takes back what apply made; another anonymous host was there before
        found.append(Difference(f"{guest.name} lets anyone in ({guest.login}) and is live", guest.origin))
    if not revert and policy.announced_guest.value:
        found.append(Difference(
            f"config.js announces guest domain {policy.announced_guest.value}, but guests are off",
            policy.announced_guest.origin,
        ))  # fmt: skip
    return found


def _jicofo_differences(policy: AccessPolicy, spec: SecureDomain, *, revert: bool) -> list[Difference]:
    enabled = bool(policy.jicofo_enabled.value)
    if revert or spec.jicofo_auth == "off":
        if enabled:
            return [Difference("Jicofo asks for a login to create a room; wanted: no", policy.jicofo_enabled.origin)]
        return []
    if not enabled:
        return [Difference("Jicofo lets anyone create a room (authentication off)", policy.jicofo_enabled.origin)]
    found = []
    wanted_type = "JWT" if spec.jicofo_auth == "jwt" else "XMPP"
    if str(policy.jicofo_type.value).upper() != wanted_type:
        found.append(Difference(f"Jicofo authentication type is {policy.jicofo_type.value}, wanted {wanted_type}",
                                policy.jicofo_type.origin))  # fmt: skip
    if wanted_type == "XMPP" and str(policy.jicofo_login_url.value or "").lower() != spec.domain:
        found.append(Difference(
            f"Jicofo's login URL is {policy.jicofo_login_url.value or 'unset'}, wanted {spec.domain}",
            policy.jicofo_login_url.origin,
        ))  # fmt: skip
    if spec.auto_login is not None and bool(policy.jicofo_auto_login.value) != spec.auto_login:
        found.append(Difference(f"Jicofo's enable-auto-login is {policy.jicofo_auto_login.value}, wanted "
                                f"{spec.auto_login}", policy.jicofo_auto_login.origin))  # fmt: skip
    if spec.auth_lifetime is not None and str(policy.jicofo_auth_lifetime.value) != spec.auth_lifetime:
        found.append(Difference(f"Jicofo's authentication-lifetime is {policy.jicofo_auth_lifetime.value}, wanted "
                                f"{spec.auth_lifetime}", policy.jicofo_auth_lifetime.origin))  # fmt: skip
    return found


def _where(setting: Setting) -> str:
    return _where_origin(setting.origin)


def _where_origin(origin: Origin | None) -> str:
    return str(origin) if origin is not None else "default"
