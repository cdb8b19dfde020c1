"""The code examples in docs/ run, so they cannot rot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jitsi_secure.demo import build_example_tree

DOCS = Path(__file__).resolve().parents[1] / "docs"
_PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def test_the_migration_example_runs_and_is_idempotent(tmp_path: Path) -> None:
    blocks = _PYTHON_BLOCK.findall((DOCS / "migrations.md").read_text(encoding="utf-8"))
    assert blocks, "docs/migrations.md lost its example"
    root = build_example_tree(tmp_path)
    for _ in range(2):
        for block in blocks:
            exec(compile(block, "docs/migrations.md", "exec"), {"root": root})
    conf = (root / "etc/jitsi/jicofo/jicofo.conf").read_text()
    assert conf.count("authentication") == 1


@pytest.mark.parametrize("page", sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")))
def test_links_between_pages_resolve(page: str) -> None:
    text = (DOCS / page).read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#:]+\.md)\)", text):
        assert (DOCS / page).parent.joinpath(target).is_file(), f"{page} links to missing {target}"
