"""What reading and editing a config.js costs, against esprima 4.0.1 (the parser jitsi-secure used to use).

    .venv/bin/python benchmarks/bench_js.py [--repeat N] [CORPUS_DIR]

esprima 4.0.1 and esprima-fork 5 install the same ``esprima`` module, so esprima 4 is measured in a
virtualenv of its own (created once under ``~/.cache/jitsi-secure-bench/esprima4``, with pip) and in a
process of its own. For every config.js of the corpus it prints (best of N, milliseconds):

- ``esprima 4``: a bare ``esprima.parseScript(text, {"range": True})`` of esprima 4.0.1 (files it
  accepts, i.e. ES2017), the unit of cost;
- ``esprima-fork``: the same call of esprima-fork 5, the reader that checks edits;
- ``parse``: ``jitsi_secure.formats.js.parse`` (tree-sitter, the ESTree conversion and the model);
- ``edit``: ``doc.set("hosts.anonymousdomain", ...)`` on a parsed document (splices, re-parse, check);
- ``verify``: ``read_js`` of the edited document (esprima-fork's reading, compared).

Import times of each parser are printed too. The goal (issue 16): parse + model of the largest file at
most 0.5x one esprima 4.0.1 parse.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from jitsi_secure import _verify  # noqa: E402
from jitsi_secure.errors import ParseError  # noqa: E402
from jitsi_secure.formats import js  # noqa: E402
from jitsi_secure.formats.js._ssi import serve  # noqa: E402

GUEST = "guest.meet.example.com"
DEFAULT_CORPUS = HERE.parents[1] / "shared" / "corpus" / "js"
ESPRIMA4 = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "jitsi-secure-bench" / "esprima4"

# Runs inside the esprima 4 virtualenv: import time, then the best parse time of each file, as JSON.
_ESPRIMA4_SCRIPT = """
import json, sys, time
start = time.perf_counter()
import esprima
imported = (time.perf_counter() - start) * 1000
assert esprima.version.startswith("4."), esprima.version
out = {"import": imported, "files": {}}
repeat = int(sys.argv[1])
for path in sys.argv[2:]:
    text = open(path, encoding="utf-8").read()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            esprima.parseScript(text, {"range": True})
        except Exception:
            times = None
            break
        times.append(time.perf_counter() - start)
    out["files"][path] = None if times is None else min(times) * 1000
print(json.dumps(out))
"""


def esprima4(files: list[Path], repeat: int) -> dict[str, object] | None:
    """esprima 4.0.1's import time and parse time per file, from its own virtualenv (None if it cannot be had)."""
    python = ESPRIMA4 / "bin" / "python"
    if not python.exists():
        try:
            subprocess.run([sys.executable, "-m", "venv", str(ESPRIMA4)], check=True, capture_output=True)
            subprocess.run(
                [str(python), "-m", "pip", "install", "-q", "esprima==4.0.1"], check=True, capture_output=True
            )
        except (OSError, subprocess.CalledProcessError) as exc:
            print(f"esprima 4.0.1 could not be installed in {ESPRIMA4}: {exc}", file=sys.stderr)
            return None
    result = subprocess.run(
        [str(python), "-c", _ESPRIMA4_SCRIPT, str(repeat), *map(str, files)], capture_output=True, text=True, check=True
    )
    data: dict[str, object] = json.loads(result.stdout)
    return data


def best(actions: list[Callable[[], object]], repeat: int) -> list[float]:
    """Best wall time of each action over ``repeat`` rounds, in milliseconds (run in turn each round)."""
    times: list[list[float]] = [[] for _ in actions]
    for _ in range(repeat):
        for index, action in enumerate(actions):
            start = time.perf_counter()
            action()
            times[index].append(time.perf_counter() - start)
    return [min(t) * 1000 for t in times]


def imported(module: str) -> float:
    """Milliseconds to import ``module`` in a fresh interpreter (best of 3)."""
    code = f"import time; s = time.perf_counter(); import {module}; print((time.perf_counter() - s) * 1000)"
    runs = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
        for _ in range(3)
    ]
    return min(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    files = sorted(args.corpus.glob("*.js"))
    if not files:
        print(f"no *.js files in {args.corpus}", file=sys.stderr)
        return 2
    old = esprima4(files, args.repeat)
    old_files: dict[str, float | None] = old["files"] if old else {}  # type: ignore[assignment]
    import esprima  # esprima-fork; its import is measured apart, below

    print(
        f"imports (fresh process, best of 3): tree_sitter + tree_sitter_javascript"
        f" {imported('tree_sitter, tree_sitter_javascript'):.0f} ms, esprima-fork {imported('esprima'):.0f} ms,"
        f" esprima 4.0.1 {old['import'] if old else float('nan'):.0f} ms\n"
    )
    print("| file | chars | esprima 4 ms | esprima-fork ms | parse ms | edit ms | verify ms | parse / esprima 4 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    largest: tuple[int, float | None] = (0, None)
    for path in files:
        text = path.read_text(encoding="utf-8")
        name = js.variable_for(path)
        try:
            doc = js.parse(text, name=name)
        except ParseError:
            continue
        edited = doc.set("hosts.anonymousdomain", GUEST) if doc.opaque_root is None else doc
        served = serve(text, source=path.name).text  # what esprima-fork reads when it checks an edit
        fork, ours, edit, verify = best(
            [
                functools.partial(esprima.parseScript, served, {"range": True}),
                functools.partial(js.parse, text, name=name),
                functools.partial(doc.set, "hosts.anonymousdomain", GUEST) if doc.opaque_root is None else doc.render,
                functools.partial(_verify.read_js, edited),
            ],
            args.repeat,
        )
        unit = old_files.get(str(path))
        ratio = f"{ours / unit:.2f}" if unit else "-"
        shown = f"{unit:.1f}" if unit else "refused"
        print(
            f"| {path.name} | {len(text)} | {shown} | {fork:.1f} | {ours:.1f} | {edit:.1f} | {verify:.1f} | {ratio} |"
        )
        if len(text) > largest[0]:
            largest = (len(text), ours / unit if unit else None)
    if largest[1] is not None:
        print(f"\nlargest file: parse + model / esprima 4.0.1 parse: {largest[1]:.2f} (goal at most 0.5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
