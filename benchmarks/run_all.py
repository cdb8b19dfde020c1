"""``make bench``: every benchmark, each in its own process, and one Markdown report on stdout.

    .venv/bin/python benchmarks/run_all.py [--only NAME ...]

Runs, one process per comparison so that no import or cache of one skews another:
``bench_properties.py`` (against jproperties), ``bench_hocon.py`` (pyhocon), ``bench_lua.py`` (lupa
evaluation and the ``luaparser`` package), ``bench_js.py`` (tree-sitter against esprima 4.0.1 and esprima-fork),
``bench_dotenv.py`` when present
(python-dotenv), ``bench_scaling.py`` once per format (1x/10x/100x inputs and deep nesting) and
``bench_deployment.py`` (reading a deployment against parsing its files once) and ``bench_cli.py``
(``check`` and ``plan`` against ``python -c pass``, with peak memory).

The report starts with the machine, then a table of the performance goals with the measured value
and whether it is met, then each benchmark's own tables. ``benchmarks/RESULTS.md`` keeps a copy.
The numbers in the goals table are read from the benchmarks' output; a goal whose number could not
be found says so rather than guessing.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
FORMATS = ("properties", "hocon", "lua", "js", "dotenv")


@dataclass
class Run:
    name: str
    title: str
    argv: list[str]
    output: str = ""
    seconds: float = 0.0
    ok: bool = True


def runs() -> list[Run]:
    python = sys.executable
    found = []
    titles = {
        "properties": ".properties against jproperties",
        "hocon": "HOCON against pyhocon",
        "lua": "Prosody Lua against lupa evaluation and luaparser",
        "js": "config.js against esprima 4.0.1 and esprima-fork",
        "dotenv": ".env against python-dotenv",
    }
    for name in FORMATS:
        script = HERE / f"bench_{name}.py"
        if script.exists():
            found.append(Run(name, titles[name], [python, str(script)]))
    for name in FORMATS:
        if (HERE / f"bench_{name}.py").exists() or name != "dotenv":
            found.append(
                Run(f"scaling-{name}", f"Scaling and nesting: {name}", [python, str(HERE / "bench_scaling.py"), name])
            )
    found.append(
        Run(
            "deployment",
            "Reading a deployment against parsing its files once",
            [python, str(HERE / "bench_deployment.py")],
        )
    )
    found.append(
        Run("cli", "The command line against the bare import of its readers", [python, str(HERE / "bench_cli.py")])
    )
    return found


def machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        total_kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {total_kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    versions = []
    for package in (
        "jitsi-secure", "pyhocon", "jproperties", "lupa", "tree-sitter", "tree-sitter-javascript", "esprima-fork",
        "luaparser", "python-dotenv",
    ):  # fmt: skip
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            continue
    load = ""
    if hasattr(os, "getloadavg"):
        load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    return [
        f"- Machine: {cpu}, {os.cpu_count()} CPUs{memory}; {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()} ({platform.python_implementation()}); {', '.join(versions)}",
        f"- Load average when the run started (1/5/15 min): {load or 'unknown'}",
        f"- Date: {time.strftime('%Y-%m-%d %H:%M %Z')}",
    ]


# ------------------------------------------------------------------------- goals, read from the outputs


@dataclass
class Goal:
    name: str
    wanted: str
    measure: Callable[[dict[str, str]], tuple[str, bool] | None]


def _hocon(out: dict[str, str]) -> tuple[str, bool] | None:
    ratios = [float(m) for m in re.findall(r"\| ([\d.]+)x \|", out.get("hocon", ""))]
    if not ratios:
        return None
    return f"{min(ratios):.1f}x faster at worst (rows: {', '.join(f'{r:.1f}x' for r in ratios)})", min(ratios) >= 20


def _properties(out: dict[str, str]) -> tuple[str, bool] | None:
    rows = re.findall(
        r"^\| (corpus[^|]*|generated \d+x) \|[^|]*\|[^|]*\|[^|]*\| ([\d.]+) \|", out.get("properties", ""), re.M
    )
    if not rows:
        return None
    worst = max(float(r) for _, r in rows)
    return f"ours / jproperties load: {worst:.2f} at worst ({1 / worst:.1f}x faster)", worst <= 1


def _lua(out: dict[str, str]) -> tuple[str, bool] | None:
    text = out.get("lua", "")
    corpus = re.search(r"\| luaparser ast.parse \| [\d.]+ \| ([\d.]+) \|", text)
    generated = [float(x) for x in re.findall(r"^\| \d+x \|(?:[^|]*\|){6} ([\d.]+) \|\s*$", text, re.M)]
    if corpus is None:
        return None
    value = float(corpus.group(1))
    extra = f"; generated 1x/10x/100x: {', '.join(f'{g:.1f}x' for g in generated)}" if generated else ""
    return f"corpus: {value:.1f}x faster{extra}", value >= 20


def _js(out: dict[str, str]) -> tuple[str, bool] | None:
    found = re.search(r"largest file: parse \+ model / esprima 4\.0\.1 parse: ([\d.]+)", out.get("js", ""))
    if found is None:
        return None
    ratio = float(found.group(1))
    return f"{ratio:.2f} of one esprima 4.0.1 parse (largest corpus config.js)", ratio <= 0.5


def _cli(out: dict[str, str]) -> tuple[str, bool] | None:
    found = re.search(
        r"`check` / `python -c pass`: ([\d.]+) \(best\), ([\d.]+) \(median\); peak RSS ([\d.]+) MiB",
        out.get("cli", ""),
    )
    if found is None:
        return None
    best, median, rss = float(found.group(1)), float(found.group(2)), float(found.group(3))
    return f"{median:.1f}x (median), {best:.1f}x (best), peak {rss:.0f} MiB", median <= 12 and rss <= 80


def _deployment(out: dict[str, str]) -> tuple[str, bool] | None:
    found = re.search(r"deployment read / parse once: ([\d.]+)", out.get("deployment", ""))
    if found is None:
        return None
    ratio = float(found.group(1))
    return f"{ratio:.2f}x parsing each file once (main config + 4 included files)", ratio <= 1.3


def _linear(out: dict[str, str]) -> tuple[str, bool] | None:
    cells = []
    ok = True
    for name in FORMATS:
        row = re.search(
            rf"^\| {name} \|(?:[^|]*\|){{4}} ([\d.]+)x \| ([\d.]+)x \| (\w+) \| ([^|]*) \|",
            out.get(f"scaling-{name}", ""),
            re.M,
        )
        if row is None:
            continue
        deep = row.group(4).strip()
        ok = ok and row.group(3) == "yes" and "RecursionError" not in deep
        cells.append(f"{name} {row.group(1)}x/{row.group(2)}x")
    if not cells:
        return None
    return "per 10x input: " + ", ".join(
        cells
    ) + "; deep nesting: a ParseError at a documented limit, never RecursionError", ok


GOALS = [
    Goal("HOCON parse vs pyhocon", "at least 20x faster", _hocon),
    Goal(".properties parse vs jproperties load", "at least as fast", _properties),
    Goal("Lua parse vs luaparser", "at least 20x faster", _lua),
    Goal("config.js parse + model (largest file) vs one esprima 4.0.1 parse", "at most 0.5x", _js),
    Goal("CLI `check` vs `python -c pass` (time, peak memory)", "at most 12x and 80 MiB", _cli),
    Goal("Reading a Debian deployment vs parsing its files once", "at most 1.3x", _deployment),
    Goal("Every parser linear, no recursion limit", "10x input at most 11x time", _linear),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--only", nargs="*", help="run only these (properties, hocon, lua, js, dotenv, cli, scaling-lua, ...)"
    )
    args = parser.parse_args()
    selected = [r for r in runs() if not args.only or r.name in args.only]
    header = machine()
    env = dict(os.environ)
    for run in selected:
        print(f"running {run.name} ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        done = subprocess.run(run.argv, capture_output=True, text=True, cwd=HERE.parent, env=env, check=False)
        run.seconds = time.perf_counter() - start
        run.ok = done.returncode == 0
        run.output = (
            done.stdout.strip() if run.ok else f"failed (exit {done.returncode}):\n\n```\n{done.stderr.strip()}\n```"
        )
    outputs = {r.name: r.output for r in selected if r.ok}

    print("# Benchmark results\n")
    print("\n".join(header))
    print("\n## Goals\n")
    print("| goal | wanted | measured | met |")
    print("| --- | --- | --- | --- |")
    failed = 0
    for goal in GOALS:
        result = goal.measure(outputs)
        if result is None:
            print(f"| {goal.name} | {goal.wanted} | not measured in this run | - |")
            continue
        text, met = result
        failed += not met
        print(f"| {goal.name} | {goal.wanted} | {text} | {'yes' if met else '**no**'} |")
    for run in selected:
        print(f"\n## {run.title}\n")
        print(f"`{' '.join(Path(a).name if a.startswith('/') else a for a in run.argv)}` ({run.seconds:.0f} s)\n")
        print(run.output)
    return 1 if any(not r.ok for r in selected) else 0


if __name__ == "__main__":
    raise SystemExit(main())
