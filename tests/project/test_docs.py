"""The code examples in docs/ run, so they cannot rot.

The conventions the pages follow (docs/index.md, "About the examples", says the same to readers):

- Every ```` ```python ```` block runs. The blocks of a page run in order in one namespace, against a
  fresh example Debian deployment (:func:`jitsi_secure.demo.build_example_tree`) whose folder is the
  name ``root``; ``text`` is that tree's ``jicofo.conf`` and ``password`` a
  password (a ``str``). Absolute paths of a server in string literals
  (``"/etc/..."``, ``"/var/..."``, and an image mounted at ``"/mnt/image/..."``) mean the same files in
  the example tree. ``prosodyctl`` and ``docker`` are stand-ins that accept what they are given.
- A trailing comment that is a Python literal states the value of the expression on its line, and is
  checked (``doc.get("hosts.domain")  # 'meet.example.com'``). Comments with ``...`` or prose are notes.
- A block whose first line is ``# illustrative: <why>`` is compiled and its imports run, but not the
  rest. None is at the moment; the convention is tested below so that it keeps meaning something.
- In ```` ```sh ```` and ```` ```console ```` blocks, every command that runs ``jitsi-secure`` is run
  with bash (in this process when it needs no shell), in order, against the page's example tree
  (``--root`` is set to it, given or not; a ``user add``/``remove`` for a server, where the root is ``/``,
  gets ``--prosodyctl prosodyctl``, the stand-in), from a working folder holding the small files examples
  read (``pw.txt``, ``app-secret.txt``, ``docker-jitsi-meet/.env``, ...), with ``$PASSWORD`` set and a
  ``.env`` at ``/srv/jitsi`` for docker-jitsi-meet. It must exit 0 or 1 (1 is ``check``'s "changes
  needed"). In ```` ```console ```` blocks, commands start with ``$ ``, and the lines shown after a
  command must all appear in its output, in order (``...`` stands for lines left out).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import os
import re
import shlex
import stat
import subprocess
import sys
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from jitsi_secure.demo import EXAMPLE_DOMAIN, build_example_tree

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))
_FENCE = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
_SERVER_PATH = re.compile(r"""(["'])/(?:mnt/image(?=["'/])/?|(?=etc/|var/))""")
#: What only a shell can run: pipes, redirections, lists, variables.
_SHELL_SYNTAX = re.compile(r"[|<>;&$`]")
#: ``jitsi-secure`` as a command: first on the line, or after a pipe, ``&&``, ``||`` or ``;``.
_RUNS_US = re.compile(r"(?:^|[|&;(])\s*jitsi-secure(?:\s|$)")
_ILLUSTRATIVE = "# illustrative:"
PASSWORD = "correct horse battery staple"
#: Small files the shell examples read from their working folder.
_WORK_FILES = {
    "pw.txt": PASSWORD + "\n",
    "alice-password.txt": PASSWORD + "\n",
    "jigasi-password.txt": "jigasi s3cret\n",
    "app-secret.txt": "a shared app secret\n",
}


#: A docker-jitsi-meet project's ``.env`` (the shipped ``env.example``'s relevant lines), at /srv/jitsi.
_DOCKER_ENV = """\
# Directory where all configuration will be stored
CONFIG=~/.jitsi-meet-cfg

# Enable authentication (will ask for login and password to join the meeting)
#ENABLE_AUTH=1

# Enable guest access (if authentication is enabled, this allows for users to be held in lobby)
#ENABLE_GUESTS=1

# Select authentication type: internal, jwt, ldap or matrix
#AUTH_TYPE=internal
"""


@dataclass
class Block:
    page: str
    lang: str
    code: str
    line: int


def blocks(page: str, *langs: str) -> list[Block]:
    text = (DOCS / page).read_text(encoding="utf-8")
    return [
        Block(page, m.group(1), m.group(2), text.count("\n", 0, m.start()) + 2)
        for m in _FENCE.finditer(text)
        if m.group(1) in langs
    ]


# ------------------------------------------------------------------------------------------ the tree


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """An example Debian server: the bundled files plus Prosody's (empty) data folder."""
    root = build_example_tree(tmp_path / "root")
    (root / "var/lib/prosody").mkdir(parents=True)
    (root / "srv/jitsi").mkdir(parents=True)
    (root / "srv/jitsi/.env").write_text(_DOCKER_ENV)
    return root


@pytest.fixture
def tools(tmp_path: Path) -> Path:
    """A folder for PATH: stand-ins for prosodyctl and docker, and ``jitsi-secure`` from this checkout."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("prosodyctl", "docker"):
        _script(bin_dir / name, "#!/bin/sh\ncat >/dev/null\nexit 0\n")
    # `jitsi-secure` always runs against the page's tree: an explicit --root is replaced, else added.
    _script(
        bin_dir / "jitsi-secure",
        f"#!{sys.executable}\n"
        f"import os, sys\nsys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from test_docs import _rooted\n"
        "from jitsi_secure.cli import main\n"
        "sys.exit(main(_rooted(sys.argv[1:], os.environ['DOCS_TREE'])))\n",
    )
    return bin_dir


def _script(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


# ------------------------------------------------------------------------------------ python blocks


def _on_tree(code: str, root: Path) -> str:
    """Server paths in string literals (``"/etc/..."``, ``"/mnt/image"``), moved into the example tree."""
    return _SERVER_PATH.sub(lambda match: f"{match.group(1)}{root}/", code)


def _stated_values(code: str) -> dict[int, object]:
    """Line number -> the value a trailing literal comment states for that line's expression."""
    stated: dict[int, object] = {}
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type != tokenize.COMMENT:
            continue
        try:
            value = ast.literal_eval(token.string[1:].strip())
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if "Ellipsis" not in repr(value):
            stated[token.start[0]] = value
    return stated


def _with_checks(code: str, filename: str) -> ast.Module:
    """The block's statements, each expression statement with a stated value followed by an assert."""
    tree = ast.parse(code, filename)
    stated = _stated_values(code)
    body: list[ast.stmt] = []
    for node in tree.body:
        line = node.end_lineno or node.lineno
        if isinstance(node, ast.Expr) and line in stated:
            body.append(
                ast.copy_location(ast.Assign(targets=[ast.Name("_value", ast.Store())], value=node.value), node)
            )
            check = ast.parse(f"assert _value == {stated[line]!r}, _value", filename).body[0]
            body.append(ast.increment_lineno(check, node.lineno - 1))
        else:
            body.append(node)
    tree.body = body
    return ast.fix_missing_locations(tree)


def run_python_blocks(page: str, root: Path, work: Path) -> int:
    namespace: dict[str, object] = {
        "__name__": "__docs__",
        "root": root,
        "text": (root / "etc/jitsi/jicofo/jicofo.conf").read_text(encoding="utf-8"),
        "password": PASSWORD,
    }
    ran = 0
    for block in blocks(page, "python"):
        filename = f"docs/{page}:{block.line}"
        code = _on_tree(block.code, root)
        if block.code.startswith(_ILLUSTRATIVE):
            tree = ast.parse(code, filename)
            imports = ast.Module([n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)], [])
            exec(compile(ast.fix_missing_locations(imports), filename, "exec"), namespace)
            continue
        exec(compile(_with_checks(code, filename), filename, "exec"), namespace)
        ran += 1
    return ran


# ------------------------------------------------------------------------------------- shell blocks


@dataclass
class Command:
    line: int
    text: str
    expected: list[str]


def commands(block: Block) -> Iterator[Command]:
    """The commands of a block that run jitsi-secure, continuation lines joined, with shown output."""
    lines = block.code.splitlines()
    index = 0
    while index < len(lines):
        raw = lines[index]
        start = index
        index += 1
        if block.lang == "console":
            if not raw.startswith("$ "):
                continue
            raw = raw[2:]
        while raw.endswith("\\") and index < len(lines):
            raw = raw[:-1] + " " + lines[index].strip()
            index += 1
        expected = []
        if block.lang == "console":
            while index < len(lines) and not lines[index].startswith("$ "):
                expected.append(lines[index])
                index += 1
        if _RUNS_US.search(raw.split(" #", 1)[0]):
            yield Command(block.line + start, raw, expected)


def _shows(expected: list[str], output: str) -> str | None:
    """None when every expected line appears in the output in order (``...`` skips); else the first missing."""
    got = iter(output.splitlines())
    for line in expected:
        if line.strip() in ("", "..."):
            continue
        if not any(line.rstrip() == have.rstrip() for have in got):
            return line
    return None


def _rooted(args: list[str], root: str | Path) -> list[str]:
    """The arguments with ``--root`` pointing at the example tree: replaced when given, else added.

    An example of ``user add``/``remove`` through prosodyctl speaks of a server, where ``/`` is the root;
    under the tree's root it names the prosodyctl (the stand-in) that the command then refuses to guess.
    """
    args = list(args)
    given = "--root" in args
    if given:
        args[args.index("--root") + 1] = str(root)
    elif args and not args[0].startswith("-"):
        args += ["--root", str(root)]
    managing = args[:1] == ["user"] and args[1:2] in (["add"], ["remove"])
    if managing and not given and "--offline" not in args and "--prosodyctl" not in args:
        args += ["--prosodyctl", "prosodyctl"]
    return args


def _in_process(command: str, root: Path, work: Path) -> tuple[int, str]:
    from jitsi_secure.cli import main

    args = _rooted(shlex.split(command, comments=True)[1:], root)
    out = io.StringIO()
    old = Path.cwd()
    os.chdir(work)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            status = main(args)
    finally:
        os.chdir(old)
    return status, out.getvalue()


def run_shell_blocks(page: str, root: Path, work: Path, tools: Path) -> int:
    env = {
        **os.environ,
        "PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}",
        "DOCS_TREE": str(root),
        "PASSWORD": PASSWORD,
        "JITSI_SECURE_DEBUG": "1",
    }
    ran = 0
    for block in blocks(page, "sh", "console"):
        for command in commands(block):
            where = f"docs/{page}:{command.line}: {command.text}"
            if _SHELL_SYNTAX.search(command.text):
                result = subprocess.run(
                    ["bash", "-o", "pipefail", "-c", command.text],
                    cwd=work,
                    env=env,
                    capture_output=True,
                    text=True,
                    stdin=subprocess.DEVNULL,
                    timeout=60,
                    check=False,
                )
                status, output = result.returncode, result.stdout + result.stderr
            else:  # a plain `jitsi-secure ...`: in this process, which has imported everything once
                status, output = _in_process(command.text, root, work)
            assert status in (0, 1), f"{where}\nexit {status}\n{output}"
            missing = _shows(command.expected, output.replace(str(root), ""))
            assert missing is None, f"{where}\nshown but not printed: {missing!r}\n{output}"
            ran += 1
    return ran


# ------------------------------------------------------------------------------------------- tests


@pytest.mark.parametrize("page", [p for p in PAGES if p != "tutorial.md" and blocks(p, "python", "sh", "console")])
def test_the_examples_of_the_page_run(
    page: str, tree: Path, tools: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    for name, content in {**_WORK_FILES, "docker-jitsi-meet/.env": _DOCKER_ENV}.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(content)
    monkeypatch.chdir(work)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ.get('PATH', '')}")
    ran = run_python_blocks(page, tree, work)
    ran += run_shell_blocks(page, tree, work, tools)
    assert ran, f"docs/{page} has code blocks but none of them runs"


def test_the_migration_example_runs_and_is_idempotent(tmp_path: Path) -> None:
    blocks_ = blocks("migrations.md", "python")
    assert blocks_, "docs/migrations.md lost its example"
    root = build_example_tree(tmp_path)
    for _ in range(2):
        run_python_blocks("migrations.md", root, tmp_path)
    conf = (root / "etc/jitsi/jicofo/jicofo.conf").read_text()
    assert conf.count("authentication") == 1


def test_the_tutorial_secures_then_reverts(tree: Path, tools: Path, tmp_path: Path) -> None:
    """The tutorial's commands, in order, leave the server as they say: secured, checked, reverted."""
    assert run_shell_blocks("tutorial.md", tree, tmp_path, tools) >= 5
    host = (tree / f"etc/prosody/conf.avail/{EXAMPLE_DOMAIN}.cfg.lua").read_text()
    assert 'VirtualHost "guest.' not in host  # the last step reverts


def test_stated_values_are_checked() -> None:
    code = "x = 1\nx + 1  # 3\n"
    namespace: dict[str, object] = {}
    with pytest.raises(AssertionError):
        exec(compile(_with_checks(code, "<doc>"), "<doc>", "exec"), namespace)
    exec(compile(_with_checks("x = [1]\nx  # [1]\nx  # [1, ...]\nx  # a note\n", "<doc>"), "<doc>", "exec"), {})


def test_illustrative_blocks_still_import(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```python\n# illustrative: needs a server\nfrom jitsi_secure import nothing_such\n```\n")
    code = blocks_from_text(page.read_text())[0]
    tree = ast.parse(code)
    imports = ast.Module([n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)], [])
    with pytest.raises(ImportError):
        exec(compile(ast.fix_missing_locations(imports), "<doc>", "exec"), {})


def blocks_from_text(text: str) -> list[str]:
    return [m.group(2) for m in _FENCE.finditer(text) if m.group(1) == "python"]


def test_console_output_must_match() -> None:
    assert _shows(["a", "...", "c"], "a\nb\nc\n") is None
    assert _shows(["c", "a"], "a\nb\nc\n") == "a"


@pytest.mark.parametrize("page", PAGES)
def test_links_between_pages_resolve(page: str) -> None:
    text = (DOCS / page).read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#:]+\.md)\)", text):
        assert (DOCS / page).parent.joinpath(target).is_file(), f"{page} links to missing {target}"


def test_every_cli_option_is_in_the_reference() -> None:
    """The CLI reference page names every option of every verb, so a new flag cannot go undocumented."""
    from jitsi_secure.cli import build_parser

    page = (DOCS / "reference/cli.md").read_text(encoding="utf-8")
    parser = build_parser()
    missing = set()
    for action in _all_actions(parser):
        missing |= {opt for opt in action.option_strings if opt.startswith("--") and f"`{opt}" not in page}
    assert not missing, f"docs/reference/cli.md does not mention {sorted(missing)}"


def _all_actions(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    for action in parser._actions:
        yield action
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _all_actions(sub)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_is_in_the_navigation(page: str) -> None:
    """MkDocs only logs a page left out of ``nav`` (``--strict`` lets it pass): list it there or in the hook."""
    listed = (DOCS.parent / "mkdocs.yml").read_text() + (DOCS / "_hooks/optional_pages.py").read_text()
    assert f" {page}" in listed or f'"{page}"' in listed, f"docs/{page} is in neither mkdocs.yml's nav nor the hook"
