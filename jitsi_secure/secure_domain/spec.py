"""What a secured Jitsi Meet deployment should look like: the validated, frozen spec.

The spec lives in :mod:`jitsi_secure._spec`, below every package that needs it (the policy compares a
deployment with it, the layouts and the accounts validate domains with it); this module is its public
import path: every name of ``_spec.__all__``, the same objects.
"""

from __future__ import annotations

from jitsi_secure import _spec
from jitsi_secure._spec import *  # noqa: F403 (this path's names are _spec's, listed once there)

__all__ = list(_spec.__all__)
