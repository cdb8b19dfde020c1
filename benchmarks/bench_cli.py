"""Start-up, whole-run cost and peak memory of the command line, against a bare interpreter.

    .venv/bin/python benchmarks/bench_cli.py [--runs N]

On the bundled example Debian tree (``jitsi_secure.demo.build_example_tree``) it times, as separate
processes run in turn (so a burst of load on the machine hits them alike):

- ``python -c pass``: the interpreter alone, the unit of cost (what a user feels as "instant");
- ``python -c "import tree_sitter, lupa.lua54, pyhocon, jproperties"``: the readers ``check`` needs;
- ``jitsi-secure --version``: our own start-up (the readers are imported lazily);
- ``jitsi-secure check`` and ``jitsi-secure plan``: a full Debian tree read, audited and verified.

Prints a Markdown table (best and median of N, in milliseconds, and the peak resident memory of each
command from ``wait4``) with each command's ratio to ``python -c pass``. The goals (issue 16):
``check`` at most 12x ``python -c pass`` (median) and at most 80 MiB peak RSS.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from jitsi_secure.demo import build_example_tree  # noqa: E402

GOAL = 12.0
GOAL_RSS_MIB = 80.0


def commands(root: Path) -> list[tuple[str, list[str]]]:
    python = sys.executable
    script = Path(python).with_name("jitsi-secure")
    cli = [str(script)] if script.exists() else [python, "-m", "jitsi_secure.cli"]
    return [
        ("python -c pass", [python, "-c", "pass"]),
        (
            "import tree_sitter, lupa.lua54, pyhocon, jproperties",
            [python, "-c", "import tree_sitter, lupa.lua54, pyhocon, jproperties"],
        ),
        ("jitsi-secure --version", [*cli, "--version"]),
        ("jitsi-secure check (Debian tree)", [*cli, "check", "--root", str(root)]),
        ("jitsi-secure plan (Debian tree)", [*cli, "plan", "--root", str(root)]),
    ]


def timed(argv: list[str]) -> tuple[float, float]:
    """Wall time in seconds and peak resident memory in MiB of one run of ``argv``."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"{argv} exited {process.returncode}")
    return elapsed, usage.ru_maxrss / 1024  # Linux reports KiB


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
        peaks: list[float] = [0.0 for _ in cases]
        for _ in range(args.runs):
            for index, (_, argv) in enumerate(cases):
                elapsed, rss = timed(argv)
                times[index].append(elapsed)
                peaks[index] = max(peaks[index], rss)
    best = [min(t) * 1000 for t in times]
    median = [statistics.median(t) * 1000 for t in times]
    unit_best, unit_median = best[0], median[0]
    print(f"Best and median of {args.runs} runs, each command a new process, run in turn.\n")
    print("| command | best ms | median ms | best / python | median / python | peak RSS MiB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for (label, _), b, m, rss in zip(cases, best, median, peaks, strict=True):
        print(f"| `{label}` | {b:.0f} | {m:.0f} | {b / unit_best:.2f} | {m / unit_median:.2f} | {rss:.0f} |")
    ratio = median[3] / unit_median
    met = ratio <= GOAL and peaks[3] <= GOAL_RSS_MIB
    print(
        f"\n`check` / `python -c pass`: {best[3] / unit_best:.2f} (best), {ratio:.2f} (median);"
        f" peak RSS {peaks[3]:.0f} MiB; goal at most {GOAL:g}x and {GOAL_RSS_MIB:g} MiB: {'met' if met else 'missed'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
