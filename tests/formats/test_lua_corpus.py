"""The Lua document against real Prosody configs: byte-exact round trips, and the same meaning as
Prosody's own loader.

The differential test runs both sides with Include turned off (the corpus files' Include targets do not
exist here): ``evaluate(follow_includes=False)`` and the batch dump with ``--no-include``, which swaps
Prosody's Include for a no-op and leaves the rest of its loader as it is. ``test_lua.py`` compares
followed Includes on a folder built for the purpose.
"""

from __future__ import annotations

from pathlib import Path

from jitsi_secure.errors import ParseError
from jitsi_secure.formats import lua
from tests.oracles import corpus_files
from tests.oracles.lua import ProsodyInstall, as_prosody_json, luac_accepts, prosody_configs


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def _valid() -> list[Path]:
    return corpus_files("lua", "*.lua")


def test_corpus_is_there() -> None:
    assert len(_valid()) >= 60


def test_round_trip_every_valid_corpus_file() -> None:
    for path in _valid():
        text = _read(path)
        doc = lua.parse(text, source=str(path))
        assert doc.render() == text, path
        # Every top-level assignment is seen, and each section header is found where it is written.
        for section in doc.sections()[1:]:
            assert (
                text[section.header_start : section.header_end]
                .lstrip("(")
                .startswith(("VirtualHost", "Component", "Host", "host", "component"))
            ), (path, section)


def test_templates_are_judged_like_luac() -> None:
    """Go/Jinja templates are mostly not Lua: we reject exactly what luac rejects, with a position."""
    for path in corpus_files("templates", "*"):
        text = _read(path)
        accepted, message = luac_accepts(text)
        try:
            lua.parse(text, source=path.name)
        except ParseError as error:
            assert not accepted, (path, error)
            assert error.line >= 1 and error.column >= 1
            # luac reports "stdin:LINE:" for the first error; so must we.
            assert f":{error.line}:" in message, (path, str(error), message)
        else:
            assert accepted, (path, message)


def test_meaning_agrees_with_prosody_on_the_corpus(prosody: ProsodyInstall) -> None:
    """Each major's loader against ours with that major's rules: the config, and the warnings (a
    duplicate option, 13's bare use of the Lua API) with their lines."""
    paths = _valid()
    env = {"HOME": "/home/prosody"}
    oracle = prosody_configs(paths, no_include=True, env=env, major=prosody.major)
    compared = 0
    for path, expected in zip(paths, oracle, strict=True):
        doc = lua.parse(_read(path), source=str(path))
        try:
            ours = doc.evaluate_with_warnings(env=env, prosody_version=prosody.version, credential_fallback="error")
        except lua.LuaEvaluationError as error:
            # Prosody 0.12 fails on Prosody 13 configs (Lua.os.getenv, FileLines), both majors on dofile of a
            # missing file: we must fail on exactly those files.
            assert not expected["ok"], (path, str(error))
            continue
        assert expected["ok"], (path, expected.get("error"))
        assert as_prosody_json(ours.config) == expected["config"], path
        # The oracle read copies with short names (see prosody_configs): compare all but the file name.
        theirs = [w.split(":", 1)[1] for w in expected["warnings"]]
        assert [f"{w.location.line}: {w.message}" for w in ours.warnings] == theirs, path
        compared += 1
    assert compared >= (55 if prosody.major == "0.12" else 60)


def test_static_reading_agrees_with_evaluation() -> None:
    """Wherever get() reads a literal, it is the value the file really gives the option."""
    checked = 0
    for path in _valid():
        doc = lua.parse(_read(path), source=str(path))
        try:
            meaning = doc.evaluate()
        except lua.LuaEvaluationError:
            continue
        for section in doc.sections():
            if section.kind != "global" and section.name is None:
                continue
            key = "*" if section.name is None else section.name.lower()
            for option, value in doc.options(section.name).items():
                if isinstance(value, lua.LuaExpression):
                    continue
                assert as_prosody_json(value) == as_prosody_json(meaning[key].get(option)), (path, key, option)
                checked += 1
    assert checked >= 1000


def test_edits_on_every_corpus_file_keep_prosodys_meaning(tmp_path: Path) -> None:
    """set/remove/add_section on real files: Prosody reads exactly the intended change, nothing else."""
    cases: list[tuple[Path, str, str]] = []
    edited_dir = tmp_path
    originals: list[Path] = []
    for n, path in enumerate(_valid()):
        doc = lua.parse(_read(path), source=str(path))
        hosts = [s for s in doc.sections() if s.kind == "VirtualHost" and s.name is not None and not s.inline]
        if not hosts:
            continue
        host = hosts[0].name
        assert host is not None
        edited = doc.set((host, "authentication"), "internal_hashed")
        edited = edited.set((host, "jitsi_secure_probe"), ["a", 'q"uote', "new\nline", "]]"])
        edited = edited.add_section(
            "VirtualHost",
            f"guest{n}.example.org",
            {"authentication": "anonymous", "c2s_require_encryption": False},
            after=host,
        )
        edited = edited.set(("*", "jitsi_secure_global"), {"x": 1, "two words": 2.5})
        out = edited_dir / f"e{n}.cfg.lua"
        out.write_text(edited.render(), encoding="utf-8", newline="")
        cases.append((out, host.lower(), f"guest{n}.example.org"))
        originals.append(path)
    before = prosody_configs(originals, no_include=True)
    after = prosody_configs([c[0] for c in cases], no_include=True)
    assert len(cases) >= 30
    for (out, host, guest), old, new in zip(cases, before, after, strict=True):
        if not old["ok"]:
            assert not new["ok"], out
            continue
        assert new["ok"], (out, new.get("error"))
        expected = old["config"]
        expected[host] = dict(expected[host]) | {
            "authentication": "internal_hashed",
            "jitsi_secure_probe": ["a", 'q"uote', "new\nline", "]]"],
        }
        expected[guest] = {"defined": True, "authentication": "anonymous", "c2s_require_encryption": False}
        star = expected["*"] if isinstance(expected["*"], dict) else {}
        expected["*"] = star | {"jitsi_secure_global": {"two words": 2.5, "x": 1}}
        assert new["config"] == expected, out
