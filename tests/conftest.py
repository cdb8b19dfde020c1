"""Test-wide settings: the hypothesis profiles, and the ``prosody`` fixture.

``HYPOTHESIS_PROFILE=ci`` (set by ``make test`` and CI) is derandomized, keeps no example database
and has no deadline: property tests that start an oracle or import esprima would otherwise flake.

A test taking ``prosody`` runs once per Prosody major (0.12 and 13, see ``tests/oracles/lua.py``); a
major that is not installed skips, or fails when ``CI`` is set.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from tests.oracles.lua import PROSODY_MAJORS, ProsodyInstall, prosody_install

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


@pytest.fixture(params=PROSODY_MAJORS, ids=[f"prosody{m}" for m in PROSODY_MAJORS])
def prosody(request: pytest.FixtureRequest) -> ProsodyInstall:
    """The Prosody major of this run of the test: its programs and source folder."""
    return prosody_install(request.param)
