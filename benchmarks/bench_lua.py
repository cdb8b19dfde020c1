"""Benchmark of the Prosody Lua document: lossless parse and verified edit, against lupa evaluation (the
sandboxed run of the file, ``LuaDocument.evaluate``) and against the ``luaparser`` package (an ANTLR-based
Lua AST parser, not lossless), on the corpus and on generated files of 1x, 10x and 100x a Jitsi config.

Run: ``.venv/bin/python benchmarks/bench_lua.py`` (``pip install luaparser`` for the luaparser column).
Prints Markdown tables; takes well under a minute.
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from jitsi_secure.formats import lua

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "lua"
BASE_NAME = "jitsi-meet_prosody.cfg.lua-jvb.example_2025-09_469406d.lua"
LUAPARSER_BUDGET_S = 15.0


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs, in seconds (the least disturbed by the machine)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def edit(doc: lua.LuaDocument) -> lua.LuaDocument:
    """The Secure Domain edit: password auth on the last VirtualHost, a guest host right after it."""
    hosts = [s.name for s in doc.sections() if s.kind == "VirtualHost" and s.name and not s.inline]
    if not hosts:
        return doc.set(None, "bench_option", True)
    host = hosts[-1]
    doc = doc.set(host, "authentication", "internal_hashed")
    return doc.add_section(
        "VirtualHost",
        "bench-guest.example",
        {"authentication": "anonymous", "c2s_require_encryption": False},
        after=host,
    )


def generated(copies: int, base: str) -> str:
    """``copies`` of the base file, each with its own host names, so sections stay distinct."""
    return "\n".join(base.replace("jitmeet.example.com", f"h{i}.example.com") for i in range(copies))


def luaparser_parse() -> Callable[[str], object] | None:
    try:
        from luaparser import ast
    except ImportError:
        return None
    return ast.parse  # type: ignore[no-any-return]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def main() -> int:
    if not CORPUS.is_dir():
        print(f"corpus folder {CORPUS} is absent", file=sys.stderr)
        return 1
    other = luaparser_parse()
    texts = [p.read_bytes().decode("utf-8") for p in sorted(CORPUS.glob("*.lua"))]
    docs = [lua.parse(t) for t in texts]

    def evaluate_all() -> None:
        for doc in docs:
            # Prosody 13-only configs fail here as they do in Prosody 0.12.
            with contextlib.suppress(lua.LuaEvaluationError):
                doc.evaluate()

    corpus_parse = best_of(lambda: [lua.parse(t) for t in texts], 5)
    corpus_edit = best_of(lambda: [edit(d) for d in docs], 3)
    corpus_eval = best_of(evaluate_all, 3)
    corpus_other = best_of(lambda: [other(t) for t in texts], 1) if other else float("nan")
    size = sum(len(t) for t in texts)
    print(f"## Corpus: {len(texts)} files, {size / 1024:.0f} KiB (best of several runs, milliseconds)\n")
    print("| operation | total ms | x our parse |")
    print("|---|---:|---:|")
    for label, seconds in [
        ("parse (lossless, validated)", corpus_parse),
        ("edit: set + add_section, verified", corpus_edit),
        ("lupa evaluate (sandboxed run)", corpus_eval),
        ("luaparser ast.parse", corpus_other),
    ]:
        print(f"| {label} | {ms(seconds)} | {seconds / corpus_parse:.2f} |")

    base = (CORPUS / BASE_NAME).read_bytes().decode("utf-8")
    rows = []
    spent_other = 0.0
    for copies in (1, 10, 100):
        text = generated(copies, base)
        doc = lua.parse(text)
        repeat = 5 if copies < 100 else 2
        t_parse = best_of(lambda text=text: lua.parse(text), repeat)  # type: ignore[misc]
        t_edit = best_of(lambda doc=doc: edit(doc), repeat)  # type: ignore[misc]
        t_eval = best_of(lambda doc=doc: doc.evaluate(max_instructions=1 << 40), repeat)  # type: ignore[misc]
        t_other = float("nan")
        if other is not None and spent_other < LUAPARSER_BUDGET_S / 5:
            t_other = best_of(lambda text=text: other(text), 1)  # type: ignore[misc]
            spent_other += t_other
        rows.append((copies, len(text), t_parse, t_edit, t_eval, t_other))
    print(f"\n## Generated: {BASE_NAME} repeated (milliseconds)\n")
    print("| size | KiB | parse | edit | lupa eval | luaparser | eval / parse | luaparser / parse |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for copies, chars, t_parse, t_edit, t_eval, t_other in rows:
        print(
            f"| {copies}x | {chars / 1024:.0f} | {ms(t_parse)} | {ms(t_edit)} | {ms(t_eval)} | {ms(t_other)} "
            f"| {t_eval / t_parse:.2f} | {t_other / t_parse:.1f} |"
        )
    print("\n## Scaling (time at Nx / time at 1x; linear is 10 and 100)\n")
    print("| operation | 10x | 100x |")
    print("|---|---:|---:|")
    first = rows[0]
    for index, label in [(2, "parse"), (3, "edit"), (4, "lupa eval"), (5, "luaparser")]:
        values = [row[index] / first[index] for row in rows[1:]]
        print(f"| {label} | {values[0]:.1f} | {values[1]:.1f} |")
    if other is None:
        print("\nluaparser is not installed: `pip install luaparser` for its column.")
    elif any(row[5] != row[5] for row in rows):
        print(f"\nluaparser skipped where it would exceed the {LUAPARSER_BUDGET_S:.0f} s budget (nan).")
    print(f"\nmedian corpus file: {statistics.median(len(t) for t in texts) / 1024:.1f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
