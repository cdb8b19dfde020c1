"""Run a Prosody config in a sandboxed Lua 5.4 (lupa) with Prosody's config API, for its real meaning.

The API mirrors ``core/configmanager.lua`` of Prosody 0.12 (the Debian version our tests compare with):
the environment's ``__index`` serves ``ENV_X`` from the environment and otherwise the Lua globals, every
assignment goes to the current host, ``VirtualHost``/``Component`` switch host (with nameprep and the
clash checks), ``Include`` loads other files into a fresh environment at global scope.

Sandbox: the chunk runs with ``load(text, name, "t", env)`` (no bytecode), ``env`` sees only a safe
copy of the standard library (no ``io``, ``require``, ``load``, ``dofile``, ``debug``, ``pcall``,
``setmetatable``/``getmetatable``, ``collectgarbage``; ``os`` holds only ``getenv``, reading the mapping
given rather than the process environment). An instruction-count hook and lupa's ``max_memory`` stop
runaway code. A fresh runtime per evaluation keeps one config from affecting the next.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jitsi_secure.formats import ConfigValue
from jitsi_secure.formats._lua_values import table_value

__all__ = ["Evaluation", "evaluate", "run"]

_SETUP = r"""
local setmetatable, rawget, rawset, type, pairs, ipairs, error, load, tostring, pcall =
      setmetatable, rawget, rawset, type, pairs, ipairs, error, load, tostring, pcall
local format, sethook, getinfo = string.format, debug.sethook, debug.getinfo

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

return function(main_text, main_name, getenv, nameprep, list_glob, read_file, follow, max_instructions)
  local config, hosts, keys = { ["*"] = {} }, { "*" }, { ["*"] = {} }
  -- Where each option was last set and where each section header ran: file and line, for callers
  -- that point a user at the line that decides a value.
  local origins, headers, files = { ["*"] = {} }, {}, {}
  local function line_in(config_file)
    for level = 3, 16 do
      local info = getinfo(level, "Sl")
      if not info then break end
      if info.source == "@" .. config_file then return info.currentline end
    end
    return 0
  end
  local function set(host, key, value, config_file)
    local options = config[host]
    if not options then
      options = {}; config[host] = options; hosts[#hosts + 1] = host; keys[host] = {}; origins[host] = {}
    end
    if rawget(options, key) == nil and value ~= nil then
      local list = keys[host]; list[#list + 1] = key
    end
    options[key] = value
    if config_file then origins[host][key] = { config_file, line_in(config_file) } end
  end
  local function header(host, kind, config_file)
    local list = headers[host]
    if not list then list = {}; headers[host] = list end
    list[#list + 1] = { config_file, line_in(config_file), kind }
  end

  SAFE.os = { getenv = function(name) return getenv(name) end }

  local load_config
  local function make_env(config_file)
    local env
    env = setmetatable({ Host = true, host = true, VirtualHost = true, Component = true,
                         component = true, Include = true, include = true, RunScript = true }, {
      __index = function(_, k)
        if type(k) == "string" and k:match("^ENV_") then return getenv(k:sub(5)) end
        return rawget(SAFE, k)
      end,
      __newindex = function(_, k, v) set(rawget(env, "__currenthost") or "*", k, v, config_file) end,
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
      header(name, "VirtualHost", config_file)
      return function(options)
        rawset(env, "__currenthost", "*")
        if type(options) == "string" then
          error(format("VirtualHost entries do not accept a module name (module '%s' provided for host '%s')",
            options, name), 2)
        elseif type(options) ~= "table" then
          error("Invalid syntax following VirtualHost, expected options but received a " .. type(options), 2)
        end
        for k, v in pairs(options) do set(name, k, v, config_file) end
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
      header(name, "Component", config_file)
      rawset(env, "__currenthost", name)
      local function handle(options)
        rawset(env, "__currenthost", "*")
        for k, v in pairs(options) do set(name, k, v, config_file) end
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
    return env
  end

  function load_config(text, config_file)
    files[#files + 1] = config_file
    local chunk, err = load(text, "@" .. config_file, "t", make_env(config_file))
    if not chunk then return nil, err end
    return pcall(chunk)
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
    if onpath[v] then return "<cycle>" end
    if depth > 250 then return "<too deep>" end
    onpath[v] = true
    local out = {}
    for k, item in next, v do out[k] = plain(item, depth + 1, onpath) end
    onpath[v] = nil
    return out
  end
  local plain_config = {}
  for host, options in next, config do plain_config[host] = plain(options, 0, {}) end
  return { config = plain_config, hosts = hosts, keys = keys, origins = origins, headers = headers, files = files }, nil
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


@dataclass(frozen=True)
class Evaluation:
    """What running a config gave: the options per host, and where each came from.

    Attributes:
        config: ``{"*": globals, host: options}`` as :func:`evaluate` returns it.
        origins: ``{host: {option: (file, line)}}``: the assignment that set each option last.
        headers: ``{host: ((file, line, kind), ...)}``: every ``VirtualHost``/``Component`` line that
            opened the host, in load order (a host defined in two files has two).
        files: every file loaded, in load order (the main one first).
    """

    config: dict[str, dict[str, ConfigValue]]
    origins: dict[str, dict[str, tuple[str, int]]]
    headers: dict[str, tuple[tuple[str, int, str], ...]]
    files: tuple[str, ...]


def _read_real_file(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def evaluate(text: str, source: str, **options: Any) -> dict[str, dict[str, ConfigValue]]:
    """See :meth:`jitsi_secure.formats.lua.LuaDocument.evaluate`; ``options`` are :func:`run`'s."""
    return run(text, source, **options).config


def run(
    text: str,
    source: str,
    *,
    env: dict[str, str],
    follow_includes: bool,
    max_instructions: int,
    max_memory: int,
    read_file: Callable[[str], bytes] = _read_real_file,
    list_folder: Callable[[str], list[str]] = os.listdir,
) -> Evaluation:
    """Run the config; ``read_file``/``list_folder`` give the text of an included file and the names in
    a folder by the path Prosody would use (both raise ``OSError``), so a caller can map those paths
    under another root."""
    import lupa.lua54 as lupa54  # pinned: plain ``lupa`` is Lua 5.5, which rejects code Prosody accepts

    from jitsi_secure.formats.lua import LuaEvaluationError

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
            names = sorted(list_folder(folder or "."))
        except (OSError, ValueError) as error:  # ValueError: a NUL in the path
            return None, _raw(f"cannot open {folder}: {getattr(error, 'strerror', None) or error}")
        regex = _glob_regex(glob)
        found = [folder + "/" + n for n in names if not n.startswith(".") and regex.fullmatch(n)]
        return lua.table_from([_raw(p) for p in found])

    def read_include(file: Any, config_file: Any) -> Any:
        path = _resolve(_dirname(_text(config_file)), _text(file))
        try:
            return _raw(path), read_file(path)
        except (OSError, ValueError) as error:
            return _raw(f"{path}: {getattr(error, 'strerror', None) or error}"), None

    if max_instructions <= 0:
        raise ValueError("max_instructions must be positive")
    try:
        setup = lua.execute(_raw(_SETUP))
        result, error = setup(
            _raw(text), _raw(source), getenv, _nameprep, list_glob, read_include, follow_includes, max_instructions
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
    converter = _Converter(lupa54.lua_type)
    config, keys = result[b"config"], result[b"keys"]
    out: dict[str, dict[str, ConfigValue]] = {}
    for host in result[b"hosts"].values():
        options = config[host]
        host_key = _text(host)
        section: dict[str, ConfigValue] = {}
        for key in keys[host].values():
            value = options[key]
            if value is not None:
                name = _text(key) if isinstance(key, bytes) else str(key)
                section[name] = converter.value(value)
        out[host_key] = section
    origins = {
        _text(host): {_text(key): (_text(where[1]), int(where[2])) for key, where in options.items()}
        for host, options in result[b"origins"].items()
    }
    headers = {
        _text(host): tuple((_text(h[1]), int(h[2]), _text(h[3])) for h in opened.values())
        for host, opened in result[b"headers"].items()
    }
    files = tuple(_text(f) for f in result[b"files"].values())
    return Evaluation(out, origins, headers, files)
