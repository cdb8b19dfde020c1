"""Benchmark: the lossless .properties document against jproperties, in one run.

    python benchmarks/bench_properties.py

Prints a Markdown table: our parse+render and a ``set`` against jproperties' ``load`` and ``store``
on the corpus (when ``../shared/corpus`` is there) and on generated files of 1x, 10x and 100x size,
with ratios (ours / theirs; below 1 means faster) and how each grows with size (10x input should cost
about 10x time).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import jproperties

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _timing import best_of, print_scaling

from jitsi_secure.formats.properties import ENCODING, parse

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "properties"


def jproperties_load(text: str) -> jproperties.Properties:
    props = jproperties.Properties()
    props.load(io.BytesIO(text.encode(ENCODING)), encoding=ENCODING)
    return props


def jproperties_store(props: jproperties.Properties) -> bytes:
    out = io.BytesIO()
    props.store(out, encoding=ENCODING, timestamp=False)
    return out.getvalue()


def measure(texts: list[str]) -> dict[str, float]:
    docs = [parse(t) for t in texts]
    loaded = [jproperties_load(t) for t in texts]
    return {
        "ours parse+render": best_of(lambda: [parse(t).render() for t in texts]),
        "ours set": best_of(lambda: [d.set("bench.added.key", "value") for d in docs]),
        "jproperties load": best_of(lambda: [jproperties_load(t) for t in texts]),
        "jproperties store": best_of(lambda: [jproperties_store(p) for p in loaded]),
    }


def generated(copies: int) -> str:
    return "".join(
        f"# setting {i}\norg.jitsi.bench.group{i % 7}.KEY_{i} = value {i} with \\u00e9 and spaces\n"
        f"org.jitsi.bench.multi{i} = first \\\n    second\n\n"
        for i in range(100 * copies)
    )


def main() -> None:
    rows: list[tuple[str, int, dict[str, float]]] = []
    if CORPUS.is_dir():
        texts = [p.read_bytes().decode(ENCODING) for p in sorted(CORPUS.glob("*.properties"))]
        rows.append((f"corpus ({len(texts)} files)", sum(map(len, texts)), measure(texts)))
    for copies in (1, 10, 100):
        text = generated(copies)
        rows.append((f"generated {copies}x", len(text), measure([text])))
    print("| input | chars | ours parse+render | jproperties load | ratio | ours set | jproperties store |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, size, t in rows:
        ratio = t["ours parse+render"] / t["jproperties load"]
        print(
            f"| {name} | {size} | {t['ours parse+render'] * 1e3:.2f} ms | {t['jproperties load'] * 1e3:.2f} ms "
            f"| {ratio:.2f} | {t['ours set'] * 1e3:.2f} ms | {t['jproperties store'] * 1e3:.2f} ms |"
        )
    gen = [t for name, _, t in rows if name.startswith("generated")]
    print_scaling(gen, {"parse+render": "ours parse+render", "set": "ours set"})


if __name__ == "__main__":
    main()
