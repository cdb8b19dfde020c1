"""Test-wide settings: the hypothesis profiles.

``HYPOTHESIS_PROFILE=ci`` (set by ``make test`` and CI) is derandomized, keeps no example database
and has no deadline: property tests that start an oracle or import esprima would otherwise flake.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=100,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
