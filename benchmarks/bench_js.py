"""How much a verified config.js edit costs, measured in esprima parses.

    .venv/bin/python benchmarks/bench_js.py [--repeat N] [CORPUS_DIR]

For every config.js of the corpus that esprima accepts, it times (best of N):

- ``esprima``: a bare ``esprima.parseScript(text)``, the unit of cost;
- ``parse``: ``jitsi_secure.formats.js.parse`` (esprima with ranges and comments, plus the model);
- ``edit``: ``doc.set("hosts.anonymousdomain", ...)`` on a parsed document (splices, re-parse, verify);
- ``parse+edit``: both, i.e. what a one-off edit of a file costs.

and prints a Markdown table with the ratios to the bare parse. The goal is an ``edit`` of at most about
two esprima parses: verification is the only extra parse.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from jitsi_secure.errors import ParseError  # noqa: E402
from jitsi_secure.formats import js  # noqa: E402

GUEST = "guest.meet.example.com"
DEFAULT_CORPUS = HERE.parents[1] / "shared" / "corpus" / "js"


def parse_and_edit(text: str, name: str) -> js.ConfigJsDocument:
    return js.parse(text, name=name).set("hosts.anonymousdomain", GUEST)


def best(actions: list[Callable[[], object]], repeat: int) -> list[float]:
    """Best wall time of each action over ``repeat`` rounds, in milliseconds.

    The actions run in turn within each round, so a burst of load on the machine hits them alike.
    """
    times: list[list[float]] = [[] for _ in actions]
    for _ in range(repeat):
        for index, action in enumerate(actions):
            start = time.perf_counter()
            action()
            times[index].append(time.perf_counter() - start)
    return [min(t) * 1000 for t in times]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    files = sorted(args.corpus.glob("*.js"))
    if not files:
        print(f"no *.js files in {args.corpus}", file=sys.stderr)
        return 2

    start = time.perf_counter()
    import esprima  # the import itself (~280 ms) is not what is measured

    import_ms = (time.perf_counter() - start) * 1000
    rows = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        name = js.variable_for(path)
        try:
            doc = js.parse(text, name=name)
        except ParseError:
            continue  # invalid or newer than ES2017
        bare, ours, edit, whole = best(
            [
                functools.partial(esprima.parseScript, text),
                functools.partial(js.parse, text, name=name),
                functools.partial(doc.set, "hosts.anonymousdomain", GUEST),
                functools.partial(parse_and_edit, text, name),
            ],
            args.repeat,
        )
        rows.append((path.name, len(text), bare, ours, edit, whole))

    print(f"esprima import: {import_ms:.0f} ms (paid once per process; jitsi_secure imports it lazily)\n")
    print("| file | chars | esprima ms | parse ms | edit ms | parse+edit ms | parse/esprima | edit/esprima |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, size, bare, ours, edit, whole in sorted(rows, key=lambda r: -r[1])[:12]:
        print(
            f"| {name} | {size} | {bare:.1f} | {ours:.1f} | {edit:.1f} | {whole:.1f} "
            f"| {ours / bare:.2f} | {edit / bare:.2f} |"
        )
    total = [sum(r[i] for r in rows) for i in range(2, 6)]
    print(
        f"| **all {len(rows)} files** | {sum(r[1] for r in rows)} | {total[0]:.1f} | {total[1]:.1f} "
        f"| {total[2]:.1f} | {total[3]:.1f} | {total[1] / total[0]:.2f} | {total[2] / total[0]:.2f} |"
    )
    ratios = [r[4] / r[2] for r in rows]
    print(
        f"\nedit/esprima per file: median {statistics.median(ratios):.2f}, max {max(ratios):.2f};"
        f" parse+edit/esprima over the corpus: {total[3] / total[0]:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
