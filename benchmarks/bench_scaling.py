"""Does every parser grow linearly, and does deep nesting stay a clean error?

    .venv/bin/python benchmarks/bench_scaling.py [FORMAT ...]

For each format (``properties``, ``hocon``, ``lua``, ``js``, and ``dotenv`` when present), times
``parse(text).render()`` on generated inputs of 1x, 10x and 100x the size of a typical file made from
the bundled example deployment, in CPU time (``time.process_time``; on a shared machine wall time
mostly measures the neighbours), with the cyclic garbage collector on as in real use. Then it feeds
each parser a 10,000-level nesting and reports what happens: a parse, or a ``ParseError`` at the
format's documented nesting limit, never a ``RecursionError``.

The goal: 10x the input costs at most 11x the time. Prints a Markdown table.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from importlib import import_module, resources
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jitsi_secure.errors import ParseError

GOAL = 11.0
DEPTH = 10_000
DEMO = resources.files("jitsi_secure") / "demo_files"


def _demo(name: str) -> str:
    return (DEMO / name).read_bytes().decode("latin-1" if name.endswith(".properties") else "utf-8")


def _renamed(base: str, copies: int) -> str:
    """``copies`` of a file, each with its own host names so sections and keys stay distinct."""
    return "\n".join(base.replace("meet.example.com", f"h{i}.example.com") for i in range(copies))


def _hocon(copies: int) -> str:
    base = _demo("jicofo.conf")
    return "\n".join(base.replace("jicofo {", f"jicofo{i} {{", 1) for i in range(20 * copies))


def _dotenv(copies: int) -> str:
    return "".join(
        f"# Setting {i}\n#ENABLE_THING_{i}=1\nVALUE_{i}='quoted # not a comment'\nREF_{i}=${{VALUE_{i}}}/x\n\n"
        for i in range(200 * copies)
    )


FORMATS: dict[str, tuple[str, Callable[[int], str], str, dict[str, str]]] = {
    # name: (module, generator of Nx input, deep-nesting text, parse keyword arguments)
    "properties": (
        "jitsi_secure.formats.properties",
        lambda n: _renamed(_demo("jigasi-sip-communicator.properties"), n),
        "",  # no nesting in the format
        {},
    ),
    "hocon": ("jitsi_secure.formats.hocon", _hocon, "a " + "{a " * DEPTH + "}" * DEPTH, {}),
    "lua": (
        "jitsi_secure.formats.lua",
        lambda n: _renamed(_demo("prosody-host.cfg.lua"), n),
        "x = " + "{" * DEPTH + "}" * DEPTH,
        {},
    ),
    "js": (
        "jitsi_secure.formats.js",
        lambda n: _renamed(_demo("config.js"), n),
        "var config = " + "{a:" * DEPTH + "1" + "}" * DEPTH + ";",
        {"name": "config"},
    ),
    "dotenv": ("jitsi_secure.formats.dotenv", _dotenv, "", {}),
}


def per_call(texts: list[str], parse: Callable[..., Any], kwargs: dict[str, str], rounds: int = 7) -> list[float]:
    """CPU seconds per ``parse(text).render()`` for each text, best of ``rounds``.

    Each round times every size in turn, the 1x text 100 times, the 10x text 10 times and the 100x
    text once, so each sample is about as long and a burst of load on the machine hits all sizes alike.
    """
    loops = [100, 10, 1]
    best = [float("inf")] * len(texts)
    for _ in range(rounds):
        for index, (text, count) in enumerate(zip(texts, loops, strict=True)):
            start = time.process_time()
            for _ in range(count):
                parse(text, **kwargs).render()
            best[index] = min(best[index], (time.process_time() - start) / count)
    return best


def deep(parse: Callable[..., object], text: str, kwargs: dict[str, str]) -> str:
    if not text:
        return "no nesting in the format"
    try:
        parse(text, **kwargs)
    except ParseError as error:
        return f"ParseError: {str(error).splitlines()[0].split(': ', 1)[-1]}"
    except RecursionError:
        return "**RecursionError**"
    return f"parsed ({DEPTH} levels)"


def main(argv: list[str]) -> int:
    names = argv or [name for name, spec in FORMATS.items() if _available(spec[0])]
    print("| format | 1x KiB | 1x ms | 10x ms | 100x ms | 10x / 1x | 100x / 10x | linear (<= 11x) | 10,000 levels |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    for name in names:
        module_name, make, nested, kwargs = FORMATS[name]
        module = import_module(module_name)
        parse = module.parse
        texts = [make(n) for n in (1, 10, 100)]
        for text in texts[:2]:  # warm up (esprima's first parse compiles its regexes)
            parse(text, **kwargs)
        t = per_call(texts, parse, kwargs)
        worst = max(t[1] / t[0], t[2] / t[1])
        print(
            f"| {name} | {len(texts[0]) / 1024:.0f} | {t[0] * 1e3:.2f} | {t[1] * 1e3:.1f} | {t[2] * 1e3:.0f} "
            f"| {t[1] / t[0]:.1f}x | {t[2] / t[1]:.1f}x | {'yes' if worst <= GOAL else 'no'} "
            f"| {deep(parse, nested, kwargs)} |"
        )
    return 0


def _available(module: str) -> bool:
    try:
        import_module(module)
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
