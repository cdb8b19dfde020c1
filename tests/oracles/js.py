"""Node.js as the judge of config.js meaning, and the config.js corpus.

:class:`NodeEvaluator` keeps one ``node configjs_batch.js`` process for the whole test run and sends
it one text per line, so hundreds of evaluations (a hypothesis run) cost milliseconds each instead of
a node start-up (~0.15 s) each.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.oracles import HERE, SHARED, corpus_files, require_program

BATCH_SCRIPT = HERE / "configjs_batch.js"


@dataclass(frozen=True)
class NodeResult:
    """What node read: the variable's JSON value, or the error the script threw."""

    ok: bool
    value: Any = None
    error: str = ""
    lossy: tuple[str, ...] = ()


class NodeEvaluator:
    """A running ``configjs_batch.js``; :meth:`evaluate` is one request/response round trip."""

    def __init__(self) -> None:
        node = require_program("node")
        self._lock = threading.Lock()
        self._process = subprocess.Popen(
            [node, str(BATCH_SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )

    def evaluate(self, code: str, name: str = "config", *, globals_: dict[str, Any] | None = None) -> NodeResult:
        """Evaluate ``code`` (a config.js text) in a fresh browser-like context; read variable ``name``.

        ``globals_`` predefines global variables (placeholders of a template such as ``__VAR__``).
        """
        payload = {"name": name, "code": code, "globals": globals_ or {}}
        request = json.dumps(payload, ensure_ascii=True).encode("ascii") + b"\n"
        with self._lock:
            assert self._process.stdin is not None and self._process.stdout is not None
            self._process.stdin.write(request)
            self._process.stdin.flush()
            line = self._process.stdout.readline()
        if not line:
            raise AssertionError("configjs_batch.js exited unexpectedly")
        reply = json.loads(line.decode("utf-8"))
        return NodeResult(reply["ok"], reply.get("value"), reply.get("error", ""), tuple(reply.get("lossy", ())))

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process.wait(timeout=10)


# nginx's SSI `echo` as jitsi-meet's site uses it, written here apart from jitsi_secure's own reading.
_SSI_ECHO = re.compile(r'<!--#\s*echo\s+var="[^"]*"\s+default="([^"]*)"\s*-->')


def served(text: str) -> str:
    """``text`` as nginx serves it: each ``<!--# echo var=".." default=".." -->`` replaced by its default."""
    return _SSI_ECHO.sub(lambda m: m.group(1), text)


@dataclass(frozen=True)
class JsCorpusFile:
    """A corpus config.js: its text and the variable it defines."""

    path: Path
    name: str
    text: str

    @property
    def id(self) -> str:
        return self.path.name


@functools.cache
def _manifest_notes() -> dict[str, str]:
    manifest = SHARED / "corpus" / "MANIFEST.tsv"
    if not manifest.is_file():
        return {}
    notes = {}
    for row in manifest.read_text(encoding="utf-8").splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) >= 7:
            notes[cells[0]] = cells[6]
    return notes


def js_corpus() -> list[JsCorpusFile]:
    """Every config.js of ``corpus/js`` that node can run as nginx serves it.

    MANIFEST notes say "INVALID JS" for the files with the docker nested-quote SSI bug
    (``"<!--# echo var="subdomain" default="" -->"``): they are JavaScript once nginx replaced the
    directive, which is how a browser gets them, so they are in. ``corpus_files`` only recognises notes
    starting with lower-case "invalid", while the js rows say "INVALID JS", so the notes are read here
    case-insensitively.
    """
    notes = _manifest_notes()
    found = []
    for path in corpus_files("js", "*.js"):
        if notes.get(f"js/{path.name}", "").lower().startswith("invalid") and not is_ssi_only_invalid(path):
            continue
        name = "interfaceConfig" if "interface_config" in path.name else "config"
        with open(path, encoding="utf-8", newline="") as handle:
            found.append(JsCorpusFile(path, name, handle.read()))
    return found


MODERN = Path(__file__).resolve().parent.parent / "formats" / "corpus_js_modern"


def modern_corpus() -> list[JsCorpusFile]:
    """The config.js files written for the tests (``tests/formats/corpus_js_modern``): ES2018+ syntax and SSI."""
    found = []
    for path in sorted(MODERN.glob("*.js")):
        with open(path, encoding="utf-8", newline="") as handle:
            found.append(JsCorpusFile(path, "config", handle.read()))
    return found


def is_ssi_only_invalid(path: Path) -> bool:
    """Whether an "invalid" corpus file is so only until nginx replaces its SSI directives.

    drumee's ERB template is one too: its ``<%= %>`` tags all sit inside string literals.
    """
    note = _manifest_notes().get(f"{path.parent.name}/{path.name}", "")
    return "<!--# echo" in note or "nested-quote" in note


def js_invalid_corpus() -> list[Path]:
    """Corpus config.js files (including templates) that MANIFEST marks as not valid JavaScript."""
    notes = _manifest_notes()
    paths = (
        corpus_files("js", "*.js")
        + corpus_files("templates", "*.js*")
        + corpus_files("templates", "*.js*", valid=False)
    )
    return sorted(
        {
            p
            for p in paths
            if notes.get(f"{p.parent.name}/{p.name}", "").lower().startswith("invalid") and not is_ssi_only_invalid(p)
        }
    )
