"""Benchmark the HOCON document against pyhocon: parse+render and set, on the corpus and a generated file.

Run: ``python benchmarks/bench_hocon.py`` (about 30 s, most of it pyhocon). Prints a Markdown table.
``ratio`` is pyhocon's parse time divided by ours (above 1 means we are faster); ``scaling`` is
time(100x) / (100 * time(1x)), which stays near 1 when cost grows linearly with input size.
"""

from __future__ import annotations

import gc
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path

from pyhocon import ConfigFactory

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jitsi_secure.formats import hocon

#: Blocks in the 1x generated file (about 2 KB); pyhocon grows faster than linearly, so 100x stays small.
UNITS = 2
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "hocon"


def _unit(index: int) -> str:
    """One jicofo-like block (~1.7 KB) under a distinct key, with the syntax admins use."""
    return f"""\
# Block {index}: comments, both separators, quoted and unquoted strings, dotted keys, arrays.
jicofo{index} {{
  // The XMPP connection
  xmpp: {{
    client: {{
      enabled = true
      hostname = "localhost"
      domain = auth.meet{index}.example.com
      username = focus
      password = "s3cr3t#not-a-comment"
      client-proxy: focus.meet{index}.example.com
      port = 5222
    }}
    trusted-domains: [ "recorder.meet{index}.example.com", "jibri.example.com" ]
  }}
  bridge {{
    brewery-jid = "JvbBrewery@internal.auth.meet{index}.example.com"
    selection-strategy = RegionBasedBridgeSelectionStrategy
    health-checks {{
      enabled = true
      interval = 1 minute
      retry-delay = 30 seconds
    }}
    max-bridge-participants = 80
    average-participant-stress = 0.01
  }}
  conference.enable-auto-owner = true
  conference.max-ssrcs-per-user = 20
  sctp {{ enabled = false }}
  multi = \"\"\"line one
  line two\"\"\"
  codec {{
    video {{
      vp8 {{ enabled = true, pt = 100, rtx-pt = 96 }}
      vp9 {{ enabled = true, pt = 101, rtx-pt = 97 }}
      h264 {{ enabled = true, pt = 107, rtx-pt = 99 }}
    }}
  }}
}}
"""


def _generated(copies: int) -> str:
    return "".join(_unit(i) for i in range(copies))


def _best(fn: Callable[[], object], runs: int) -> float:
    """Best CPU time of ``runs`` runs, in seconds (CPU time: a busy shared machine does not skew it)."""
    best = float("inf")
    for _ in range(runs):
        # Start every run from a collected heap, so garbage from the previous input is not charged to it.
        gc.collect()
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def _ours_parse(texts: list[str]) -> None:
    for text in texts:
        assert hocon.parse(text).render() == text


def _ours_set(texts: list[str]) -> None:
    for text in texts:
        hocon.parse(text).set("jicofo.authentication.enabled", True)


def _pyhocon_parse(texts: list[str]) -> None:
    for text in texts:
        ConfigFactory.parse_string(text, resolve=False)


def _pyhocon_ok(text: str) -> bool:
    try:
        ConfigFactory.parse_string(text, resolve=False)
    except Exception:
        return False
    return True


def main() -> None:
    # pyhocon logs every include it cannot find; the corpus has many.
    logging.getLogger("pyhocon").setLevel(logging.CRITICAL)
    rows: list[tuple[str, int, float, float, float]] = []
    if CORPUS.is_dir():
        texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.rglob("*.conf"))]
        texts = [t for t in texts if _pyhocon_ok(t)]
        rows.append(
            (
                f"corpus ({len(texts)} files pyhocon reads)",
                sum(len(t) for t in texts),
                _best(lambda: _ours_parse(texts), 3),
                _best(lambda: _ours_set(texts), 3),
                _best(lambda: _pyhocon_parse(texts), 1),
            )
        )
    times: dict[int, tuple[float, float]] = {}
    for factor in (1, 10, 100):
        text = _generated(UNITS * factor)
        ours = _best(lambda text=text: _ours_parse([text]), 5 if factor < 100 else 3)  # type: ignore[misc]
        edit = _best(lambda text=text: _ours_set([text]), 5 if factor < 100 else 3)  # type: ignore[misc]
        theirs = _best(lambda text=text: _pyhocon_parse([text]), 3 if factor < 100 else 1)  # type: ignore[misc]
        times[factor] = (ours, edit)
        rows.append((f"generated {factor}x", len(text), ours, edit, theirs))
    print("| input | size (KB) | ours parse+render (CPU ms) | ours set (CPU ms) | pyhocon parse (CPU ms) | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, size, ours, edit, theirs in rows:
        print(
            f"| {label} | {size / 1024:.0f} | {ours * 1000:.1f} | {edit * 1000:.1f} | {theirs * 1000:.1f} |"
            f" {theirs / ours:.1f}x |"
        )
    parse_scaling = times[100][0] / (100 * times[1][0])
    set_scaling = times[100][1] / (100 * times[1][1])
    print()
    print(f"scaling 1x -> 100x (1.0 = linear): parse+render {parse_scaling:.2f}, set {set_scaling:.2f}")
    # The 1x run takes a few milliseconds, so fixed costs and a busy machine move the first factor;
    # 10x -> 100x compares two runs long enough to show how cost grows.
    print(
        "scaling 10x -> 100x (1.0 = linear): "
        f"parse+render {times[100][0] / (10 * times[10][0]):.2f}, set {times[100][1] / (10 * times[10][1]):.2f}"
    )


if __name__ == "__main__":
    main()
