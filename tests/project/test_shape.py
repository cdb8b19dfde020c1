"""The package's shape, so that it stays one a newcomer can read: no import cycle, no module too long.

Static: every module of ``jitsi_secure`` is parsed with :mod:`ast` (nothing is imported), and every
``import`` counts, at the top or inside a function or an ``if TYPE_CHECKING`` block, since each is a
dependency a reader has to follow. An import names the deepest module it reaches: ``from a.b import c``
depends on ``a.b.c`` when that is a module, else on ``a.b``; the packages above are not counted, since
Python runs their ``__init__`` whoever imports what.

That module graph can be free of cycles while two top-level packages still import each other through
different modules (``deployment._model`` importing ``secure_domain.layout`` while
``secure_domain.plan`` imports ``deployment``). Running ``secure_domain/__init__`` is then enough to
come back round, so the layers are checked too: each top-level package or module of ``jitsi_secure`` is
one node, and an import of any module inside a package is an edge to the package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "jitsi_secure"
#: The most non-blank lines a module may have.
LINE_LIMIT = 500
#: Modules allowed over the limit for now (none since the formats became packages). A module listed here
#: that shrinks under the limit must leave this list, so that it cannot grow again unseen.
TOO_LONG_FOR_NOW: frozenset[str] = frozenset()


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of the package that ``name`` imports, anywhere in its text."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        for target in targets:
            # ``import a.b.c`` where c is not a module (it never is here) still names the deepest module.
            module = target
            while module and module not in modules:
                module = module.rpartition(".")[0]
            if module.startswith("jitsi_secure") and module != name:
                found.add(module)
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


def _layer(module: str) -> str:
    """The top-level package or module of ``jitsi_secure`` that ``module`` belongs to."""
    return ".".join(module.split(".")[:2])


def _layers(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """``graph`` seen between top-level packages: an edge wherever one of their modules imports the other's."""
    layers: dict[str, set[str]] = {}
    for module, targets in graph.items():
        edges = layers.setdefault(_layer(module), set())
        edges.update(_layer(target) for target in targets if _layer(target) != _layer(module))
    return layers


def _why(cycle: list[str], graph: dict[str, set[str]]) -> list[str]:
    """The module imports that make up a cycle between top-level packages, for the failure message."""
    return sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        for target in targets
        if _layer(module) in cycle and _layer(target) in cycle and _layer(module) != _layer(target)
    )


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a", "e"}, "e": {"d"}, "f": set()}
    assert sorted(_cycles(graph)) == [["a", "b", "c"], ["d", "e"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_imports_are_read_from_every_level(tmp_path: Path) -> None:
    modules = {"jitsi_secure.x": tmp_path / "x.py", "jitsi_secure.y": tmp_path / "y.py", "jitsi_secure.p": tmp_path}
    modules["jitsi_secure.x"].write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from jitsi_secure import y\n"
        "def f():\n    from . import p\n"
    )
    assert _imports("jitsi_secure.x", modules["jitsi_secure.x"], modules) == {"jitsi_secure.y", "jitsi_secure.p"}


def test_no_import_cycle_inside_the_package() -> None:
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    assert graph["jitsi_secure.cli"], "the import reader found no imports at all"
    assert _cycles(graph) == []


def test_layers_join_the_modules_of_a_package() -> None:
    # No module cycle, but a and b import each other (b's __init__ runs whoever imports b.y).
    graph = {
        "jitsi_secure": {"jitsi_secure.a.x"},
        "jitsi_secure.a.x": {"jitsi_secure.b.y"},
        "jitsi_secure.a.z": {"jitsi_secure.errors"},
        "jitsi_secure.b": {"jitsi_secure.a.z"},
        "jitsi_secure.b.y": set(),
        "jitsi_secure.errors": set(),
    }
    assert _cycles(graph) == []
    layers = _layers(graph)
    assert layers["jitsi_secure.a"] == {"jitsi_secure.b", "jitsi_secure.errors"}
    assert _cycles(layers) == [["jitsi_secure.a", "jitsi_secure.b"]]
    assert _why(["jitsi_secure.a", "jitsi_secure.b"], graph) == [
        "jitsi_secure.a.x -> jitsi_secure.b.y",
        "jitsi_secure.b -> jitsi_secure.a.z",
    ]


def test_no_import_cycle_between_the_top_level_packages() -> None:
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    layers = _layers(graph)
    assert "jitsi_secure.formats" in layers["jitsi_secure.deployment"], "the layers lost the package edges"
    cycles = _cycles(layers)
    assert cycles == [], "\n".join(line for cycle in cycles for line in ["", *cycle, "because:", *_why(cycle, graph)])


@pytest.mark.parametrize("name", sorted(_modules()))
def test_no_module_is_too_long(name: str) -> None:
    path = _modules()[name]
    lines = sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    if name in TOO_LONG_FOR_NOW:
        assert lines > LINE_LIMIT, f"{name} has {lines} non-blank lines now: take it off TOO_LONG_FOR_NOW"
    else:
        assert lines <= LINE_LIMIT, f"{name} has {lines} non-blank lines, more than {LINE_LIMIT}: split it"


def test_building_the_command_line_imports_no_verb() -> None:
    # `--help` and `--version` (and every verb's start) build the parser: that must not import the
    # checks, the formats or the plan, which cost `jitsi-secure check` its start-up goal once already.
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from jitsi_secure.cli import build_parser\n"
        "build_parser()\n"
        "heavy = [m for m in ('jitsi_secure.doctor', 'jitsi_secure.secure_domain.plan', 'jitsi_secure.formats.lua',"
        " 'jitsi_secure.formats.hocon', 'jitsi_secure.deployment', 'lupa', 'tree_sitter') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
