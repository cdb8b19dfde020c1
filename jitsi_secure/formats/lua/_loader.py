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


_SETUP = r"""
local setmetatable, getmetatable, rawget, rawset, type, pairs, ipairs, next, error, load, tostring, pcall =
      setmetatable, getmetatable, rawget, rawset, type, pairs, ipairs, next, error, load, tostring, pcall
local format, insert, sethook, getinfo = string.format, table.insert, debug.sethook, debug.getinfo

local SAFE = {
  string = string, table = table, math = math, utf8 = utf8,
  tostring = tostring, tonumber = tonumber, type = type, pairs = pairs, ipairs = ipairs,
  next = next, select = select, error = error, assert = assert, rawequal = rawequal,
  rawlen = rawlen, rawget = rawget, rawset = rawset, print = function() end, _VERSION = _VERSION,
}
SAFE._G = SAFE

-- Through _G, so that these names are gone for any Lua code, not just for the locals above.
for _, name in ipairs({"debug", "os", "io", "package", "require", "dofile", "loadfile", "load",
                        "collectgarbage", "python", "coroutine"}) do
  _G[name] = nil
end

local CREDENTIAL_UNSET = "Credential() requires the $CREDENTIALS_DIRECTORY environment variable to be set"

return function(main_text, main_name, getenv, nameprep, list_glob, read_file, read_value, follow, v13,
                credentials_directory, credential_fallback_fatal, max_instructions)
  local config, hosts, keys = { ["*"] = {} }, { "*" }, { ["*"] = {} }
  local origins = { ["*"] = {} }
  local warnings, files, headers = {}, {}, {}

  -- Prosody's get_line_number, but on the full chunk name: its short_src comparison finds no line (and
  -- the warning's format then fails) for a path longer than Lua's 60-character short_src.
  local function line_in(config_file)
    local source = "@" .. config_file
    for level = 2, 200 do
      local info = getinfo(level, "Sl")
      if not info then return nil end
      if info.source == source then return info.currentline end
    end
  end
  -- The innermost config file running: where an option set from a proxy or a table form is written.
  local function where()
    for level = 2, 200 do
      local info = getinfo(level, "Sl")
      if not info then return nil end
      if info.source:sub(1, 1) == "@" then return info.source:sub(2), info.currentline end
    end
  end
  local function warn(config_file, message)
    warnings[#warnings + 1] = { config_file, line_in(config_file), message }
  end

  -- Every VirtualHost/Component line that opens a host, in load order (a host may be defined in two files).
  local function header(host, kind)
    local list = headers[host]
    if not list then list = {}; headers[host] = list end
    local file, line = where()
    list[#list + 1] = { file, line, kind }
  end

  local function set(host, key, value)
    local options = config[host]
    if not options then
      options = {}; config[host] = options; hosts[#hosts + 1] = host; keys[host] = {}; origins[host] = {}
    end
    if rawget(options, key) == nil and value ~= nil then
      local list = keys[host]; list[#list + 1] = key
    end
    options[key] = value
    local file, line = where()
    origins[host][key] = { file, line }
  end

  SAFE.os = { getenv = function(name) return getenv(name) end }

  -- Prosody 13's proxy for a table option read by name: append/value/values, and the call form.
  local proxy_mt
  local proxy_methods = setmetatable({
    append = function(self, value)
      local original = self:value()
      if original == nil then original = {} end
      if type(value) ~= "table" then
        error("'append' operation expects a list of values to append to the existing list", 2)
      end
      if value[1] ~= nil then
        for _, v in ipairs(value) do insert(original, v) end
      else
        for k, v in pairs(value) do original[k] = v end
      end
      set(self.host, self.option_name, original)
      return self
    end,
    value = function(self)
      local options = rawget(config, self.host)
      if options then return rawget(options, self.option_name) end
    end,
    values = function(self)
      local list, i = self:value(), 0
      return function() i = i + 1; return list[i] end
    end,
  }, { __index = function(_, k) error("Unknown config option operation: '" .. k .. "'", 2) end })
  proxy_mt = {
    __index = proxy_methods,
    __call = function(self, v2)
      local v = self:value() or {}
      if type(v) == "table" and type(v2) == "table" then return self:append(v2) end
      error("Invalid syntax - missing '=' perhaps?", 2)
    end,
  }
  -- Prosody 13's util.error object for a Credential() that prosodyctl cannot read (fallback "warn").
  local error_mt = {}

  local function dirname(config_file) return (config_file:gsub("[^/]+$", "")) end

  local function file_reader(base, mode, what)
    return function(name)
      if not follow then return "<" .. what .. ">" end
      local content, err = read_value(base, name, mode)
      if content == nil then error(err, 2) end
      return content
    end
  end

  local load_config
  local function make_env(config_file)
    local env
    local set_options = {} -- per file, as in Prosody: the duplicate warning is about one file
    local api = { Host = true, host = true, VirtualHost = true, Component = true,
                  component = true, Include = true, include = true, RunScript = true }
    if v13 then
      api.FileContents, api.FileLine, api.FileLines, api.Credential = true, true, true, true
    end
    env = setmetatable(api, {
      __index = function(_, k)
        if type(k) == "string" and k:match("^ENV_") then return getenv(k:sub(5)) end
        if not v13 then return rawget(SAFE, k) end
        if k == "Lua" then return SAFE end
        local host = rawget(env, "__currenthost") or "*"
        local options = rawget(config, host)
        local val = options and rawget(options, k)
        local g_val = rawget(SAFE, k)
        if val ~= nil or g_val == nil then
          if type(val) == "table" then
            return setmetatable({ host = host, option_name = k }, proxy_mt)
          end
          return val
        end
        warn(config_file, format("direct usage of the Lua API is deprecated - replace `%s` with `Lua.%s`", k, k))
        return g_val
      end,
      __newindex = function(_, k, v)
        local host = rawget(env, "__currenthost") or "*"
        local option_path = host .. "/" .. tostring(k)
        if set_options[option_path] then warn(config_file, format("Duplicate option '%s'", k)) end
        set_options[option_path] = true
        set(host, k, v)
      end,
    })
    rawset(env, "__currenthost", "*")

    function env.VirtualHost(name)
      if not name then error("Host must have a name", 2) end
      local prepped = nameprep(name)
      if not prepped then error(format("Name of Host %q contains forbidden characters", name), 0) end
      name = prepped
      if rawget(config, name) and rawget(config[name], "component_module") then
        error(format("Host %q clashes with previously defined %s Component %q, "
          .. "for services use a sub-domain like conference.%s",
          name, config[name].component_module:gsub("^%a+$", { component = "external", muc = "MUC" }), name, name), 0)
      end
      rawset(env, "__currenthost", name)
      set(name, "defined", true)
      header(name, "VirtualHost")
      return function(options)
        rawset(env, "__currenthost", "*")
        if type(options) == "string" then
          error(format("VirtualHost entries do not accept a module name (module '%s' provided for host '%s')",
            options, name), 2)
        elseif type(options) ~= "table" then
          error("Invalid syntax following VirtualHost, expected options but received a " .. type(options), 2)
        end
        for k, v in pairs(options) do set(name, k, v) end
      end
    end
    env.Host, env.host = env.VirtualHost, env.VirtualHost

    function env.Component(name)
      if not name then error("Component must have a name", 2) end
      local prepped = nameprep(name)
      if not prepped then error(format("Name of Component %q contains forbidden characters", name), 0) end
      name = prepped
      if rawget(config, name) and rawget(config[name], "defined") and not rawget(config[name], "component_module") then
        error(format("Component %q clashes with previously defined VirtualHost %q, "
          .. "for services use a sub-domain like conference.%s",
          name, name, name), 0)
      end
      set(name, "component_module", "component")
      set(name, "load_global_modules", false)
      header(name, "Component")
      rawset(env, "__currenthost", name)
      local function handle(options)
        rawset(env, "__currenthost", "*")
        for k, v in pairs(options) do set(name, k, v) end
      end
      return function(module)
        if type(module) == "string" then
          set(name, "component_module", module)
          return handle
        end
        return handle(module)
      end
    end
    env.component = env.Component

    function env.Include(file)
      if not follow then return end
      if file:match("[*?]") then
        local paths, err = list_glob(file, config_file)
        if not paths then error(err, 0) end
        for i = 1, #paths do env.Include(paths[i]) end
        return
      end
      local path, text = read_file(file, config_file)
      if not text then error("Error loading included " .. path, 0) end
      local ok, err = load_config(text, path)
      if not ok then error(err, 0) end
      return true
    end
    env.include = env.Include

    function env.RunScript()
      error("RunScript is not allowed in the sandbox", 2)
    end

    if v13 then
      local here = dirname(config_file)
      env.FileContents = file_reader(here, "a", "FileContents")
      env.FileLine = file_reader(here, "l", "FileLine")
      env.FileLines = file_reader(here, "lines", "FileLines")
      if credentials_directory then
        env.Credential = file_reader(credentials_directory, "a", "Credential")
      elseif credential_fallback_fatal then
        env.Credential = function() error(CREDENTIAL_UNSET, 2) end
      else
        env.Credential = function()
          if not follow then return "<Credential>" end
          return setmetatable({ type = "continue", text = CREDENTIAL_UNSET,
                                context = { filename = config_file, fileline = line_in(config_file) } }, error_mt)
        end
      end
    end
    return env
  end

  function load_config(text, config_file)
    local chunk, err = load(text, "@" .. config_file, "t", make_env(config_file))
    if not chunk then return nil, err end
    local ok, run_err = pcall(chunk)
    if not ok then return nil, run_err end
    files[#files + 1] = config_file -- after its Includes, as Prosody lists them
    return true
  end

  local function hook()
    sethook(hook, "", 1) -- keep failing at once if anything catches the error
    -- No position: the hook may fire inside this setup code, whose line would mean nothing to a user.
    error(tostring(main_name) .. ": instruction limit exceeded (a loop that never ends?)", 0)
  end
  sethook(hook, "", max_instructions)
  local ok, err = load_config(main_text, main_name)
  sethook()
  if not ok then return nil, tostring(err) end
  -- Plain copies for Python: lupa wraps each access in a new object, so cycles are found here, where
  -- tables have identity. Raw iteration (next) so no metamethod runs after the hook is gone.
  local function plain(v, depth, onpath)
    local t = type(v)
    if t ~= "table" then
      if t == "string" or t == "number" or t == "boolean" then return v end
      return "<" .. t .. ">"
    end
    local mt = getmetatable(v)
    if mt == proxy_mt then return "<option " .. tostring(rawget(v, "option_name")) .. ">" end
    if mt == error_mt then return "<error>" end
    if onpath[v] then return "<cycle>" end
    if depth > 250 then return "<too deep>" end
    onpath[v] = true
    local out = {}
    for k, item in next, v do out[k] = plain(item, depth + 1, onpath) end
    onpath[v] = nil
    return out
  end
  local plain_config = {}
  for i = 1, #hosts do
    local host = hosts[i]
    local options, section, seen, list = config[host], {}, {}, keys[host]
    for j = 1, #list do
      local key = list[j]
      local value = rawget(options, key)
      if value ~= nil and not seen[key] then
        seen[key] = true
        if getmetatable(value) == error_mt then
          -- What prosodyctl's config.get() does with it: warn and read nil.
          local context = rawget(value, "context")
          warnings[#warnings + 1] = { context.filename, context.fileline, rawget(value, "text") }
        else
          section[key] = plain(value, 0, {})
        end
      end
    end
    plain_config[host] = section
  end
  return { config = plain_config, hosts = hosts, keys = keys, origins = origins, warnings = warnings,
           files = files, headers = headers }, nil
end
"""

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
    """See :meth:`jitsi_secure.formats.lua.LuaDocument.evaluate`.

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
        run = lua.execute(_raw(_SETUP))
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
