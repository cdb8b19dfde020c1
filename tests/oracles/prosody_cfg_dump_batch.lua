#!/usr/bin/env lua5.4
-- Batch variant of the prosody_cfg_dump.lua recipe (shared/docs/research/oracles): parse several Prosody config files with Prosody's OWN parser
-- (core.configmanager, as prosody/prosodyctl use it) in one lua5.4 process and print one JSON object
-- per file, per line:
--   {"ok":true,"config":{"*":{...},"<host>":{...}},"warnings":[...]}   or   {"ok":false,"error":"..."}
-- Usage: lua5.4 prosody_cfg_dump_batch.lua [--no-include] FILE...
-- --no-include replaces Include/include with a no-op (everything else is Prosody's code unchanged), for
-- comparing files whose Include targets do not exist on this machine.
-- Encoding conventions are those of that recipe: empty table as [], functions as "<function>".
package.path = "/usr/lib/prosody/?.lua;" .. package.path
package.cpath = "/usr/lib/prosody/?.so;" .. package.cpath

local no_include = false
local files = {}
for _, a in ipairs(arg) do
	if a == "--no-include" then no_include = true else files[#files + 1] = a end
end

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
	local ok, level, err = cm.load(file)
	if ok then
		io.write(enc({ ok = true, warnings = err or {}, config = cm.getconfig() }), "\n")
	else
		io.write(enc({ ok = false, error = tostring(level) .. ": " .. tostring(err) }), "\n")
	end
end
