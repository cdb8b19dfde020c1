"""What a secured Jitsi Meet deployment should look like: the validated, frozen spec.

The spec lives in :mod:`jitsi_secure._spec`, below every package that needs it (the policy compares a
deployment with it, the layouts and the accounts validate domains with it); this module is its public
import path.
"""

from __future__ import annotations

# Named one by one, the same list as ``_spec`` (a duplicate on purpose): a star import would hide from
# readers, mypy and the API docs which names this public path promises.
from jitsi_secure._spec import (
    DEFAULT_SECRET_FILE,
    FILE_CONTENTS_SINCE,
    AuthMode,
    JicofoAuth,
    JigasiAccount,
    JwtAuth,
    Secret,
    SecureDomain,
    SpecError,
    installed_prosody_version,
    parse_prosody_version,
    resolve_prosody_version,
    validate_domain,
    validate_jid,
)

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
