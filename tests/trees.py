"""What the test trees built as real Debian deployments share."""

from __future__ import annotations

#: Debian's main config, shortened: global options, a localhost host, then the Include its postinst keeps.
MAIN_CONFIG = """\
-- Prosody configuration file (Debian)
admins = { }
modules_enabled = {
    "roster"; "saslauth"; "tls"; "disco"; "posix";
}
c2s_require_encryption = true
authentication = "internal_hashed"
log = { info = "/var/log/prosody/prosody.log"; }

VirtualHost "localhost"

------ Additional config files ------
Include "conf.d/*.cfg.lua"
"""
