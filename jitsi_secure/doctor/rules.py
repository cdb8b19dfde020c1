"""The table of every ``doctor`` finding: its id, severity, cause, upstream reference, fix and help.

This table is the one place a rule is described: the findings take their severity, reference and
``fixable`` from it, the SARIF output its ``rules``, and ``docs/doctor.md`` is generated from it
(``python -m jitsi_secure.doctor.docs``; a test fails when the page and the table differ).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["RULES", "Rule", "Severity", "rule"]

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Rule:
    """One kind of finding.

    Attributes:
        id: the stable id (part of the interface: scripts and SARIF consumers key on it).
        severity: the usual severity; a finding may be milder in a case the rule's help names.
        title: one line saying what is wrong.
        cause: why it breaks authentication, in a few sentences.
        fix: what repairs it (what ``--fix`` does when ``fixable``).
        references: the upstream issues, pull requests, commits or documents (URLs), the first the main one.
        fixable: whether ``--fix`` can repair it (in the cases ``fix`` names).
    """

    id: str
    severity: Severity
    title: str
    cause: str
    fix: str
    references: tuple[str, ...]
    fixable: bool

    @property
    def reference(self) -> str:
        """The references as one line."""
        return " ".join(self.references)


_GH = "https://github.com/"
_MEET = _GH + "jitsi/jitsi-meet/"

RULES: tuple[Rule, ...] = (
    Rule(
        "guest-host-not-loaded",
        "error",
        "config.js announces an anonymous domain that Prosody does not load",
        "The guest VirtualHost is written in a file Prosody never reads: the file sits in `conf.avail/` "
        'without its `conf.d/` link, or `prosody.cfg.lua` lost its `Include "conf.d/*.cfg.lua"` (Prosody '
        "package upgrades replaced the file). Guests then fail to connect.",
        '`--fix` adds the `Include "conf.d/*.cfg.lua"` line back to `prosody.cfg.lua`, or makes the missing '
        "`conf.d/` link (relative, so it holds under `--root` too), within the same verified, all-or-nothing "
        "plan: the deployment is read with the planned link before anything is written.",
        (_MEET + "issues/6761", _MEET + "pull/16687"),
        True,
    ),
    Rule(
        "anonymousdomain-unknown-host",
        "error",
        "hosts.anonymousdomain names a host that is not defined, or not anonymous",
        "config.js sends guests to `hosts.anonymousdomain`; when Prosody has no such VirtualHost, or it "
        "asks for a password or token, guests cannot join.",
        'Define the VirtualHost with `authentication = "jitsi-anonymous"` (`jitsi-secure apply` does) or '
        "correct the name in config.js.",
        (_MEET + "blob/master/doc/debian/jitsi-meet/jitsi-meet.example",),
        False,
    ),
    Rule(
        "login-url-mismatch",
        "error",
        "Jicofo's authentication login-url is not the main XMPP domain",
        "Jicofo accepts room creation only from users authenticated on its `login-url` domain (legacy "
        "`org.jitsi.jicofo.auth.URL`). Another domain (the guest domain, a stale name) leaves every "
        "moderator waiting for the host.",
        "`--fix` sets `jicofo.authentication.login-url` in jicofo.conf to the main domain (a legacy URL is "
        "`legacy-jicofo-override`'s to fix).",
        ("https://jitsi.github.io/handbook/docs/devops-guide/secure-domain",),
        True,
    ),
    Rule(
        "legacy-jicofo-override",
        "warning",
        "the legacy properties file sets Jicofo's authentication and overrides jicofo.conf",
        "Jicofo reads `org.jitsi.jicofo.auth.URL` from the legacy `sip-communicator.properties` first: "
        "when it disagrees with jicofo.conf (another type or domain, or on while jicofo.conf has it off) "
        'the legacy value wins, the classic "waiting for the host" loop after an upgrade.',
        "`--fix` removes the legacy line so jicofo.conf decides.",
        (_GH + "jitsi/jicofo/blob/master/jicofo-selector/src/main/kotlin/org/jitsi/jicofo/auth/AuthConfig.kt",),
        True,
    ),
    Rule(
        "prosody13-oauthbearer-loop",
        "error",
        "Prosody 13 offers OAUTHBEARER on a password host: web clients loop at login",
        "Prosody 13 advertises OAUTHBEARER next to PLAIN on a host with `internal_hashed` (or another "
        "password backend); the web client picks it and loops at the login dialog.",
        '`--fix` sets `disable_sasl_mechanisms = { "DIGEST-MD5", "OAUTHBEARER" }` on the main host.',
        (_GH + "jitsi/docker-jitsi-meet/pull/2057",),
        True,
    ),
    Rule(
        "underscore-in-domain",
        "error",
        "a host name contains '_', which Prosody 13.0.3 and later reject",
        "Host names are DNS names; Prosody 13.0.3 refuses a VirtualHost or Component whose name holds an "
        "underscore and does not start it.",
        "Rename the host (and every reference to it) to a name without '_'.",
        ("https://prosody.im/doc/release/13.0.3",),
        False,
    ),
    Rule(
        "duplicate-option",
        "warning",
        "an option is set twice for one host in one file",
        "Prosody warns `Duplicate option` and keeps the last assignment; the first one is dead, and an "
        "admin editing it sees no effect.",
        "Delete the first assignment (or merge both).",
        (_GH + "bjc/prosody/blob/master/core/configmanager.lua",),
        False,
    ),
    Rule(
        "duplicate-host",
        "warning",
        "a VirtualHost or Component is defined in more than one loaded file",
        "Prosody merges every definition of a host, and where they set an option differently the file it "
        'reads last wins. `Include "conf.d/*.cfg.lua"` reads the files in directory order, unsorted, '
        "which a restore, an rsync or another file system can change: a stale copy of the host file "
        "(`conf.d/zz-old.cfg.lua`) can decide the host's settings today and not tomorrow, and `--fix` "
        "of another rule may edit the copy. An error when the files set different `authentication`: "
        "who may log in then depends on that order.",
        "Delete the stale file (or its `conf.d/` link), or merge the definitions into one file. No "
        "automatic fix: only the admin knows which copy is meant.",
        (_GH + "bjc/prosody/blob/master/core/configmanager.lua",),
        False,
    ),
    Rule(
        "removed-module",
        "warning",
        "modules_enabled or a Component names a Jitsi module that upstream deleted",
        "jitsi-meet removed `speakerstats`, `av_moderation`, `room_metadata`, `end_conference`, "
        "`conference_duration_component` and `muc_poltergeist` in 2026-06 (`features_identity` replaces "
        "them where one does). When the plugin folders `plugin_paths` names lack the module, Prosody fails "
        "to load it. A warning when those folders exist under the root and lack it, info when they cannot "
        "be read.",
        "`--fix` removes the entry from `modules_enabled`, or the Component.",
        (_MEET + "pull/17453",),
        True,
    ),
    Rule(
        "token-muc-unverified",
        "error",
        "token authentication, but a conference MUC does not verify tokens",
        'With `authentication = "token"` the room itself must check the token\'s room claim '
        "(`token_verification` in the MUC's `modules_enabled`); without it any token opens any room. A "
        "MUC with the module commented out was meant to have it. The internal MUC never needs it.",
        '`--fix` adds `"token_verification"` to the MUC\'s `modules_enabled`.',
        ("https://jitsi.github.io/handbook/docs/devops-guide/token-authentication",),
        True,
    ),
    Rule(
        "jicofo-auth-with-tokens",
        "warning",
        "token authentication in Prosody while Jicofo asks for an XMPP login",
        "With tokens, users never have a Prosody password: a Jicofo that requires XMPP authentication "
        "shows them a login dialog they cannot pass.",
        "Turn Jicofo's authentication off, or set its type to JWT (`jitsi-secure apply --auth jwt`).",
        ("https://jitsi.github.io/handbook/docs/devops-guide/token-authentication",),
        False,
    ),
    Rule(
        "empty-token-guests",
        "warning",
        "a token host lets clients without a token in (allow_empty_token)",
        "`allow_empty_token = true` lets anyone join without a token. That is intended on a guest host "
        "(info), not on the main host (warning).",
        "Set `allow_empty_token = false` on the main host, or move guests to their own host.",
        (_GH + "jitsi/lib-jitsi-meet/blob/master/doc/tokens.md",),
        False,
    ),
    Rule(
        "plaintext-login",
        "warning",
        "a password host allows unencrypted plain authentication",
        "`c2s_require_encryption = false` with `allow_unencrypted_plain_auth = true`, or a Cyrus/LDAP host "
        "(which needs PLAIN), can send passwords in clear on a connection that is not encrypted.",
        "Require encryption (`c2s_require_encryption = true`) or drop `allow_unencrypted_plain_auth`; "
        "for LDAP make sure clients only reach Prosody over TLS.",
        ("https://prosody.im/doc/modules/mod_saslauth",),
        False,
    ),
    Rule(
        "example-secret",
        "warning",
        "a secret is still a template's example value, or shorter than 16 characters",
        "Template values (`example_app_secret`, docker `env.example` defaults such as `passw0rd`, "
        "Debian's `__turnSecret__`, `focusSecret`) are public: anyone can sign tokens or log in as the component. The "
        "value is never printed.",
        "Generate a new secret (`openssl rand -hex 32`) and set it everywhere it is used.",
        (_GH + "jitsi/docker-jitsi-meet/blob/master/gen-passwords.sh",),
        False,
    ),
    Rule(
        "breakout-admins-missing",
        "info",
        'the main VirtualHost lacks admins = { "focus@auth.<domain>" }',
        'Since 2026 breakout rooms show a stray "focus" participant unless Jicofo\'s account is an admin '
        "of the main host.",
        "`--fix` adds `focus@auth.<domain>` to the main host's `admins`.",
        (_MEET + "issues/17290", _MEET + "pull/17695"),
        True,
    ),
    Rule(
        "removed-client-option",
        "warning",
        "config.js sets an option upstream removed",
        "`tokenAuthUrlAutoRedirect` was removed in 2026-02; the web client ignores it, so the redirect the "
        "admin expects does not happen.",
        "`--fix` removes the option from config.js.",
        (_MEET + "commits/master/config.js",),
        True,
    ),
    Rule(
        "not-a-jicofo-config",
        "error",
        "the Jicofo config is not HOCON with a jicofo object",
        "A shell `KEY=VALUE` file (Debian's old `/etc/jitsi/jicofo/config`) given as jicofo.conf: Jicofo "
        "reads none of its authentication from it.",
        "Point `--jicofo-config` at Jicofo's HOCON file (`/etc/jitsi/jicofo/jicofo.conf`).",
        (_GH + "jitsi/jicofo/blob/master/debian/postinst",),
        False,
    ),
    Rule(
        "prosody-not-readable",
        "error",
        "Prosody's configuration does not load",
        "Prosody's loader stops at this file (a missing `Include`d file, a runtime error); Prosody will "
        "not start, so nobody logs in.",
        "Correct the file and line named.",
        ("https://prosody.im/doc/configure",),
        False,
    ),
)

_BY_ID = {r.id: r for r in RULES}


def rule(rule_id: str) -> Rule:
    """The rule ``rule_id`` (``KeyError`` for an unknown id)."""
    return _BY_ID[rule_id]
