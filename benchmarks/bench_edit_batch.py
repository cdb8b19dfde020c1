"""A batch of 20 edits against one parse, on the largest corpus jicofo.conf, Prosody file and config.js
(issue 15).

``edit`` applies its changes as one set of splices and verifies once, so 20 edits should cost about two
parses (the reading of the old meaning plus the re-parse of the result), at most 2.5x one parse.

Run: ``python benchmarks/bench_edit_batch.py`` (needs ``../shared/corpus``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from _timing import best_of

from jitsi_secure.formats import hocon, js, lua

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
GOAL = 2.5


def _largest(folder: str, pattern: str) -> Path:
    return max((CORPUS / folder).glob(pattern), key=lambda p: p.stat().st_size)


def _hocon_changes(doc: hocon.HoconDocument) -> dict[Any, Any]:
    changes: dict[Any, Any] = {("jicofo", "bench", f"key{n}"): n for n in range(10)}
    leaves = [k for k, v in _flat(doc.to_dict()) if isinstance(v, str | int | bool)][:10]
    changes.update(dict.fromkeys(leaves, "changed"))
    return changes


def _flat(tree: Any, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    if not isinstance(tree, dict):
        return [(prefix, tree)]
    return [item for key, value in tree.items() for item in _flat(value, (*prefix, key))]


def _lua_changes(doc: lua.LuaDocument) -> dict[Any, Any]:
    sections = [s.name for s in doc.sections()[1:] if s.name] or ["*"]
    changes: dict[Any, Any] = {("*", f"bench_global_{n}"): n for n in range(5)}
    for n in range(15):
        changes[(sections[n % len(sections)], f"bench_option_{n}")] = f"value {n}"
    return changes


def _js_changes(doc: js.ConfigJsDocument) -> dict[Any, Any]:
    """The literal leaves it has (up to 10; upstream's config.js states few), then new keys up to 20."""
    leaves = [k for k, v in _flat(doc.to_dict()) if isinstance(v, str | int) and not isinstance(v, bool)][:10]
    changes: dict[Any, Any] = dict.fromkeys(leaves, "changed")
    changes.update({("bench", f"key{n}"): n for n in range(20 - len(changes))})
    return changes


def main() -> int:
    if not CORPUS.is_dir():
        print(f"{CORPUS} is absent: nothing to measure")
        return 0
    rows = []
    for label, module, path, make in (
        ("jicofo.conf (HOCON)", hocon, _largest("hocon", "*jicofo*.conf"), _hocon_changes),
        ("Prosody config (Lua)", lua, _largest("lua", "*.lua"), _lua_changes),
        ("config.js", js, _largest("js", "*config*.js"), _js_changes),
    ):
        text = path.read_text(encoding="utf-8")
        doc = module.parse(text)
        changes = make(doc)
        assert len(changes) == 20, len(changes)
        doc.edit(changes)  # it must succeed before it is timed
        parse = best_of(lambda text=text, module=module: module.parse(text))
        batch = best_of(lambda doc=doc, changes=changes: doc.edit(changes))
        rows.append((label, path.name, len(text) // 1024, parse * 1000, batch * 1000, batch / parse))
    print("| file | corpus name | KiB | one parse ms | 20-edit batch ms | batch / parse | goal <= 2.5x |")
    print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    for label, name, kib, parse_ms, batch_ms, ratio in rows:
        verdict = "met" if ratio <= GOAL else "missed"
        print(f"| {label} | {name} | {kib} | {parse_ms:.2f} | {batch_ms:.2f} | {ratio:.2f}x | {verdict} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
