"""A real XMPP login with slixmpp, for the tests that run a Prosody: did the server let us in?

:func:`login` connects in clear text to a local test server (no TLS: the test config sets
``c2s_require_encryption = false``), tries one SASL login and reports ``"ok"`` (session started:
SASL success and resource bound), ``"refused"`` (the server answered a SASL failure) or another
outcome (timeout, connection failure, no usable mechanism) that a test should treat as broken.

Facts this relies on (verified with slixmpp 1.17 against Prosody 0.12, see the project's research notes):

* slixmpp tries direct TLS first on a custom port; ``enable_direct_tls = False`` stops that.
* SCRAM and PLAIN over clear text are refused by the client unless allowed in ``feature_mechanisms``.
* A JID without a local part logs in with ANONYMOUS. When the server does not offer a mechanism the
  client never sends it; ``force_mech`` adds it so that **the server** answers ``invalid-mechanism``.
* Given a password on a host offering only ANONYMOUS, slixmpp silently logs in anonymously: pin
  ``mech`` to test a password login there.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import slixmpp
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

__all__ = ["LoginResult", "login"]

logging.getLogger("slixmpp").setLevel(logging.CRITICAL)


@dataclass
class LoginResult:
    """The outcome of one login attempt."""

    outcome: str = "timeout"
    mechanisms_offered: list[str] = field(default_factory=list)
    mech_used: str | None = None
    failures: list[str] = field(default_factory=list)
    bound_jid: str | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        """The session started."""
        return self.outcome == "ok"

    @property
    def refused(self) -> bool:
        """The server refused the authentication (a SASL failure came back)."""
        return self.outcome == "refused"


async def _login(
    jid: str, password: str, *, port: int, host: str, mech: str | None, force_mech: bool, timeout: float
) -> LoginResult:
    config: dict[str, Any] = {"feature_mechanisms": {"unencrypted_scram": True, "unencrypted_plain": True}}
    if mech:
        config["feature_mechanisms"]["use_mech"] = mech
    xmpp = slixmpp.ClientXMPP(jid, password, plugin_config=config)
    xmpp.enable_direct_tls = False
    # The test server has no certificate: never start TLS even when mod_tls offers it.
    for order, name in list(xmpp._stream_feature_order):
        if name == "starttls":
            xmpp.unregister_feature(name, order)
    result = LoginResult()
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    mechanisms = xmpp.plugin["feature_mechanisms"]

    def finish(outcome: str, reason: str = "") -> None:
        if not done.done():
            result.outcome = outcome
            result.reason = reason
            done.set_result(None)

    original_send_auth: Callable[[], Any] = mechanisms._send_auth

    def send_auth() -> Any:
        if not result.mechanisms_offered:
            result.mechanisms_offered = sorted(mechanisms.mech_list)
        if force_mech and mech:
            mechanisms.mech_list.add(mech)
        return original_send_auth()

    # slixmpp has no hook between "features received" and "auth sent": wrap its method on this instance.
    setattr(mechanisms, "_send_auth", send_auth)  # noqa: B010

    def on_features(features: Any) -> None:
        names = set(features["features"])
        if not xmpp.authenticated and "mechanisms" not in names and "starttls" in names:
            finish("server_requires_starttls")

    def on_session_start(_: Any) -> None:
        result.bound_jid = str(xmpp.boundjid)
        finish("ok")
        xmpp.disconnect()

    def on_failed_auth(stanza: Any) -> None:
        result.mech_used = mechanisms.mech.name if mechanisms.mech else None
        result.failures.append(str(stanza["condition"]))

    def on_failed_all_auth(_: Any) -> None:
        finish("refused" if result.failures else "no_acceptable_mechanism")

    def on_disconnected(reason: Any) -> None:
        finish("refused" if result.failures else "disconnected", str(reason))

    xmpp.register_handler(Callback("features", MatchXPath(f"{{{xmpp.stream_ns}}}features"), on_features))
    xmpp.add_event_handler(
        "auth_success", lambda _: setattr(result, "mech_used", getattr(mechanisms.mech, "name", None))
    )
    xmpp.add_event_handler("session_start", on_session_start)
    xmpp.add_event_handler("failed_auth", on_failed_auth)
    xmpp.add_event_handler("failed_all_auth", on_failed_all_auth)
    xmpp.add_event_handler("no_auth", lambda _: finish("no_acceptable_mechanism"))
    xmpp.add_event_handler("disconnected", on_disconnected)
    xmpp.add_event_handler("connection_failed", lambda error: finish("connection_failed", str(error)))
    xmpp.connect(host=host, port=port)
    try:
        await asyncio.wait_for(done, timeout)
    except TimeoutError:
        result.outcome = "timeout"
    finally:
        # No reconnect loop may outlive the attempt.
        xmpp.cancel_connection_attempt()
        if xmpp.transport is not None:
            xmpp.abort()
        await asyncio.sleep(0)
    return result


def login(
    jid: str,
    password: str = "",
    *,
    port: int,
    host: str = "127.0.0.1",
    mech: str | None = None,
    force_mech: bool = False,
    timeout: float = 10.0,
) -> LoginResult:
    """Try one login of ``jid`` (a bare host means ANONYMOUS) on the server at ``host:port``."""
    return asyncio.run(_login(jid, password, port=port, host=host, mech=mech, force_mech=force_mech, timeout=timeout))
