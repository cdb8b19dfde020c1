"""The planned texts read as the servers will: the access policy must be the one the spec asks for."""

from __future__ import annotations

from jitsi_secure import policy as access
from jitsi_secure.deployment import Deployment, read_deployment
from jitsi_secure.errors import VerificationError
from jitsi_secure.secure_domain._model import FileChange
from jitsi_secure.secure_domain.layout import DockerLayout, Layout
from jitsi_secure.secure_domain.spec import SecureDomain

__all__ = ["secret_file_problem", "verify_policy"]


def secret_file_problem(deployment: Deployment, spec: SecureDomain) -> str | None:
    """How the app secret Prosody reads (through ``FileContents``) differs from the given one, if it does."""
    if spec.jwt is None or spec.jwt.secret_file is None or spec.jwt.app_secret is None:
        return None
    assert deployment.prosody is not None
    setting = deployment.prosody.get(spec.domain, "app_secret")
    if setting is None or not setting.value:
        return "not set"
    return None if setting.value == spec.jwt.app_secret.reveal() else "a different secret"


def verify_policy(
    layout: Layout | DockerLayout, spec: SecureDomain, files: tuple[FileChange, ...], *, revert: bool
) -> None:
    """Read the planned texts as the servers will, over every file they load: the policy must be the
    one asked for, and an app secret kept in a file must read as the given one."""
    planned = {f.path: f.after for f in files if f.changed and not f.removed}
    after = read_deployment(layout, prosody_version=spec.prosody_version, texts=planned)
    problem = None if revert else secret_file_problem(after, spec)
    if problem is not None:
        raise VerificationError(
            f"Prosody would read the app secret through FileContents as {problem} (nothing was written)"
        )
    missed = access.differences(access.compute(after), spec, revert=revert)
    if missed:
        raise VerificationError(
            "the planned files would not give the access policy asked for (nothing was written): "
            + "; ".join(str(m) for m in missed)
        )
