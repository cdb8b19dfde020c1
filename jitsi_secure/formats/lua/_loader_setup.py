"""The sandbox the loader runs a config in, as Lua source: Prosody 0.12's and 13's config API
(``VirtualHost``, ``Component``, ``Include``, ``ENV_*``, 13's ``Lua``, option references, appends and file
readers), the safe part of the standard library, the time and memory limits, and the conversion of the
result to plain tables. Kept apart from :mod:`._loader`, which runs it, so each holds one language."""

from __future__ import annotations

__all__ = ["SETUP"]

SETUP = r"""
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
