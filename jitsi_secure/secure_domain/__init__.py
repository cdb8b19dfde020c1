"""The Secure Domain setup: what changes in each file, planned, verified and applied as a whole.

Recipes know Jitsi and nothing of syntax; they drive the format documents of
:mod:`jitsi_secure.formats`. :func:`build_plan` computes and verifies every file's new text before
anything is written; :func:`apply_plan` writes them safely.
"""

from __future__ import annotations

from jitsi_secure._core.lock import LockError
from jitsi_secure.secure_domain._intent import Finding
from jitsi_secure.secure_domain.layout import DockerLayout, Layout, LayoutError, discover_domains
from jitsi_secure.secure_domain.plan import ApplyError, FileChange, Plan, apply_plan, build_plan, deployment_lock
from jitsi_secure.secure_domain.spec import JigasiAccount, JwtAuth, Secret, SecureDomain, SpecError

__all__ = [
    "ApplyError",
    "DockerLayout",
    "FileChange",
    "Finding",
    "JigasiAccount",
    "JwtAuth",
    "Layout",
    "LayoutError",
    "LockError",
    "Plan",
    "Secret",
    "SecureDomain",
    "SpecError",
    "apply_plan",
    "build_plan",
    "deployment_lock",
    "discover_domains",
]
