"""Benchmark: the lossless .env document against python-dotenv, in one run.

    python benchmarks/bench_dotenv.py

Prints a Markdown table: our parse+render and a ``set`` against python-dotenv's ``dotenv_values``
(without interpolation, like our default reading) on the corpus (when ``../shared/corpus`` is there)
and on generated files of 1x, 10x and 100x size, with ratios (ours / theirs; below 1 means faster) and
how each grows with size (10x input should cost about 10x time).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from dotenv import dotenv_values

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _timing import best_of, print_scaling

from jitsi_secure.formats.dotenv import parse

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dotenv"


def measure(texts: list[str]) -> dict[str, float]:
    docs = [parse(t) for t in texts]
    return {
        "ours parse+render": best_of(lambda: [parse(t).render() for t in texts]),
        "ours set": best_of(lambda: [d.set("BENCH_ADDED_KEY", "value with $ and space") for d in docs]),
        "python-dotenv": best_of(lambda: [dotenv_values(stream=io.StringIO(t), interpolate=False) for t in texts]),
    }


def generated(copies: int) -> str:
    return "".join(
        f"# setting {i}\nGROUP{i % 7}_KEY_{i}=value {i} # note\n#GROUP{i % 7}_OFF_{i}=1\n"
        f"QUOTED_{i}='single {i}'\nDOUBLE_{i}=\"line\\n{i} ${{GROUP{i % 7}_KEY_{i}}}\"\n\n"
        for i in range(100 * copies)
    )


def main() -> None:
    rows: list[tuple[str, int, dict[str, float]]] = []
    if CORPUS.is_dir():
        texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.env"))]
        rows.append((f"corpus ({len(texts)} files)", sum(map(len, texts)), measure(texts)))
    for copies in (1, 10, 100):
        text = generated(copies)
        rows.append((f"generated {copies}x", len(text), measure([text])))
    print("| input | chars | ours parse+render | python-dotenv | ratio | ours set |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, size, t in rows:
        ratio = t["ours parse+render"] / t["python-dotenv"]
        print(
            f"| {name} | {size} | {t['ours parse+render'] * 1e3:.2f} ms | {t['python-dotenv'] * 1e3:.2f} ms "
            f"| {ratio:.2f} | {t['ours set'] * 1e3:.2f} ms |"
        )
    gen = [t for name, _, t in rows if name.startswith("generated")]
    print_scaling(gen, {"parse+render": "ours parse+render", "set": "ours set"})


if __name__ == "__main__":
    main()
