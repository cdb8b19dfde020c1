"""The real readers of each format, run as the final judges in tests.

Each runner needs a program on the machine (java, node, lua5.4, prosody). When it is missing the test
skips with the reason, except when ``CI`` is set: there nothing may skip silently, so it fails.
The scripts beside this file are jitsi-secure's copies of the verified recipes in
``shared/docs/research/oracles`` (a user's clone has no ``shared/``).
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHARED = REPO.parent / "shared"
IN_CI = bool(os.environ.get("CI"))
TYPESAFE_CONFIG_JAR = Path("/usr/share/java/typesafe-config.jar")


def missing(reason: str) -> None:
    """Skip the current test for ``reason``, or fail it when running in CI."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def require_program(name: str) -> str:
    """The full path of program ``name``; skips (fails in CI) when it is not installed."""
    path = shutil.which(name)
    if path is None:
        missing(f"{name} is not installed")
    assert path is not None
    return path


def require_module(name: str, install: str = "") -> ModuleType:
    """The imported Python module ``name``; skips (fails in CI) when it is not installed.

    Unlike ``pytest.importorskip``, which skips even in CI. ``install`` says how to get it. Only the module
    itself (or its package) missing counts: an ImportError from inside an installed module is raised.
    """
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is None or not (name == exc.name or name.startswith(exc.name + ".")):
            raise
        missing(f"the Python module {name} is not installed" + (f" ({install})" if install else ""))
        raise  # not reached: missing() raises


def require_root(reason: str) -> None:
    """Skip (fail in CI) unless the tests run as root. CI does: ``.ci/run`` installs packages with apt-get
    and unpacks Prosody 13 into ``/opt``, so a root-only test can never go missing there."""
    if os.geteuid() != 0:
        missing(f"only root can run this: {reason}")


def corpus_dir(*parts: str) -> Path:
    """A folder of ``shared/corpus``; skips with a reason (fails in CI) when ``shared/`` is absent."""
    folder = SHARED.joinpath("corpus", *parts)
    if not folder.is_dir():
        missing(f"corpus folder {folder} is absent (it lives in the project's shared/ checkout)")
    return folder


@functools.cache
def invalid_corpus_files() -> frozenset[str]:
    """Corpus paths (relative to ``corpus/``) that MANIFEST.tsv marks as not valid in their format."""
    manifest = SHARED / "corpus" / "MANIFEST.tsv"
    if not manifest.is_file():
        return frozenset()
    invalid = set()
    for row in manifest.read_text(encoding="utf-8").splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) >= 7 and cells[6].lower().startswith("invalid"):
            invalid.add(cells[0])
    return frozenset(invalid)


def corpus_files(kind: str, *patterns: str, valid: bool = True) -> list[Path]:
    """Every file under ``corpus/<kind>`` matching ``patterns`` (recursively), valid ones or invalid ones."""
    folder = corpus_dir(kind)
    bad = invalid_corpus_files()
    found: set[Path] = set()
    for pattern in patterns or ("*",):
        found.update(p for p in folder.rglob(pattern) if p.is_file())
    root = folder.parent
    return sorted(p for p in found if (p.relative_to(root).as_posix() in bad) != valid)


@functools.cache
def _compiled_java() -> Path:
    """Compile the Java oracles once per test run (source-file mode costs ~0.7 s per call)."""
    require_program("javac")
    out = Path(tempfile.mkdtemp(prefix="jitsi-secure-oracles-"))
    sources = [str(HERE / "PropsDump.java")]
    if TYPESAFE_CONFIG_JAR.exists():
        sources.append(str(HERE / "HoconDump.java"))
    subprocess.run(
        ["javac", "-nowarn", "-cp", str(TYPESAFE_CONFIG_JAR), "-d", str(out), *sources],
        check=True,
        capture_output=True,
    )
    return out


def run_java(main_class: str, args: Sequence[str], *, needs_typesafe: bool = False) -> subprocess.CompletedProcess[str]:
    """Run one of the compiled Java oracles."""
    require_program("java")
    if needs_typesafe and not TYPESAFE_CONFIG_JAR.exists():
        missing(f"{TYPESAFE_CONFIG_JAR} is absent (Debian package libtypesafe-config-java)")
    classes = _compiled_java()
    classpath = f"{classes}{os.pathsep}{TYPESAFE_CONFIG_JAR}"
    return subprocess.run(
        ["java", "-cp", classpath, main_class, *args],
        check=False,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )


def java_properties(paths: Sequence[Path]) -> list[dict[str, Any]]:
    """``java.util.Properties.load(InputStream)`` of each file, in order.

    Each item is ``{"properties": {...}}`` or ``{"error": "..."}`` (a malformed ``\\u`` escape).
    """
    if not paths:
        return []
    result = run_java("PropsDump", [str(p) for p in paths])
    if result.returncode not in (0, 1):
        raise AssertionError(f"PropsDump failed: {result.stderr}")
    lines = result.stdout.splitlines()
    assert len(lines) == len(paths), result.stderr
    return [json.loads(line) for line in lines]
