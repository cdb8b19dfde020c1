/* global config */
// A config.js that uses every syntax step since ES2017 that a classic script may hold.
var defaults = { enabled: true, stunServers: [{ urls: 'stun:meet-jit-si-turnrelay.jitsi.net:443' }] };
var maybe = { nested: null };
var count = 0n;

var config = {
    hosts: {
        domain: 'meet.example.com',
        // anonymousdomain: 'guest.example.com',
        muc: `conference.${'meet.example.com'}`,
    },
    p2p: { ...defaults, useStunTurn: true }, // object spread (ES2018)
    testing: {
        p2pTestMode: false,
    },
    channelLastN: 1_000, // numeric separators (ES2021)
    maxBitrate: 0x7fff_ffff,
    ratio: 2 ** 10,
    fallback: maybe?.nested?.value ?? 'none', // optional chaining, nullish coalescing (ES2020)
    big: 12345678901234567890n, // BigInt (ES2020)
    regex: /(?<year>\d{4})-(?<month>\d{2})/su, // named groups, s flag (ES2018)
    toolbarButtons: ['microphone', 'camera', 'hangup'],
    text: 'caf\u00e9 \u{1F600} \x41',
    template: `plain template`,
    resolution: 720,
    async getToken() {
        try {
            return await Promise.resolve('t');
        } catch { // optional catch binding (ES2019)
            return '';
        }
    },
    flat: [[1], [2]].flat(), // a call: computed
};

class Settings {
    #secret = 'hidden'; // private field (ES2022)
    static count = 0; // static field (ES2022)
    static { Settings.count += 1; } // static block (ES2022)
    get secret() { return this.#secret; }
    has(other) { return #secret in other; } // ergonomic brand check (ES2022)
}

const { enabled, ...rest } = defaults; // object rest (ES2018)
let fromHosts = config.hosts?.domain;
fromHosts ||= 'unknown'; // logical assignment (ES2021)
count += 1n;

async function* ticks() { for await (const tick of []) { yield tick; } } // async iteration (ES2018)

config.disableDeepLinking = true;
config.analytics = config.analytics || {};
config.analytics.disabled = true;
config.constraints ??= {}; // a logical assignment to the config: computed, not guessed
config.lastN = [1, 2, 3].at(-1); // Array.prototype.at (ES2022): a call
config.settingsCount = Settings.count;
