"""Run a Prosody config in a sandboxed Lua 5.4 (lupa) with Prosody's config API, for its real meaning.

The API mirrors ``core/configmanager.lua`` of Prosody 0.12 and of Prosody 13 (the versions our tests
compare with): the environment's ``__index`` serves ``ENV_X`` from the environment and otherwise the Lua
globals, every assignment goes to the current host, ``VirtualHost``/``Component`` switch host (with
nameprep and the clash checks), ``Include`` loads other files into a fresh environment at global scope,
and a second assignment of an option in one host in one file is a warning. 13 adds, in ``__index``,
``Lua`` (the globals), the options already set on the current host (a table one as a proxy with
``append``/``value``/``values`` and the call form ``option { ... }``) before the globals, which it warns
about; and ``FileContents``/``FileLine``/``FileLines``/``Credential``.

Sandbox: the chunk runs with ``load(text, name, "t", env)`` (no bytecode), ``env`` sees only a safe
copy of the standard library (no ``io``, ``require``, ``load``, ``dofile``, ``debug``, ``pcall``,
``setmetatable``/``getmetatable``, ``collectgarbage``; ``os`` holds only ``getenv``, reading the mapping
given rather than the process environment). An instruction-count hook and lupa's ``max_memory`` stop
runaway code. A fresh runtime per evaluation keeps one config from affecting the next.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

from jitsi_secure.formats import ConfigValue
from jitsi_secure.formats.lua._errors import LuaEvaluationError
from jitsi_secure.formats.lua._loader_setup import SETUP
from jitsi_secure.formats.lua._meaning import table_value

__all__ = ["LuaEvaluateOptions", "LuaEvaluation", "LuaLocation", "LuaWarning", "evaluate"]


class LuaEvaluateOptions(TypedDict, total=False):
    """The keyword options of :meth:`~jitsi_secure.formats.lua.LuaDocument.evaluate`, all optional.

    Attributes:
        env: the environment ``ENV_X``, ``os.getenv`` and 13's ``Credential`` (``CREDENTIALS_DIRECTORY``)
            read; default empty.
        follow_includes: follow ``Include`` and let 13's file readers read; default ``False``.
        max_instructions: the sandbox's instruction limit; default 10,000,000.
        max_memory: the sandbox's memory limit in bytes; default 64 MiB.
        prosody_version: ``(major, minor)`` whose loader to follow: 13's from ``(13, 0)`` on, else 0.12's;
            default ``(0, 12)``.
        credential_fallback: 13's ``Credential()`` without ``CREDENTIALS_DIRECTORY``: ``"warn"`` (as
            ``prosodyctl``: the option is unset, with a warning; the default) or ``"error"`` (as the server).
    """

    env: Mapping[str, str] | None
    follow_includes: bool
    max_instructions: int
    max_memory: int
    prosody_version: tuple[int, int]
    credential_fallback: Literal["warn", "error"]


@dataclass(frozen=True)
class LuaLocation:
    """A place in a config file: its path as the loader named it, and the line (``None`` when unknown)."""

    file: str
    line: int | None

    def __str__(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"


@dataclass(frozen=True)
class LuaWarning:
    """A warning of Prosody's config loader, such as ``Duplicate option 'x'`` (an option set twice in
    one host in one file), Prosody 13's ``direct usage of the Lua API is deprecated ...`` or its
    ``Credential() requires the $CREDENTIALS_DIRECTORY ...``. ``str()`` gives Prosody's own form,
    ``file:line: message``."""

    location: LuaLocation
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass(frozen=True)
class LuaEvaluation:
    """What Prosody's config loader makes of a config.

    Attributes:
        config: ``{"*": globals, host: options}``, as :meth:`~jitsi_secure.formats.lua.LuaDocument.evaluate`
            returns it.
        warnings: the loader's warnings, in the order it gives them.
        files: every file loaded, in Prosody's order (an included file before the file including it).
        origins: for each host and option of ``config``, where its value was last set (an append or a
            ``VirtualHost "x" { ... }`` table included).
    """

    config: dict[str, dict[str, ConfigValue]]
    warnings: tuple[LuaWarning, ...]
    files: tuple[str, ...]
    origins: dict[str, dict[str, LuaLocation]]
    #: For each host, every ``VirtualHost``/``Component`` line that opened it, in load order.
    headers: dict[str, tuple[LuaLocation, ...]] = field(default_factory=dict)


_MAX_DEPTH = 260


class _Converter:
    def __init__(self, lua_type: Any) -> None:
        self.lua_type = lua_type

    def value(self, obj: Any, depth: int = 0) -> ConfigValue:
        kind = self.lua_type(obj)
        if kind is None:
            if isinstance(obj, bytes):
                return _text(obj)
            if isinstance(obj, bool | int | float) or obj is None:
                return obj
            return str(obj)
        if kind != "table":
            return f"<{kind}>"
        if depth > _MAX_DEPTH:
            return "<too deep>"  # already cut in Lua; a guard for Python's stack all the same
        table: dict[Any, Any] = {}
        for key, item in obj.items():
            k = _text(key) if isinstance(key, bytes) else key
            if self.lua_type(k) is not None:
                k = f"<{self.lua_type(k)}>"
            table[k] = self.value(item, depth + 1)
        return table_value(table)


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _raw(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _nameprep(name: Any) -> bytes | None:
    from encodings import idna

    if isinstance(name, bytes):
        text = _text(name)
    elif isinstance(name, int | float) and not isinstance(name, bool):
        text = str(name)
    else:
        return None
    if text.isascii():
        return _raw(text.lower())  # all nameprep does to ASCII, and much faster
    try:
        return _raw(idna.nameprep(text))
    except UnicodeError:
        return None


def _dirname(config_file: str) -> str:
    # Prosody: config_file:gsub("[^/]+$", "") keeps the trailing separator; resolve_relative_path strips it.
    return re.sub(r"[^/]+$", "", config_file).rstrip("/")


def _resolve(parent: str, path: str) -> str:
    path = re.sub(r"^\./+", "", path)
    return path if path.startswith("/") else parent + "/" + path


def _glob_regex(glob: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob), re.DOTALL)


def evaluate(
    text: str,
    source: str,
    *,
    env: Mapping[str, str] | None = None,
    follow_includes: bool = False,
    max_instructions: int = 10_000_000,
    max_memory: int = 64 * 1024 * 1024,
    prosody_version: tuple[int, int] = (0, 12),
    credential_fallback: Literal["warn", "error"] = "warn",
    read_file: Callable[[str], bytes] | None = None,
    list_folder: Callable[[str], list[str]] | None = None,
) -> LuaEvaluation:
    """Run config ``text`` (named ``source``) in Prosody's config loader; public as
    ``jitsi_secure.formats.lua.run_config``. The options are :meth:`LuaDocument.evaluate`'s (see there
    for the rules of each Prosody version); the result is :meth:`LuaDocument.evaluate_with_warnings`'s.

    ``read_file`` and ``list_folder`` give a file's bytes and a folder's names for a path as Prosody
    would name it (both raise ``OSError``); by default the real file system's. The deployment model
    passes its own, to read under a root and to stand planned texts in for files on disk.
    """
    read_bytes = read_file or _read_real
    list_names = list_folder or os.listdir
    import lupa.lua54 as lupa54  # pinned: plain ``lupa`` is Lua 5.5, which rejects code Prosody accepts

    env = dict(env or {})
    lua = lupa54.LuaRuntime(
        encoding=None, register_eval=False, register_builtins=False, unpack_returned_tuples=True, max_memory=max_memory
    )

    def getenv(name: Any) -> bytes | None:
        value = env.get(_text(name)) if isinstance(name, bytes) else None
        return None if value is None else _raw(value)

    def list_glob(pattern: Any, config_file: Any) -> Any:
        file, parent = _text(pattern), _dirname(_text(config_file))
        head, _, glob = file.rpartition("/")
        folder = _resolve(parent, head) if head else parent
        try:
            # Directory order, unsorted: Prosody walks lfs.dir (readdir), and so does os.listdir.
            names = list_names(folder or ".")
        except (OSError, ValueError) as error:  # ValueError: a NUL in the path
            return None, _raw(f"cannot open {folder}: {getattr(error, 'strerror', None) or error}")
        regex = _glob_regex(glob)
        found = [folder + "/" + n for n in names if not n.startswith(".") and regex.fullmatch(n)]
        return lua.table_from([_raw(p) for p in found])

    def read_include(file: Any, config_file: Any) -> Any:
        path = _resolve(_dirname(_text(config_file)), _text(file))
        content, error = _read(path, read_bytes)
        return (_raw(path), content) if content is not None else (_raw(error or path), None)

    def read_value(base: Any, name: Any, mode: Any) -> Any:
        # FileContents ("a"), FileLine ("l", io's *l: the first line without its newline) and FileLines
        # (io.lines: every line, the last one only if not empty), relative to the file's folder.
        if not isinstance(name, bytes):
            return None, b"bad argument #1 (a file name expected)"
        path = _resolve(_text(base).rstrip("/"), _text(name))
        content, error = _read(path, read_bytes)
        if content is None:
            return None, _raw(error or path)
        if mode == b"a":
            return content
        lines = content.split(b"\n")
        if mode == b"l":
            return lines[0] if content else (None, _raw(f"{path}: empty file, no line to read"))
        if lines[-1] == b"":
            lines.pop()
        return lua.table_from(lines)

    if max_instructions <= 0:
        raise ValueError("max_instructions must be positive")
    try:
        run = lua.execute(_raw(SETUP))
        credentials = env.get("CREDENTIALS_DIRECTORY")
        result, error = run(
            _raw(text),
            _raw(source),
            getenv,
            _nameprep,
            list_glob,
            read_include,
            read_value,
            follow_includes,
            prosody_version >= (13, 0),
            None if credentials is None else _raw(credentials),
            credential_fallback == "error",
            max_instructions,
        )
    except lupa54.LuaMemoryError:
        raise LuaEvaluationError(f"{source}: memory limit of {max_memory} bytes exceeded") from None
    except lupa54.LuaError as lua_error:
        raise LuaEvaluationError(str(lua_error)) from None
    if result is None:
        message = _text(error) if isinstance(error, bytes) else str(error)
        if "not enough memory" in message:
            message = f"{source}: memory limit of {max_memory} bytes exceeded"
        raise LuaEvaluationError(message)
    return _result(result, _Converter(lupa54.lua_type))


def _read_real(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _read(path: str, read_bytes: Callable[[str], bytes]) -> tuple[bytes | None, str | None]:
    try:
        return read_bytes(path), None
    except (OSError, ValueError) as error:  # ValueError: a NUL in the path
        return None, f"{path}: {getattr(error, 'strerror', None) or error}"


def _location(file: Any, line: Any) -> LuaLocation:
    return LuaLocation(_text(file) if isinstance(file, bytes) else "?", line if isinstance(line, int) else None)


def _result(result: Any, converter: _Converter) -> LuaEvaluation:
    config, keys, origins = result[b"config"], result[b"keys"], result[b"origins"]
    out: dict[str, dict[str, ConfigValue]] = {}
    where: dict[str, dict[str, LuaLocation]] = {}
    for host in result[b"hosts"].values():
        options, host_origins = config[host], origins[host]
        section: dict[str, ConfigValue] = {}
        section_origins: dict[str, LuaLocation] = {}
        for key in keys[host].values():
            value = options[key]
            if value is not None:
                name = _text(key) if isinstance(key, bytes) else str(key)
                section[name] = converter.value(value)
                origin = host_origins[key]
                section_origins[name] = _location(origin[1], origin[2])
        out[_text(host)] = section
        where[_text(host)] = section_origins
    warnings = tuple(
        LuaWarning(_location(w[1], w[2]), _text(w[3]) if isinstance(w[3], bytes) else str(w[3]))
        for w in result[b"warnings"].values()
    )
    files = tuple(_text(f) for f in result[b"files"].values())
    headers = {
        _text(host): tuple(_location(h[1], h[2]) for h in opened.values())
        for host, opened in result[b"headers"].items()
    }
    return LuaEvaluation(config=out, warnings=warnings, files=files, origins=where, headers=headers)
