"""The release package: ``python -m build`` makes an sdist and a wheel, and the wheel works on its own.

The wheel is installed into a fresh virtualenv (no access to this checkout or its virtualenv; its
dependencies come from the package index through pip) and its commands are run from there:
``jitsi-secure --help``, ``--version`` (which must match the wheel's metadata), and the demo, both as
``jitsi-secure-demo`` and as ``python -m jitsi_secure.demo``. Marked ``package``; it runs in CI with
the rest (about 20-40 s, most of it pip), and ``pytest -m "not package"`` leaves it out.
"""

from __future__ import annotations

import email
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.package


def _run(*args: str | Path, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    # A clean environment: nothing from this checkout's virtualenv may leak into the installed one.
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, f"{args} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``python -m build`` of this checkout (sdist, then the wheel from the sdist) into a temporary folder."""
    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: build with the setuptools and wheel of the test extra instead of downloading them.
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", out, REPO, cwd=out)
    return out


def _one(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    assert len(found) == 1, f"expected one {pattern} in {folder}, found {found}"
    return found[0]


def test_the_wheel_holds_the_package_its_types_and_the_demo(dist: Path) -> None:
    wheel = _one(dist, "jitsi_secure-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = email.message_from_bytes(archive.read(metadata_name))
        entry_points = archive.read(metadata_name.replace("METADATA", "entry_points.txt")).decode()
    assert "jitsi_secure/py.typed" in names
    assert "jitsi_secure/demo_files/config.js" in names
    assert "jitsi_secure/formats/lua/__init__.py" in names
    assert not any(n.startswith(("tests/", "benchmarks/", "docs/")) for n in names)
    assert "jitsi-secure = jitsi_secure.cli:main" in entry_points
    assert "jitsi-secure-demo = jitsi_secure.demo:main" in entry_points
    classifiers = metadata.get_all("Classifier") or []
    assert "Typing :: Typed" in classifiers
    assert metadata.get_all("Project-URL"), "no project URLs"
    assert metadata["Requires-Python"] == ">=3.11"


def test_the_sdist_builds_the_same_package(dist: Path) -> None:
    sdist = _one(dist, "jitsi_secure-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"pyproject.toml", "README.md", "jitsi_secure/py.typed", "jitsi_secure/demo_files/jicofo.conf"} <= names


def test_the_wheel_installs_and_runs_in_a_clean_virtualenv(dist: Path, tmp_path: Path) -> None:
    wheel = _one(dist, "jitsi_secure-*.whl")
    version = wheel.name.split("-")[1]
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    # This environment's pip installs into the new one (faster than bootstrapping pip there).
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", wheel, cwd=tmp_path)

    where = _run(python, "-c", "import jitsi_secure; print(jitsi_secure.__file__)", cwd=tmp_path).stdout
    assert Path(where.strip()).is_relative_to(venv), f"imported from {where}, not from the installed wheel"

    helped = _run(venv / "bin" / "jitsi-secure", "--help", cwd=tmp_path).stdout
    assert "plan" in helped and "apply" in helped and "check" in helped and "revert" in helped
    assert _run(venv / "bin" / "jitsi-secure", "--version", cwd=tmp_path).stdout.strip() == f"jitsi-secure {version}"
    metadata_version = _run(
        python, "-c", "import importlib.metadata as m, jitsi_secure; print(m.version('jitsi-secure'))", cwd=tmp_path
    ).stdout.strip()
    assert metadata_version == version

    for demo in ([venv / "bin" / "jitsi-secure-demo"], [python, "-m", "jitsi_secure.demo"]):
        shown = _run(*demo, cwd=tmp_path).stdout
        assert "$ jitsi-secure apply" in shown
        assert shown.count("[exit 0]") >= 5 and "[exit 1]" in shown  # check says "changes needed" first
        assert "s3cret" not in shown
