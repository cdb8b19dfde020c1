var config = {
    hosts: {
        domain: "m\u00e9et.example.com", // ünïcode comment ✓
    },
    "quoted-key": "\ud83d\ude00 \u{1F680}",
    emoji: "✓ 😀",
    octal: "\101\0",
    cont: "a\
b",
    nested: { deeper: { deepest: [1, , 3] } },
    neg: -0.5e-3,
    legacy: 010,
};
config.nested.deeper.extra = `multi
line`;
