#!/usr/bin/env node
// Batch variant of the configjs_dump.js recipe (shared/docs/research/oracles): evaluates many config.js texts in one node process.
//
//   node configjs_batch.js < requests.jsonl
//
// Each input line is {"name": "config", "code": "<file text>", "url": "...", "globals": {...}} (url and
// globals optional: globals predefines e.g. a template's __PLACEHOLDER__ identifiers); each output
// line is {"ok": true, "value": <JSON of the variable>, "lossy": ["config.x (function)", ...]} or
// {"ok": false, "error": "<name>: <message>"}, in order, flushed per line (usable as a server).
//
// Every text runs in a fresh vm context (a browser-like global: window === self === the global,
// `location` from the URL, a minimal navigator, console silenced) where the variable already exists as
// an empty object, so override fragments that only assign (`config.hosts = {...};`, or `var config;`
// followed by assignments) evaluate to what they add. `var config = {...}` simply replaces it. Both
// `config` and `interfaceConfig` exist, as on the page, where an override runs after both files.
'use strict';
const vm = require('vm');
const readline = require('readline');

function lossy(v, path, out) {
    const t = typeof v;
    if (t === 'function' || t === 'undefined' || t === 'symbol' || t === 'bigint') out.push(`${path} (${t})`);
    else if (t === 'number' && !Number.isFinite(v)) out.push(`${path} (${v})`);
    else if (v !== null && t === 'object') {
        const proto = Object.getPrototypeOf(v);
        const plain = Array.isArray(v) || proto === null || Object.getPrototypeOf(proto) === null;
        if (!plain) out.push(`${path} (${Object.prototype.toString.call(v)})`);
        for (const k of Object.keys(v)) lossy(v[k], Array.isArray(v) ? `${path}[${k}]` : `${path}.${k}`, out);
    }
    return out;
}

function evaluate(request) {
    const name = request.name || 'config';
    const loc = new URL(request.url || 'https://jitsi-meet.example.com/');
    const quiet = () => {};
    const sandbox = {
        location: {
            href: loc.href, protocol: loc.protocol, host: loc.host, hostname: loc.hostname,
            port: loc.port, pathname: loc.pathname, search: loc.search, hash: loc.hash, origin: loc.origin,
            toString() { return loc.href; }
        },
        navigator: { userAgent: 'configjs_batch', language: 'en-US' },
        console: { log: quiet, info: quiet, warn: quiet, error: quiet, debug: quiet }
    };
    sandbox.window = sandbox;
    sandbox.self = sandbox;
    Object.assign(sandbox, request.globals || {});
    sandbox.config = {};
    sandbox.interfaceConfig = {};
    sandbox[name] = {};
    const context = vm.createContext(sandbox);
    try {
        vm.runInContext(request.code, context, { filename: 'config.js', timeout: 5000 });
        // `let`/`const` live in the script scope, not on the global object: ask the context itself.
        const value = vm.runInContext(`typeof ${name} === 'undefined' ? undefined : ${name}`, context);
        if (value === undefined) return { ok: false, error: `the script did not define ${name}` };
        // JSON has no BigInt: it becomes a string naming it (and is listed as lossy).
        const json = JSON.stringify(value, (k, v) => (typeof v === 'bigint' ? `${v}n (bigint)` : v));
        return { ok: true, value: JSON.parse(json), lossy: lossy(value, name, []) };
    } catch (e) {
        return { ok: false, error: `${e && e.name}: ${e && e.message}` };
    }
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
rl.on('line', (line) => {
    if (!line.trim()) return;
    let result;
    try {
        result = evaluate(JSON.parse(line));
    } catch (e) {
        result = { ok: false, error: `bad request: ${e && e.message}` };
    }
    process.stdout.write(JSON.stringify(result) + '\n');
});
