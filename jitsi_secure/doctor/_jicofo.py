"""Jicofo against Prosody: ``login-url-mismatch``, ``legacy-jicofo-override``, ``jicofo-auth-with-tokens``."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from jitsi_secure.deployment import LEGACY_AUTH_URL, JicofoConfig, read_jicofo
from jitsi_secure.doctor._context import Context
from jitsi_secure.doctor._finding import Edit, Finding, make
from jitsi_secure.secure_domain.layout import Layout

__all__ = ["check"]

_LOGIN_URL = ("jicofo", "authentication", "login-url")


def check(ctx: Context) -> Iterator[Finding]:
    """Jicofo's authentication must name the main domain, be decided by jicofo.conf and suit Prosody's."""
    jicofo = ctx.deployment.jicofo
    if jicofo is None:
        return
    yield from _login_url(ctx, jicofo)
    yield from _legacy_override(ctx, jicofo)
    tokens = ctx.prosody is not None and ctx.policy.main_login == "token"
    if tokens and jicofo.enabled.value and str(jicofo.type.value).upper() == "XMPP":
        yield make(
            "jicofo-auth-with-tokens",
            f"{ctx.deployment.domain} takes tokens, but Jicofo asks for an XMPP login before it creates "
            "a room: token users get a login dialog they cannot pass",
            jicofo.enabled.origin,
        )


def _login_url(ctx: Context, jicofo: JicofoConfig) -> Iterator[Finding]:
    url = jicofo.login_url
    domain = ctx.deployment.domain
    if not jicofo.enabled.value or not isinstance(url.value, str) or url.value.lower() == domain:
        return
    origin = url.origin
    edits: tuple[Edit, ...] = ()
    if origin is not None and jicofo.legacy_url is not None and origin == jicofo.legacy_url.origin:
        prefix = str(jicofo.legacy_url.value)[: -len(url.value)]
        edits = ctx.edit(origin.file, "jicofo-legacy", _properties_set(LEGACY_AUTH_URL, prefix + domain))
    # jicofo.conf's own login-url is corrected too, or the legacy file would then disagree with it.
    own = _conf_only(ctx)
    if own is not None and isinstance(own.login_url.value, str) and own.login_url.value.lower() != domain:
        where = own.login_url.origin
        edits += ctx.edit(where.file if where else None, "jicofo", _hocon_set(_LOGIN_URL, domain))
    yield make(
        "login-url-mismatch",
        f"Jicofo accepts logins on {url.value}, not on the main domain {domain}: moderators wait for the host forever",
        origin,
        edits=edits,
    )


def _legacy_override(ctx: Context, jicofo: JicofoConfig) -> Iterator[Finding]:
    layout = ctx.layout
    legacy = jicofo.legacy_url
    if legacy is None or legacy.origin is None or not isinstance(layout, Layout) or layout.jicofo is None:
        return  # an older Jicofo with only the legacy file: there it is the one place
    conf = _conf_only(ctx)
    assert conf is not None
    own = (bool(conf.enabled.value), str(conf.type.value).upper(), str(conf.login_url.value or "").lower())
    wins = (bool(jicofo.enabled.value), str(jicofo.type.value).upper(), str(jicofo.login_url.value or "").lower())
    if own == wins or (not own[0] and not wins[0]):
        return
    said = "off" if not own[0] else f"{own[1]} on {own[2] or '?'}"
    yield make(
        "legacy-jicofo-override",
        f"{LEGACY_AUTH_URL} turns Jicofo's authentication to {wins[1]} on {wins[2] or '?'}, overriding "
        f"jicofo.conf ({said})",
        legacy.origin,
        edits=ctx.edit(legacy.origin.file, "jicofo-legacy", _properties_remove(LEGACY_AUTH_URL)),
    )


def _conf_only(ctx: Context) -> JicofoConfig | None:
    """Jicofo's authentication as jicofo.conf (with its includes) alone sets it."""
    layout = ctx.layout
    if not isinstance(layout, Layout) or layout.jicofo is None:
        return None
    return read_jicofo(layout, legacy=False, texts=ctx.texts)


def _hocon_set(path: tuple[str, ...], value: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        from jitsi_secure.formats import hocon

        rendered: str = hocon.parse(text).set(path, value).render()
        return rendered

    return change


def _properties_set(key: str, value: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        from jitsi_secure.formats import properties

        return properties.parse(text).set(key, value).render()

    return change


def _properties_remove(key: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        from jitsi_secure.formats import properties

        return properties.parse(text).remove(key).render()

    return change
