"""``example-secret``: secrets still at a template's value, or too short. No value is ever printed."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from jitsi_secure.deployment import Origin
from jitsi_secure.doctor._context import Context, dotenv_file
from jitsi_secure.doctor._finding import Finding, make

__all__ = ["EXAMPLE_SECRETS", "MIN_LENGTH", "check"]

#: Values templates ship: jitsi-meet's Prosody example and the placeholders of its older Debian
#: templates (``focusSecret``, ``jitmeetSecret``), docker-jitsi-meet's env.example (old and new).
EXAMPLE_SECRETS = frozenset({
    "example_app_secret", "my_jitsi_app_secret", "passw0rd", "s3cr37", "changeme", "secret", "password",
    "focusSecret", "jitmeetSecret",
})  # fmt: skip
#: Debian's placeholders (``__turnSecret__``), which its postinst replaces.
_PLACEHOLDER = re.compile(r"__\w+__")
MIN_LENGTH = 16
_SECRET_NAME = re.compile(r"secret|password", re.IGNORECASE)


def check(ctx: Context) -> Iterator[Finding]:
    """Every secret-named Prosody option and docker ``.env`` variable."""
    prosody = ctx.prosody
    if prosody is not None:
        scopes: list[tuple[str, Mapping[str, Any], Mapping[str, Origin]]] = [
            ("the global section", prosody.globals, prosody.global_origins)
        ]
        scopes += [(h.name, h.options, h.origins) for h in prosody.hosts.values()]
        for scope, options, origins in scopes:
            for key, value in options.items():
                if _SECRET_NAME.search(key) and isinstance(value, str):
                    yield from _judge(f"{key} of {scope}", value, origins.get(key))
    env_file = ctx.deployment.env_file
    if env_file is not None:
        for key, value in ctx.deployment.env.items():
            if _SECRET_NAME.search(key) and value:
                yield from _judge(key, value, Origin(env_file, ctx.line_of(env_file, key, dotenv_file)))


def _judge(name: str, value: str, origin: Origin | None) -> Iterator[Finding]:
    if value in EXAMPLE_SECRETS or _PLACEHOLDER.fullmatch(value):
        yield make("example-secret", f"{name} is still the template's example value; anyone can use it", origin)
    elif len(value) < MIN_LENGTH:
        yield make("example-secret", f"{name} is shorter than {MIN_LENGTH} characters", origin)
