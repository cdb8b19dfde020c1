#!/usr/bin/env lua5.4
-- Batch variant of the prosody_cfg_dump.lua recipe (shared/docs/research/oracles): parse several Prosody config files with Prosody's OWN parser
-- (core.configmanager, as prosody/prosodyctl use it) in one lua5.4 process and print one JSON object
-- per file, per line:
--   {"ok":true,"config":{"*":{...},"<host>":{...}},"warnings":[...]}   or   {"ok":false,"error":"..."}
--   with "files":[...] (the files loaded, in Prosody's order)
-- Usage: lua5.4 prosody_cfg_dump_batch.lua [--no-include] [--source DIR] [--credential-fallback warn|error] FILE...
-- --no-include replaces Include/include with a no-op (everything else is Prosody's code unchanged), for
-- comparing files whose Include targets do not exist on this machine.
-- --source is Prosody's source folder (default /usr/lib/prosody, Debian's 0.12; Prosody 13 unpacked
-- elsewhere has its own). Prosody 13: $CREDENTIALS_DIRECTORY is passed on as its startup does, and
-- --credential-fallback is its mode without it ("error" as the server, "warn" as prosodyctl; default error).
-- Encoding conventions are those of that recipe: empty table as [], functions as "<function>"; and for 13
-- a config option proxy as "<option NAME>", a util.error object inside a table as "<error>". An option whose
-- value is an error object is left out with the warning prosodyctl's config.get() logs for it.
local no_include, source, fallback = false, "/usr/lib/prosody", nil
local files = {}
do
	local i = 1
	while i <= #arg do
		local a = arg[i]
		if a == "--no-include" then no_include = true
		elseif a == "--source" then i = i + 1; source = arg[i]
		elseif a == "--credential-fallback" then i = i + 1; fallback = arg[i]
		else files[#files + 1] = a end
		i = i + 1
	end
end
package.path = source .. "/?.lua;" .. package.path
package.cpath = source .. "/?.so;" .. package.cpath
pcall(require, "loader") -- Prosody 13: its modules require "prosody.util.x"

-- configmanager captures util.envload's envload when it is required; wrapping it here lets us swap
-- Include for a no-op in the environment Prosody builds, without touching anything else.
local envload_mod = require "util.envload"
local real_envload = envload_mod.envload
envload_mod.envload = function(code, source, env)
	if no_include and env then
		rawset(env, "Include", function() end)
		rawset(env, "include", function() end)
	end
	return real_envload(code, source, env)
end

local cm = require "core.configmanager"
local has_errors, errors = pcall(require, "util.error")
local function is_error(v) return has_errors and errors.is_error and errors.is_error(v) end
if cm.set_credentials_directory then
	local directory = os.getenv("CREDENTIALS_DIRECTORY")
	if directory then cm.set_credentials_directory(directory) end
	if fallback then cm.set_credential_fallback_mode(fallback) end
end

local function is_proxy(v)
	local mt = getmetatable(v)
	return mt ~= nil and type(mt.__index) == "table" and rawget(mt.__index, "append") ~= nil
end

local function is_array(t)
	local n = 0
	for _ in pairs(t) do n = n + 1 end
	for i = 1, n do if rawget(t, i) == nil then return false end end
	return true, n
end

local esc = { ['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f',
	['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t' }
local function enc_str(s)
	return '"' .. s:gsub('[%c"\\]', function (c)
		return esc[c] or string.format("\\u%04x", c:byte())
	end) .. '"'
end

local function enc(v)
	local t = type(v)
	if t == "string" then return enc_str(v)
	elseif t == "boolean" then return tostring(v)
	elseif t == "number" then
		if math.type(v) == "integer" then return tostring(v) end
		if v ~= v or v == math.huge or v == -math.huge then return "null" end
		if v == math.floor(v) and math.abs(v) < 2^53 then return string.format("%d", v) end
		return string.format("%.17g", v)
	elseif t == "table" then
		if is_proxy(v) then return enc_str("<option " .. tostring(rawget(v, "option_name")) .. ">") end
		if is_error(v) then return enc_str("<error>") end
		local arr, n = is_array(v)
		if arr then
			local parts = {}
			for i = 1, n do parts[i] = enc(rawget(v, i)) end
			return "[" .. table.concat(parts, ",") .. "]"
		end
		local keys = {}
		for k in pairs(v) do keys[#keys + 1] = k end
		table.sort(keys, function (a, b) return tostring(a) < tostring(b) end)
		local parts = {}
		for _, k in ipairs(keys) do
			parts[#parts + 1] = enc_str(tostring(k)) .. ":" .. enc(rawget(v, k))
		end
		return "{" .. table.concat(parts, ",") .. "}"
	elseif t == "nil" then return "null"
	else return enc_str("<" .. t .. ">") end
end

for _, file in ipairs(files) do
	local before = #cm.files()
	local ok, level, err = cm.load(file)
	if ok then
		local warnings, loaded, config = err or {}, {}, {}
		for i = before + 1, #cm.files() do loaded[#loaded + 1] = cm.files()[i] end
		for host, options in pairs(cm.getconfig()) do
			local section = {}
			for key, value in pairs(options) do
				if is_error(value) then
					warnings[#warnings + 1] = ("%s:%d: %s"):format(value.context.filename, value.context.fileline, value.text)
				else
					section[key] = value
				end
			end
			config[host] = section
		end
		io.write(enc({ ok = true, warnings = warnings, config = config, files = loaded }), "\n")
	else
		io.write(enc({ ok = false, error = tostring(level) .. ": " .. tostring(err) }), "\n")
	end
end
