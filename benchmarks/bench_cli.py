"""Start-up and whole-run cost of the command line, against the bare import of its readers.

    .venv/bin/python benchmarks/bench_cli.py [--runs N]

On the bundled example Debian tree (``jitsi_secure.demo.build_example_tree``) it times, as separate
processes run in turn (so a burst of load on the machine hits them alike):

- ``python -c pass``: the interpreter alone;
- ``python -c "import esprima, lupa.lua54, pyhocon, jproperties"``: the readers ``check`` needs, the
  unit of cost;
- ``jitsi-secure --version``: our own start-up (the readers are imported lazily);
- ``jitsi-secure check`` and ``jitsi-secure plan``: a full Debian tree read, audited and verified.

Prints a Markdown table (best and median of N, in milliseconds) with each command's ratio to the bare
import. The goal: ``check`` at most 1.3x the import of its dependencies.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from jitsi_secure.demo import build_example_tree  # noqa: E402

GOAL = 1.3


def commands(root: Path) -> list[tuple[str, list[str]]]:
    python = sys.executable
    script = Path(python).with_name("jitsi-secure")
    cli = [str(script)] if script.exists() else [python, "-m", "jitsi_secure.cli"]
    return [
        ("python -c pass", [python, "-c", "pass"]),
        (
            "import esprima, lupa.lua54, pyhocon, jproperties",
            [python, "-c", "import esprima, lupa.lua54, pyhocon, jproperties"],
        ),
        ("jitsi-secure --version", [*cli, "--version"]),
        ("jitsi-secure check (Debian tree)", [*cli, "check", "--root", str(root)]),
        ("jitsi-secure plan (Debian tree)", [*cli, "plan", "--root", str(root)]),
    ]


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"{argv} exited {result.returncode}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as folder:
        root = build_example_tree(Path(folder))
        cases = commands(root)
        for _, argv in cases:  # warm the file cache and bytecode
            timed(argv)
        times: list[list[float]] = [[] for _ in cases]
        for _ in range(args.runs):
            for index, (_, argv) in enumerate(cases):
                times[index].append(timed(argv))
    best = [min(t) * 1000 for t in times]
    median = [statistics.median(t) * 1000 for t in times]
    unit_best, unit_median = best[1], median[1]
    print(f"Best and median of {args.runs} runs, each command a new process, run in turn.\n")
    print("| command | best ms | median ms | best / import | median / import |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for (label, _), b, m in zip(cases, best, median, strict=True):
        print(f"| `{label}` | {b:.0f} | {m:.0f} | {b / unit_best:.2f} | {m / unit_median:.2f} |")
    ratio = best[3] / unit_best
    print(
        f"\n`check` / bare import of its readers: {ratio:.2f} (best), {median[3] / unit_median:.2f} (median);"
        f" goal at most {GOAL}: {'met' if ratio <= GOAL else 'missed'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
