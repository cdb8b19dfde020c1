"""How passwords reach the main host: ``prosody13-oauthbearer-loop`` and ``plaintext-login``."""

from __future__ import annotations

from collections.abc import Iterator

from jitsi_secure.doctor._context import Context, setting
from jitsi_secure.doctor._finding import Finding, make

__all__ = ["check"]

#: What docker-jitsi-meet and ``jitsi-secure apply`` disable on a Prosody 13 password host.
DISABLED = ("DIGEST-MD5", "OAUTHBEARER")


def check(ctx: Context) -> Iterator[Finding]:
    """A password host on Prosody 13 must turn OAUTHBEARER off, and no password may travel in clear."""
    prosody, policy = ctx.prosody, ctx.policy
    if prosody is None or not policy.main_loaded or policy.main_login not in ("accounts", "directory"):
        return
    domain = ctx.deployment.domain
    host = prosody.host(domain)
    assert host is not None
    disabled = policy.sasl_disabled.value
    disabled = [str(m) for m in disabled] if isinstance(disabled, list) else []
    if ctx.version >= (13, 0) and "OAUTHBEARER" not in [m.upper() for m in disabled]:
        wanted = [*disabled, *(m for m in DISABLED if m not in [d.upper() for d in disabled])]
        yield make(
            "prosody13-oauthbearer-loop",
            f"Prosody 13 offers OAUTHBEARER on {domain} (authentication = {policy.main_auth.value!r}): web "
            "clients loop at the login dialog",
            policy.main_auth.origin or ctx.header(host),
            edits=ctx.lua_edit(
                ctx.host_file(host, "disable_sasl_mechanisms"),
                setting(domain, "disable_sasl_mechanisms", wanted),
            ),
        )
    if policy.plaintext_login.value:
        how = "through Cyrus/LDAP, which needs PLAIN" if policy.main_login == "directory" else (
            "with c2s_require_encryption = false and allow_unencrypted_plain_auth = true")  # fmt: skip
        yield make(
            "plaintext-login",
            f"a password for {domain} can be sent unencrypted ({how})",
            policy.plaintext_login.origin,
        )
