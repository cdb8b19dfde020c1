"""The spec from a front end's option values: the one rule the command line and the Ansible module share.

Both front ends take the same settings under their own names (``--app-id`` on the command line,
``app_id`` in Ansible). :func:`spec_from_options` checks how the options go together, in one order,
and words every refusal with the front end's :class:`OptionNames`, so each keeps its own wording while
both build the same :class:`~jitsi_secure.secure_domain.spec.SecureDomain` from the same values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from jitsi_secure.secure_domain.spec import (
    DEFAULT_SECRET_FILE,
    AuthMode,
    JicofoAuth,
    JigasiAccount,
    JwtAuth,
    Secret,
    SecureDomain,
    SpecError,
    resolve_prosody_version,
)

if TYPE_CHECKING:
    from jitsi_secure.secure_domain._model import Plan

__all__ = ["GuestAccess", "OptionNames", "SecretSource", "SpecOptions", "require_login_kept", "spec_from_options"]

#: Who joins without an account: anonymous guests on a guest host, clients without a token on the main
#: host (``token-optional``, with tokens only), or nobody.
GuestAccess = Literal["anonymous", "token-optional", "none"]
#: A secret as given, or how to get it (read a file, say): called only once every option has been checked,
#: so a request that is refused reads no secret.
SecretSource = Secret | Callable[[], Secret]


@dataclass(frozen=True)
class OptionNames:
    """How a front end names its options in messages.

    ``flags=True`` spells an option as a command-line flag (``app_id`` as ``--app-id``, a setting as
    ``--auth jwt``); ``flags=False`` as a key (``app_id``, ``auth: jwt``). ``renamed`` gives the names
    that differ from that rule, such as ``{"app_secret": "--app-secret-file"}``.
    """

    flags: bool
    renamed: Mapping[str, str] = field(default_factory=dict)

    def name(self, option: str) -> str:
        """The front end's name of ``option`` (a :class:`SpecOptions` field)."""
        if option in self.renamed:
            return self.renamed[option]
        return "--" + option.replace("_", "-") if self.flags else option

    def setting(self, option: str, value: str) -> str:
        """``option`` set to ``value``, as the front end writes it: ``--auth jwt`` or ``auth: jwt``."""
        return f"{self.name(option)} {value}" if self.flags else f"{self.name(option)}: {value}"

    def listing(self, options: tuple[str, ...], last: str) -> str:
        """``a, b and c`` (``last`` the joining word) of the options' names."""
        names = [self.name(option) for option in options]
        return f"{', '.join(names[:-1])} {last} {names[-1]}"


@dataclass(frozen=True)
class SpecOptions:
    """The option values a front end was given, each ``None`` (or ``False``, or empty) when not given.

    Attributes:
        domain: the main domain (the layout's).
        root: where the deployment is; a Prosody version is asked of the installed Prosody only at ``/``.
        guests: who joins without an account; ``None`` follows ``no_guests``.
        no_guests: no guest domain (the command line's ``--no-guests``, Ansible's ``guests: false``).
        secret_source: where the app secret goes: ``"file"`` (then ``secret_path``) or ``"config"``.
        app_secret: with tokens, the shared app secret (see :data:`SecretSource`).
        accepted_issuers: the accepted ``iss`` claims; ``accepted_audiences`` likewise ``aud``.
        prosody_version: as given (``X.Y`` or ``X``); else asked of ``prosodyctl`` when it matters.
        jigasi_user: Jigasi's JID; goes with ``jigasi_password``.

    The others are :class:`~jitsi_secure.secure_domain.spec.SecureDomain`'s and
    :class:`~jitsi_secure.secure_domain.spec.JwtAuth`'s fields of the same names.
    """

    domain: str
    root: str = "/"
    guest_domain: str | None = None
    guests: GuestAccess | None = None
    no_guests: bool = False
    auth: AuthMode | None = None
    app_id: str | None = None
    app_secret: SecretSource | None = None
    secret_source: Literal["config", "file"] | None = None
    secret_path: str | None = None
    asap_key_server: str | None = None
    jwks_url: str | None = None
    accepted_issuers: tuple[str, ...] = ()
    accepted_audiences: tuple[str, ...] = ()
    allow_empty_token: bool = False
    jicofo_auth: JicofoAuth | None = None
    prosody_version: str | None = None
    jigasi_user: str | None = None
    jigasi_password: SecretSource | None = None
    wait_for_host: bool = False
    token_moderators: bool = False
    auto_login: bool | None = None
    auth_lifetime: str | None = None


#: The options that go with tokens only, in the order the refusal names them.
_TOKEN_OPTIONS = (
    "app_id",
    "app_secret",
    "secret_source",
    "secret_path",
    "asap_key_server",
    "jwks_url",
    "accepted_issuers",
    "accepted_audiences",
    "allow_empty_token",
    "jicofo_auth",
)


def spec_from_options(options: SpecOptions, *, names: OptionNames) -> SecureDomain:
    """The :class:`~jitsi_secure.secure_domain.spec.SecureDomain` the options describe.

    Raises :class:`~jitsi_secure.secure_domain.spec.SpecError` naming the options as ``names`` spells
    them. Secrets given as callables are called after every option has been checked, the app secret
    first.
    """
    auth: AuthMode = options.auth or "internal"  # the default: Prosody accounts
    options = replace(options, auth=auth)
    guests = _guests(options, names)
    token = _token_options(options, names, guests)
    version = resolve_prosody_version(
        options.prosody_version,
        root=options.root,
        auth=auth,
        secret_file=options.secret_source == "file",
    )
    if (options.jigasi_user is None) != (options.jigasi_password is None):
        raise SpecError(f"{names.listing(('jigasi_user', 'jigasi_password'), 'and')} go together")
    jwt = token() if token is not None else None
    jigasi = None
    if options.jigasi_user is not None and options.jigasi_password is not None:
        jigasi = JigasiAccount(options.jigasi_user, _revealed(options.jigasi_password))
    return SecureDomain(
        domain=options.domain,
        guest_domain=options.guest_domain,
        guests=guests == "anonymous",
        auth=auth,
        jwt=jwt,
        jicofo_auth=options.jicofo_auth,
        prosody_version=version,
        jigasi=jigasi,
        wait_for_host=options.wait_for_host,
        token_moderators=options.token_moderators,
        auto_login=options.auto_login,
        auth_lifetime=options.auth_lifetime,
    )


#: The authentication mode that keeps a main host's kind of registered users.
_MODE_OF_LOGIN: dict[str, AuthMode] = {"token": "jwt", "directory": "ldap"}
_LOGIN_WORDS = {"token": "token holders", "directory": "directory (LDAP/Cyrus) users"}


def require_login_kept(plan: Plan, auth: AuthMode | None, *, names: OptionNames) -> None:
    """Refuse ``plan`` when no authentication mode was chosen (``auth`` is ``None``) and it would switch
    a main host that lets in token holders or directory users now to Prosody accounts: the front ends'
    default must not lock every user of a working server out. A revert goes back to anonymous logins
    whatever the mode, and is never refused.

    Raises :class:`~jitsi_secure.secure_domain.spec.SpecError` naming the options as ``names`` spells them.
    """
    policy = plan.policy
    if auth is not None or plan.revert or policy is None:
        return
    kept = _MODE_OF_LOGIN.get(policy.main_login)
    if kept is None:
        return
    decided = policy.main_auth.origin
    where = f" ({decided})" if decided is not None else ""
    raise SpecError(
        f"the main host {plan.spec.domain} lets in {_LOGIN_WORDS[policy.main_login]} now{where}; without "
        f"{names.name('auth')} this would switch it to Prosody accounts: give {names.setting('auth', kept)} "
        f"to keep it, or {names.setting('auth', 'internal')} to switch; nothing was changed"
    )


def _guests(options: SpecOptions, names: OptionNames) -> GuestAccess:
    """``guests``, reconciled with ``no_guests``, ``guest_domain`` and the authentication mode."""
    if options.guests is None:
        return "none" if options.no_guests else "anonymous"
    given = names.setting("guests", options.guests)
    if options.no_guests and options.guests != "none":
        raise SpecError(f"{names.name('no_guests')} contradicts {given}")
    if options.guest_domain and options.guests != "anonymous":
        raise SpecError(f"{names.name('guest_domain')} names an anonymous guest host; {given} has none")
    if options.guests == "token-optional" and options.auth != "jwt":
        raise SpecError(f"{given} lets clients without a token in: it goes with {names.setting('auth', 'jwt')}")
    return options.guests


def _token_options(options: SpecOptions, names: OptionNames, guests: GuestAccess) -> Callable[[], JwtAuth] | None:
    """The token settings, checked; built (reading the app secret) only when called."""
    jwt = names.setting("auth", "jwt")
    if options.auth != "jwt":
        if any(getattr(options, option) for option in _TOKEN_OPTIONS):
            raise SpecError(f"{names.listing(_TOKEN_OPTIONS, 'and')} go with {jwt}")
        return None
    if not options.app_id or not (options.app_secret or options.asap_key_server or options.jwks_url):
        sources = names.listing(("app_secret", "asap_key_server", "jwks_url"), "or")
        raise SpecError(f"{jwt} needs {names.name('app_id')} and one of {sources}")
    app_id, app_secret = options.app_id, options.app_secret
    secret_file = _secret_path(options, names)
    empty = options.allow_empty_token or guests == "token-optional"
    return lambda: JwtAuth(
        app_id,
        app_secret=_revealed(app_secret) if app_secret else None,
        asap_key_server=options.asap_key_server,
        jwks_url=options.jwks_url,
        allow_empty_token=True if empty else None,
        accepted_issuers=options.accepted_issuers,
        accepted_audiences=options.accepted_audiences,
        secret_file=secret_file,
    )


def _secret_path(options: SpecOptions, names: OptionNames) -> str | None:
    """Where ``secret_source`` ``"file"`` puts the app secret (``None``: in the host file)."""
    file_source = names.setting("secret_source", "file")
    if options.secret_source != "file":
        if options.secret_path:
            raise SpecError(f"{names.name('secret_path')} goes with {file_source}")
        return None
    if not options.app_secret:
        raise SpecError(f"{file_source} keeps the app secret in a file: it goes with {names.name('app_secret')}")
    return options.secret_path or DEFAULT_SECRET_FILE.format(domain=options.domain)


def _revealed(source: SecretSource) -> Secret:
    return source if isinstance(source, Secret) else source()
