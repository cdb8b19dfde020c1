"""Benchmark: reading a whole Debian deployment as its programs do, against parsing its files once.

    python benchmarks/bench_deployment.py

The tree is the bundled example deployment with Debian's main ``prosody.cfg.lua`` and four files it
includes from ``conf.d`` (the host file, a guest host, a recorder host and a components file, linked
absolutely as Debian does), config.js, jicofo.conf and the legacy properties. "Read" is
:func:`jitsi_secure.deployment.read_deployment` (Prosody's loader over every included file, Jicofo with
its legacy file, config.js); "parse once" is each file through its format's lossless parser, once.
The goal: reading costs at most 1.3x parsing once.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _timing import best_of

from jitsi_secure.demo import EXAMPLE_DOMAIN, build_example_tree
from jitsi_secure.deployment import read_deployment
from jitsi_secure.formats import hocon, js, lua, properties
from jitsi_secure.secure_domain.layout import Layout

MAIN = """\
admins = { }
modules_enabled = { "roster"; "saslauth"; "tls"; "disco"; "posix"; }
c2s_require_encryption = true
log = { info = "/var/log/prosody/prosody.log"; }
VirtualHost "localhost"
Include "conf.d/*.cfg.lua"
"""
EXTRA = {
    "guest.cfg.lua": f'VirtualHost "guest.{EXAMPLE_DOMAIN}"\n    authentication = "jitsi-anonymous"\n'
    "    c2s_require_encryption = false\n",
    "recorder.cfg.lua": f'VirtualHost "recorder.{EXAMPLE_DOMAIN}"\n    modules_enabled = {{ "smacks"; }}\n'
    '    authentication = "internal_hashed"\n',
    "components.cfg.lua": "".join(
        f'Component "c{n}.{EXAMPLE_DOMAIN}" "muc"\n    storage = "memory"\n    modules_enabled = {{ "m{n}"; }}\n'
        for n in range(20)
    ),
}


def build(root: Path) -> list[Path]:
    build_example_tree(root)
    prosody = root / "etc/prosody"
    (prosody / "prosody.cfg.lua").write_text(MAIN)
    link = prosody / f"conf.d/{EXAMPLE_DOMAIN}.cfg.lua"
    link.unlink()
    link.symlink_to(f"/etc/prosody/conf.avail/{EXAMPLE_DOMAIN}.cfg.lua")
    for name, text in EXTRA.items():
        (prosody / "conf.avail" / name).write_text(text)
        (prosody / "conf.d" / name).symlink_to(f"/etc/prosody/conf.avail/{name}")
    return [prosody / "prosody.cfg.lua", prosody / f"conf.avail/{EXAMPLE_DOMAIN}.cfg.lua"] + [
        prosody / "conf.avail" / name for name in EXTRA
    ]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="jitsi-secure-bench-") as tmp:
        root = Path(tmp)
        lua_files = build(root)
        layout = Layout.debian(root=root)
        assert layout.jicofo is not None and layout.jicofo_legacy is not None
        texts = {
            "lua": [p.read_text() for p in lua_files],
            "js": layout.meet.read_text(),
            "hocon": layout.jicofo.read_text(),
            "properties": layout.jicofo_legacy.read_text(encoding="latin-1"),
        }

        def parse_once() -> None:
            for text in texts["lua"]:
                lua.parse(text)
            js.parse(texts["js"])
            hocon.parse(texts["hocon"])
            properties.parse(texts["properties"])

        read = read_deployment(layout)
        assert read.prosody is not None and len(read.prosody.files) == 5, read.prosody
        parse = best_of(parse_once, repeat=5)
        deployment = best_of(lambda: read_deployment(layout), repeat=5)
    print("| what | time |")
    print("|---|---:|")
    print(
        f"| parse each file once (5 Prosody files, config.js, jicofo.conf, legacy properties) | {parse * 1e3:.2f} ms |"
    )
    print(f"| read_deployment (Prosody's loader over the includes, Jicofo, config.js) | {deployment * 1e3:.2f} ms |")
    print()
    print(f"deployment read / parse once: {deployment / parse:.2f}")


if __name__ == "__main__":
    main()
