"""Prosody 0.12's and 13's config loaders against ``evaluate(prosody_version=...)``: 13-only syntax
(appends, option references, ``Lua.*``, the file readers, ``Credential``), multi-file trees (globbed
Includes, a host defined in two files, an absolute symlink) and the loader's warnings.

The trees live in a short folder under ``/tmp``: Prosody's duplicate-option warning fails on paths longer
than Lua's 60-character ``short_src`` (see ``tests/oracles/lua.py``), and pytest's ``tmp_path`` is longer.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jitsi_secure.formats import lua
from tests.oracles.lua import ProsodyInstall, as_prosody_json, prosody_configs, prosody_install


@pytest.fixture
def short_dir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="js", dir="/tmp"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


def _both(
    path: Path, prosody: ProsodyInstall, *, env: dict[str, str] | None = None, fallback: str = "error"
) -> tuple[dict[str, Any], lua.LuaEvaluation | str]:
    """Prosody's reading of ``path`` (Includes followed) and ours, or our error message."""
    [expected] = prosody_configs(
        [path], no_include=False, copy=False, env=env, major=prosody.major, credential_fallback=fallback
    )
    doc = lua.load_file(path)
    try:
        ours: lua.LuaEvaluation | str = doc.evaluate_with_warnings(
            env=env,
            follow_includes=True,
            prosody_version=prosody.version,
            credential_fallback="warn" if fallback == "warn" else "error",
        )
    except lua.LuaEvaluationError as error:
        ours = str(error)
    return expected, ours


def _assert_same(expected: dict[str, Any], ours: lua.LuaEvaluation | str) -> lua.LuaEvaluation | None:
    if not expected["ok"]:
        assert isinstance(ours, str), (expected["error"], ours)
        return None
    assert not isinstance(ours, str), (expected, ours)
    assert as_prosody_json(ours.config) == expected["config"]
    assert [str(w) for w in ours.warnings] == expected["warnings"]
    assert list(ours.files) == expected["files"]
    return ours


# ---------------------------------------------------------------------------------- 13-only syntax

CASES = {
    "append": 'modules_enabled = { "a" }\nmodules_enabled:append { "b", "c" }\nmodules_enabled { "d" }\n',
    "append_dict": 'ssl = { key = "k" }\nssl:append { certificate = "c" }\nssl { protocol = "tlsv1_2+" }\n',
    "append_in_host": 'modules_enabled = { "g" }\nVirtualHost "h.example"\n  modules_enabled = { "a" }\n'
    '  modules_enabled:append { "b" }\n  x = modules_enabled:value()\n',
    "append_host_without_own_list": 'modules_enabled = { "g" }\nVirtualHost "h.example"\n'
    '  modules_enabled:append { "b" }\n',
    "append_a_string": 'modules_enabled = { "a" }\nmodules_enabled:append "b"\n',
    "append_to_a_number": "x = 1\nx:append { 2 }\n",
    "call_a_string_option": 'authentication = "a"\nauthentication "b"\n',
    "call_with_a_string": 'modules_enabled = { "a" }\nmodules_enabled "b"\n',
    "unknown_operation": 'modules_enabled = { "a" }\nmodules_enabled:frobnicate()\n',
    "values": 'm = { "a", "b" }\nn = {}\nfor v in m:values() do n[#n + 1] = v end\nseen = n\n',
    "reference": 'domain = "meet.example.com"\nmuc = "conference." .. domain\nVirtualHost "h.example"\n'
    "  x = domain\n  y = 2\n  z = y\n",
    "table_reference": 'admins = { "a@x" }\nowners = admins\n',
    "option_shadows_global": 'type = "custom"\nkind = type\n',
    "lua_namespace": 'home = Lua.os.getenv("HOME")\nn = Lua.tonumber("3")\nup = Lua.string.upper("x")\n',
    "bare_globals_warn": 'n = tonumber("4")\ns = string.rep("a", 2)\n',
    "duplicates": 'x = 1\nx = 2\nVirtualHost "h.example"\n  x = 3\n  x = 4\n  x = 5\n',
    "api_names_are_functions": "FileLine = 3\nCredential = 4\ny = FileLine\n",
    "credential_missing_dir": 'secret = Credential("jwt")\n',
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_13_syntax_like_prosody(name: str, prosody: ProsodyInstall, short_dir: Path) -> None:
    path = short_dir / "p.cfg.lua"
    path.write_text(CASES[name], encoding="utf-8")
    _assert_same(*_both(path, prosody, env={"HOME": "/home/p"}))


def test_append_and_references_on_13(short_dir: Path) -> None:
    """What some cases above must mean on 13, stated: the oracle could be wrong the same way we are."""
    prosody = prosody_install("13")
    path = short_dir / "p.cfg.lua"
    meaning = {}
    for name in ("append", "reference", "duplicates", "append_in_host"):
        path.write_text(CASES[name], encoding="utf-8")
        result = _assert_same(*_both(path, prosody))
        assert result is not None
        meaning[name] = result
    assert meaning["append"].config["*"]["modules_enabled"] == ["a", "b", "c", "d"]
    assert meaning["append"].origins["*"]["modules_enabled"] == lua.LuaLocation(str(path), 3)
    assert meaning["append"].warnings == ()  # an append is no duplicate
    reference = meaning["reference"].config
    assert reference["*"]["muc"] == "conference.meet.example.com"
    # A reference reads the current host's own options only: 'domain' is global, so nil in the host.
    assert reference["h.example"] == {"defined": True, "y": 2, "z": 2}
    assert [str(w) for w in meaning["duplicates"].warnings] == [
        f"{path}:2: Duplicate option 'x'",
        f"{path}:5: Duplicate option 'x'",
        f"{path}:6: Duplicate option 'x'",
    ]
    assert meaning["append_in_host"].config["h.example"]["x"] == ["a", "b"]


def test_file_readers_and_credentials(prosody: ProsodyInstall, short_dir: Path) -> None:
    (short_dir / "secret.txt").write_text("s3cret\nsecond line\n")
    (short_dir / "hosts.txt").write_text("a.example\nb.example\n")
    (short_dir / "creds").mkdir()
    (short_dir / "creds" / "jwt").write_text("jwt-secret\n")
    path = short_dir / "p.cfg.lua"
    path.write_text(
        'all = FileContents("secret.txt")\nfirst = FileLine("secret.txt")\nhosts = FileLines("hosts.txt")\n'
        'absolute = FileLine("' + str(short_dir / "secret.txt") + '")\nVirtualHost "h.example"\n'
        '  app_secret = Credential("jwt")\n',
        encoding="utf-8",
    )
    env = {"CREDENTIALS_DIRECTORY": str(short_dir / "creds")}
    ours = _assert_same(*_both(path, prosody, env=env))
    if prosody.major == "13":
        assert ours is not None
        assert ours.config["*"]["hosts"] == ["a.example", "b.example"]
        assert ours.config["*"]["first"] == "s3cret"
        assert ours.config["h.example"]["app_secret"] == "jwt-secret\n"
    # Without the credentials folder: the server refuses the config, prosodyctl reads the option as unset.
    refused = _assert_same(*_both(path, prosody, fallback="error"))
    assert refused is None
    warned = _assert_same(*_both(path, prosody, fallback="warn"))
    if prosody.major == "13":
        assert warned is not None and "app_secret" not in warned.config["h.example"]
        assert str(warned.warnings[-1]) == (
            f"{path}:6: Credential() requires the $CREDENTIALS_DIRECTORY environment variable to be set"
        )
    # A missing file is an error for both.
    (short_dir / "hosts.txt").unlink()
    assert _assert_same(*_both(path, prosody, env=env)) is None


def test_file_readers_read_nothing_without_follow_includes() -> None:
    doc = lua.parse('a = FileContents("/nonexistent")\nb = Credential("x")\n', source="/tmp/x.cfg.lua")
    assert doc.evaluate(prosody_version=(13, 0))["*"] == {"a": "<FileContents>", "b": "<Credential>"}


# ---------------------------------------------------------------------------------- multi-file trees


def _tree(base: Path, *, thirteen: bool) -> Path:
    """A Debian-like tree: main config with globals and a globbed Include, host files in conf.d, one of
    them an absolute symlink into conf.avail, a host defined in two files, duplicates in one file."""
    (base / "conf.d").mkdir()
    (base / "conf.avail").mkdir()
    main = base / "prosody.cfg.lua"
    main.write_text(
        'admins = { "admin@meet.example.com" }\nmodules_enabled = { "roster", "saslauth" }\n'
        'authentication = "internal_hashed"\n'
        + ('modules_enabled:append { "admin_shell" }\n' if thirteen else "")
        + 'Include "conf.d/*.cfg.lua"\nlog = { info = "x.log" }\n',
        encoding="utf-8",
    )
    (base / "conf.avail" / "meet.cfg.lua").write_text(
        'VirtualHost "meet.example.com"\n  authentication = "jitsi-anonymous"\n  modules_enabled = { "bosh" }\n'
        + ('  modules_enabled:append { "ping" }\n' if thirteen else "")
        + 'Component "conference.meet.example.com" "muc"\n  muc_room_locking = false\n'
        "  muc_room_locking = true\n",
        encoding="utf-8",
    )
    (base / "conf.d" / "meet.cfg.lua").symlink_to(base / "conf.avail" / "meet.cfg.lua")
    (base / "conf.d" / "guest.cfg.lua").write_text(
        'VirtualHost "guest.meet.example.com"\n  authentication = "anonymous"\n  c2s_require_encryption = false\n'
        '-- a second definition of the main host, merged by Prosody\nVirtualHost "meet.example.com"\n'
        '  c2s_require_encryption = false\n  authentication = "internal_hashed"\n',
        encoding="utf-8",
    )
    (base / "conf.d" / "zz-after.cfg.lua").write_text("after_hosts = 1\n", encoding="utf-8")
    (base / "conf.d" / "notes.txt").write_text("not lua (\n", encoding="utf-8")
    return main


@pytest.mark.parametrize("thirteen", [False, True], ids=["common", "13-syntax"])
def test_multi_file_tree_like_prosody(prosody: ProsodyInstall, short_dir: Path, thirteen: bool) -> None:
    main = _tree(short_dir, thirteen=thirteen)
    expected, ours = _both(main, prosody)
    if thirteen and prosody.major == "0.12":
        assert not expected["ok"] and isinstance(ours, str)  # 0.12 has no appends
        return
    result = _assert_same(expected, ours)
    assert result is not None
    meet = result.config["meet.example.com"]
    # The file loaded later wins where both set an option; the other one's options stay. Which one is later
    # is the folder's order (readdir: Prosody does not sort a glob), so ask the loaded files.
    names = [Path(f).name for f in result.files]
    guest_later = names.index("guest.cfg.lua") > names.index("meet.cfg.lua")
    assert meet["authentication"] == ("internal_hashed" if guest_later else "jitsi-anonymous")
    assert meet["c2s_require_encryption"] is False
    assert meet["modules_enabled"] == (["bosh", "ping"] if thirteen else ["bosh"])
    decided_by = ("guest.cfg.lua", 7) if guest_later else ("meet.cfg.lua", 2)
    assert result.origins["meet.example.com"]["authentication"] == lua.LuaLocation(
        str(short_dir / "conf.d" / decided_by[0]), decided_by[1]
    )
    assert result.config["conference.meet.example.com"]["muc_room_locking"] is True
    assert result.files[-1] == str(main) and len(result.files) == 4
    assert any("Duplicate option 'muc_room_locking'" in str(w) for w in result.warnings)
