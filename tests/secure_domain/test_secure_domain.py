"""Secure Domain end to end: example Debian trees from the corpus, judged by the real readers.

Each scenario lays out a deployment under a temporary root, runs ``jitsi-secure apply``, ``apply``
again and ``revert`` through the CLI, and has Prosody's own config loader, Node, Lightbend Config and
java.util.Properties read every file at each step: after ``apply`` the meaning is exactly the recipe's
and every other setting is unchanged; after ``revert`` the Secure Domain settings are gone.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from jitsi_secure._core.lock import LOCK_NAME
from jitsi_secure.cli import main
from jitsi_secure.demo import EXAMPLE_DOMAIN, build_example_tree
from jitsi_secure.formats.properties import ENCODING, escape_value
from jitsi_secure.secure_domain.layout import Layout
from jitsi_secure.secure_domain.plan import build_plan
from jitsi_secure.secure_domain.spec import JigasiAccount, Secret, SecureDomain, SpecError
from tests.oracles import corpus_dir, java_properties
from tests.oracles.hocon import lightbend_read
from tests.oracles.js import NodeEvaluator
from tests.oracles.lua import prosody_configs

#: Every character java.util.Properties treats specially, non-ASCII, and a leading space.
PASSWORD = " pa=ss:wo#rd!\\ é😀 end"
JIGASI_JID = "jigasi@{domain}"


@dataclass(frozen=True)
class Scenario:
    """A deployment assembled from corpus files (paths relative to ``shared/corpus``)."""

    name: str
    domain: str
    prosody: str
    meet: str
    jicofo: str
    legacy: str | None = None
    jigasi: str | None = None

    def build(self, root: Path) -> dict[str, Path]:
        corpus = corpus_dir()
        targets = {
            "prosody": root / f"etc/prosody/conf.avail/{self.domain}.cfg.lua",
            "meet": root / f"etc/jitsi/meet/{self.domain}-config.js",
            "jicofo": root / "etc/jitsi/jicofo/jicofo.conf",
            "legacy": root / "etc/jitsi/jicofo/sip-communicator.properties",
            "jigasi": root / "etc/jitsi/jigasi/sip-communicator.properties",
        }
        files = {}
        for role, target in targets.items():
            source = getattr(self, role)
            if source is None:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(corpus / source, target)
            files[role] = target
        link = root / f"etc/prosody/conf.d/{self.domain}.cfg.lua"
        link.parent.mkdir(parents=True)
        link.symlink_to(Path("../conf.avail") / link.name)
        return files


SCENARIOS = [
    Scenario(
        "debian-2025",
        "jitmeet.example.com",
        "lua/jitsi-meet_prosody.cfg.lua-jvb.example_2025-09_469406d.lua",
        "js/jitsi-meet_config_2025-06_293b6fa.js",
        "hocon/blc-jitsi_etc_jicofo.conf",
        "properties/blc-jitsi_etc_jicofo_sip-communicator.properties",
        "properties/jigasi_sip-communicator_2026-05_46f5eb1.properties",
    ),
    Scenario(
        "debian-2017",
        "jitmeet.example.com",
        "lua/jitsi-meet_prosody.cfg.lua-jvb.example_2017-05_9fb49cb.lua",
        "js/jitsi-meet_config_2017-06_35f79dd.js",
        "hocon/yunohost_jicofo.conf",
    ),
    Scenario(
        "crlf-2023",
        "jitmeet.example.com",
        "lua/shakiltousif_prosody.cfg.lua-jvb.example_crlf_2023.lua",
        "js/shakiltousif_config_crlf_2023-12.js",
        "hocon/meet-shcare_docker-rendered_jicofo.conf",
        jigasi="properties/jigasi_sip-communicator_2019-01_c384711.properties",
    ),
    Scenario(
        "hand-edited-webrtc01",
        "webrtc01.mundi-tv.tk",
        "lua/webrtc01_conf.avail_webrtc01.mundi-tv.tk.cfg.lua",
        "js/webrtc01_etc_meet_webrtc01.mundi-tv.tk-config.js",
        "hocon/sphinx-stack_docker-rendered_jicofo.conf",
        "properties/webrtc01_etc_jicofo_sip-communicator.properties",
        "properties/webrtc01_etc_jigasi_sip-communicator.properties",
    ),
    Scenario(
        "guest-host-exists-ht21295",
        "meeting.com.vn",
        "lua/ht21295_conf.avail_meeting.com.vn.cfg.lua",
        "js/ht21295_etc_meet_meeting.com.vn-config.js",
        "hocon/onesol_docker-rendered_jicofo.conf",
        jigasi="properties/ht21295_etc_jigasi_sip-communicator.properties",
    ),
    Scenario(
        "docker-rendered-sphinx-stack",
        "meet.jitsi",
        "lua/sphinx-stack_docker-rendered_conf.d_jitsi-meet.cfg.lua",
        "js/binauralmeet_docker-rendered_config_2021.js",
        "hocon/sphinx-stack_docker-rendered_jicofo.conf",
    ),
    Scenario(
        "telkomdev",
        "meet.example.com",
        "lua/telkomdev_meet.example.com.cfg.lua",
        "js/jitsi-meet_config_2021-06_a1e8f36.js",
        "hocon/jicofo_reference_2021-11_1d488ab.conf",
        "properties/telkomdev_sip-communicator.properties",
    ),
]


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every regular file under ``root`` with its bytes and mtime.

    The empty lock file aside: apply and revert create it before they read anything.
    """
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink() and p.name != LOCK_NAME
    }


@pytest.fixture(scope="module")
def node() -> Any:
    evaluator = NodeEvaluator()
    yield evaluator
    evaluator.close()


def _password_file(tmp_path: Path) -> Path:
    path = tmp_path / "jigasi-password"
    path.write_text(PASSWORD + "\n", encoding="utf-8")
    return path


def _without(mapping: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if k not in keys}


TOKEN_OPTIONS = ("app_id", "app_secret", "asap_key_server", "cache_keys_url", "asap_accepted_issuers",
                 "asap_accepted_audiences", "allow_empty_token")  # fmt: skip


def _without_token_leftovers(config: dict[str, Any], domain: str) -> dict[str, Any]:
    """``config`` as a password setup leaves it: a token setup's options and token checks gone."""
    config = copy.deepcopy(config)
    config[domain] = _without(config[domain], *TOKEN_OPTIONS)
    for host in config.values():
        if (
            isinstance(host, dict)
            and host.get("component_module") == "muc"
            and isinstance(host.get("modules_enabled"), list)
        ):
            host["modules_enabled"] = [m for m in host["modules_enabled"] if m != "token_verification"]
    return config


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_apply_twice_and_revert_as_the_real_readers_see_it(
    scenario: Scenario, tmp_path: Path, capsys: pytest.CaptureFixture[str], node: NodeEvaluator
) -> None:
    root = tmp_path / "root"
    files = scenario.build(root)
    guest = f"guest.{scenario.domain}"
    jid = JIGASI_JID.format(domain=scenario.domain)
    # Prosody accounts, named: the ht21295 server logs its users in through LDAP (Cyrus) now, which an
    # apply without --auth refuses to switch.
    account = ["--auth", "internal"] + (
        ["--jigasi-user", jid, "--jigasi-password-file", str(_password_file(tmp_path))] if "jigasi" in files else []
    )
    steps: dict[str, dict[str, str | bytes]] = {}

    def keep(step: str) -> None:
        steps[step] = {role: path.read_bytes() for role, path in files.items()}

    keep("before")
    status, out, _ = run_cli(capsys, "apply", "--root", str(root), *account)
    assert status == 0, out
    assert files["prosody"].parent.parent.joinpath("conf.d", files["prosody"].name).is_symlink()
    keep("after")
    applied = snapshot(root)
    status, out, _ = run_cli(capsys, "apply", "--root", str(root), *account)
    assert status == 0 and "Nothing to change" in out
    assert snapshot(root) == applied, "a second apply must not touch any file (bytes and mtimes)"
    status, _, _ = run_cli(capsys, "check", "--root", str(root), *account)
    assert status == 0
    status, out, _ = run_cli(capsys, "revert", "--root", str(root))
    assert status == 0, out
    keep("reverted")
    status, _, _ = run_cli(capsys, "check", "--root", str(root))
    assert status == 1

    order = ("before", "after", "reverted")

    def materialise(role: str) -> list[Path]:
        paths = []
        for step in order:
            path = tmp_path / f"{step}-{files[role].name}"
            path.write_bytes(steps[step][role])  # type: ignore[arg-type]
            paths.append(path)
        return paths

    # Prosody: the main host asks for a password, the guest host is anonymous, nothing else moves.
    before, after, reverted = (r["config"] for r in prosody_configs(materialise("prosody")))
    main_before = before[scenario.domain].get("authentication")
    guest_before = before.get(guest, {}).get("authentication")
    anonymous = ("jitsi-anonymous", "anonymous")
    module = main_before if main_before in anonymous else guest_before if guest_before in anonymous else "anonymous"
    # A token setup's leftovers (a stale app_secret above all) go when the host moves to passwords.
    before = _without_token_leftovers(before, scenario.domain)
    expected = copy.deepcopy(before)
    expected[scenario.domain]["authentication"] = "internal_hashed"
    expected.setdefault(guest, {"defined": True}).update(authentication=module, c2s_require_encryption=False)
    assert after == expected
    assert guest not in reverted
    assert reverted[scenario.domain]["authentication"] in anonymous
    assert _without(reverted, guest, scenario.domain) == _without(before, guest, scenario.domain)
    expected_main = _without(before[scenario.domain], "authentication")
    assert _without(reverted[scenario.domain], "authentication") == expected_main

    # config.js, as the browser would run it.
    meet = [node.evaluate(steps[step]["meet"].decode("utf-8")) for step in order]  # type: ignore[union-attr]
    assert all(r.ok for r in meet), [r.error for r in meet]
    expected_meet = copy.deepcopy(meet[0].value)
    expected_meet["hosts"]["anonymousdomain"] = guest
    assert meet[1].value == expected_meet
    expected_meet["hosts"].pop("anonymousdomain")
    assert meet[2].value == expected_meet

    # jicofo.conf, as Lightbend Config reads it.
    hocon_before, hocon_after, hocon_reverted = (
        r["value"] for r in lightbend_read(materialise("jicofo"), "--resolve-noenv", "--allow-unresolved")
    )
    authentication = hocon_after["jicofo"].pop("authentication")
    assert {k: authentication[k] for k in ("enabled", "type", "login-url")} == {
        "enabled": True,
        "type": "XMPP",
        "login-url": scenario.domain,
    }
    previous = hocon_before["jicofo"].pop("authentication", {})
    assert _without(authentication, "enabled", "type", "login-url") == _without(
        previous, "enabled", "type", "login-url"
    )
    assert hocon_after == hocon_before
    assert hocon_reverted["jicofo"]["authentication"]["enabled"] is False

    # The properties files, as java.util.Properties reads them.
    if "legacy" in files:
        legacy = [r["properties"] for r in java_properties(materialise("legacy"))]
        url = "org.jitsi.jicofo.auth.URL"
        if url in legacy[0]:
            assert legacy[1] == {**legacy[0], url: f"XMPP:{scenario.domain}"}
        else:
            assert legacy[1] == legacy[0]
        assert legacy[2] == _without(legacy[0], url)
    if "jigasi" in files:
        jigasi = [r["properties"] for r in java_properties(materialise("jigasi"))]
        account_keys = {
            "org.jitsi.jigasi.xmpp.acc.USER_ID": jid,
            "org.jitsi.jigasi.xmpp.acc.PASS": PASSWORD,
            "org.jitsi.jigasi.xmpp.acc.ANONYMOUS_AUTH": "false",
        }
        assert jigasi[1] == {**jigasi[0], **account_keys}
        assert jigasi[2] == _without(jigasi[0], *account_keys)
        assert PASSWORD not in files["jigasi"].read_bytes().decode(ENCODING), "reverted file must not keep the secret"


# -- the CLI surface on the bundled example ---------------------------------------------------


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return build_example_tree(tmp_path / "root")


def test_plan_prints_diffs_and_writes_nothing(example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(example)
    status, out, err = run_cli(capsys, "plan", "--root", str(example))
    assert status == 0, err
    assert '+VirtualHost "guest.meet.example.com"' in out
    assert "+        anonymousdomain: 'guest.meet.example.com'," in out
    assert "\033[" not in out, "no colour when not on a terminal"
    assert snapshot(example) == before


def test_check_lists_what_is_missing_then_passes_after_apply(example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(capsys, "check", "--root", str(example))
    assert status == 1
    assert 'authentication of "meet.example.com" is "jitsi-anonymous", should be "internal_hashed"' in out
    assert run_cli(capsys, "apply", "--root", str(example))[0] == 0
    status, out, _ = run_cli(capsys, "check", "--root", str(example))
    assert status == 0, out


def test_apply_names_the_services_to_restart(example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(capsys, "apply", "--root", str(example))
    assert status == 0
    assert "systemctl restart prosody jicofo jitsi-videobridge2\n" in out
    assert "wrote /etc/prosody/conf.avail/meet.example.com.cfg.lua" in out


def test_apply_keeps_the_debian_marker_and_the_conf_d_link(example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(capsys, "apply", "--root", str(example))
    link = example / "etc/prosody/conf.d/meet.example.com.cfg.lua"
    assert link.is_symlink()
    assert 'authentication = "internal_hashed" -- do not delete me' in link.read_text()


def test_revert_gives_back_the_shipped_files(example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fresh = build_example_tree(example.parent / "fresh", jicofo_legacy=False)
    (example / "etc/jitsi/jicofo/sip-communicator.properties").unlink()
    run_cli(capsys, "apply", "--root", str(example))
    run_cli(capsys, "revert", "--root", str(example))
    # Prosody's host file comes back byte for byte; config.js keeps the guest domain in the comment.
    host = f"etc/prosody/conf.avail/{EXAMPLE_DOMAIN}.cfg.lua"
    assert (example / host).read_bytes() == (fresh / host).read_bytes()
    meet = f"etc/jitsi/meet/{EXAMPLE_DOMAIN}-config.js"
    assert (example / meet).read_text() == (fresh / meet).read_text().replace(
        "// anonymousdomain: 'guest.example.com',", "// anonymousdomain: 'guest.meet.example.com',"
    )


def test_backup_keeps_a_copy_of_each_changed_file(example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    original = (example / "etc/jitsi/jicofo/jicofo.conf").read_bytes()
    status, out, _ = run_cli(capsys, "apply", "--root", str(example), "--backup")
    assert status == 0
    assert (example / "etc/jitsi/jicofo/jicofo.conf.bak").read_bytes() == original
    assert "(backup: /etc/jitsi/jicofo/jicofo.conf.bak)" in out


def test_no_guests_leaves_out_the_guest_host(example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(capsys, "plan", "--root", str(example), "--no-guests")
    assert status == 0
    assert "guest." not in "".join(line for line in out.splitlines(keepends=True) if line.startswith("+"))


def test_json_for_every_verb(example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for verb, expected_status in (("check", 1), ("plan", 0), ("apply", 0), ("check", 0), ("revert", 0)):
        status, out, _ = run_cli(capsys, verb, "--root", str(example), "--json")
        result = json.loads(out)
        assert status == expected_status == result["exit"]
        assert result["verb"] == verb and result["ok"] is True
        assert result["domain"] == EXAMPLE_DOMAIN
        assert {f["role"] for f in result["files"]} == {"prosody", "meet", "jicofo", "jicofo-legacy", "jigasi"}
        if verb in ("apply", "revert"):
            assert result["restart"] == ["prosody", "jicofo", "jitsi-videobridge2"]
            assert any(f["written"] for f in result["files"])
    status, out, _ = run_cli(capsys, "apply", "--root", str(example), "--json", "--domain", "bad domain")
    assert status == 2 and json.loads(out)["ok"] is False


def test_the_password_never_appears_in_any_output(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    account = ["--jigasi-user", f"jigasi@{EXAMPLE_DOMAIN}", "--jigasi-password-file", str(_password_file(tmp_path))]
    forms = {PASSWORD, escape_value(PASSWORD), json.dumps(PASSWORD)[1:-1], PASSWORD.strip()}
    outputs = []
    for verb in ("check", "plan", "apply", "check", "revert"):
        for extra in ([], ["--json"]):
            outputs.append(run_cli(capsys, verb, "--root", str(example), *account, *extra))
            run_cli(capsys, "revert", "--root", str(example)) if verb == "apply" else None
    written = (example / "etc/jitsi/jigasi/sip-communicator.properties").read_text(encoding=ENCODING)
    assert escape_value(PASSWORD) not in written  # reverted
    for _status, out, err in outputs:
        for form in forms:
            assert form not in out and form not in err
    assert any("PASS=********" in out for _, out, _ in outputs), "the diff shows the password line, masked"


def test_the_password_reaches_the_file_exactly(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    account = ["--jigasi-user", f"jigasi@{EXAMPLE_DOMAIN}", "--jigasi-password-file", str(_password_file(tmp_path))]
    assert run_cli(capsys, "apply", "--root", str(example), *account)[0] == 0
    [result] = java_properties([example / "etc/jitsi/jigasi/sip-communicator.properties"])
    assert result["properties"]["org.jitsi.jigasi.xmpp.acc.PASS"] == PASSWORD


# -- errors: exit 2, one clear line, nothing written ------------------------------------------


def _assert_failed_cleanly(status: int, out: str, err: str, *fragments: str) -> None:
    assert status == 2
    assert "Traceback" not in out + err
    assert err.startswith("jitsi-secure: error: ") or "usage:" in err
    for fragment in fragments:
        assert fragment in err


def test_a_syntax_error_names_file_and_line_and_writes_nothing(
    example: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = example / f"etc/jitsi/meet/{EXAMPLE_DOMAIN}-config.js"
    text = config.read_text()
    config.write_text(text.replace("domain: 'meet.example.com',", "domain: 'meet.example.com',,", 1))
    line = text[: text.index("domain: 'meet.example.com',")].count("\n") + 1
    before = snapshot(example)
    status, out, err = run_cli(capsys, "apply", "--root", str(example))
    _assert_failed_cleanly(status, out, err, f"/etc/jitsi/meet/{EXAMPLE_DOMAIN}-config.js:{line}:")
    assert snapshot(example) == before


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--domain", 'meet.example.com" x'], "is not a host name"),
        (["--domain", "meet..example.com"], "is not a host name"),
        (["--guest-domain", "guest.example.com/x"], "is not a host name"),
        (["--domain", "other.example.com"], "no Prosody host file for other.example.com"),
        (["--jigasi-user", "jigasi@meet.example.com", "--jigasi-password-file", "/nonexistent"], "password file"),
        (["--jigasi-user", "jig asi@meet.example.com", "--jigasi-password-file", "/dev/null"], "Jigasi JID"),
        (["--jigasi-user", "jigasi@meet.example.com"], "go together"),
        (["--prosody-config", "/etc/prosody/missing.cfg.lua"], "does not exist"),
    ],
)
def test_bad_arguments_exit_2_without_writing(
    example: Path, capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str
) -> None:
    before = snapshot(example)
    status, out, err = run_cli(capsys, "apply", "--root", str(example), *argv)
    _assert_failed_cleanly(status, out, err, fragment)
    assert snapshot(example) == before


def test_a_verification_failure_writes_nothing(example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # An unknown module name makes the Lua evaluation fail only after our parser accepted the text.
    host = example / f"etc/prosody/conf.avail/{EXAMPLE_DOMAIN}.cfg.lua"
    host.write_text(host.read_text() + "\nundefined_function_call()\n")
    before = snapshot(example)
    status, out, err = run_cli(capsys, "apply", "--root", str(example))
    _assert_failed_cleanly(status, out, err, f"{EXAMPLE_DOMAIN}.cfg.lua")
    assert snapshot(example) == before


def test_a_table_form_host_is_refused_at_its_header_with_how_to_rewrite_it(
    example: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Prosody reads `VirtualHost "D" { ... }`; the editor does not write into it and says where and what to do.
    host = example / f"etc/prosody/conf.avail/{EXAMPLE_DOMAIN}.cfg.lua"
    text = host.read_text()
    header = f'VirtualHost "{EXAMPLE_DOMAIN}"\n'
    start = text.index(header)
    end = text.index("\nVirtualHost", start + 1) + 1
    host.write_text(
        text[:start] + f'VirtualHost "{EXAMPLE_DOMAIN}" {{ authentication = "jitsi-anonymous" }}\n' + text[end:]
    )
    line = text[:start].count("\n") + 1
    before = snapshot(example)
    status, out, err = run_cli(capsys, "plan", "--root", str(example))
    _assert_failed_cleanly(
        status,
        out,
        err,
        f'{EXAMPLE_DOMAIN}.cfg.lua: line {line}, column 1: VirtualHost "{EXAMPLE_DOMAIN}" takes its options in a table',
        "rewrite the section in the usual form",
    )
    assert snapshot(example) == before


def test_the_domain_is_found_or_the_choices_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = build_example_tree(tmp_path / "root")
    assert Layout.debian(root=root).domain == EXAMPLE_DOMAIN
    (root / "etc/jitsi/meet/other.example.org-config.js").write_text("var config = {};\n")
    (root / "etc/prosody/conf.avail/other.example.org.cfg.lua").write_text('VirtualHost "other.example.org"\n')
    status, out, err = run_cli(capsys, "check", "--root", str(root))
    _assert_failed_cleanly(status, out, err, "meet.example.com, other.example.org", "--domain")
    status, out, err = run_cli(capsys, "check", "--root", str(tmp_path / "empty-does-not-exist"))
    _assert_failed_cleanly(status, out, err, "is not a folder")


def test_a_path_leaving_the_root_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = build_example_tree(tmp_path / "root")
    outside = tmp_path / "outside.js"
    outside.write_text("var config = {};\n")
    meet = root / f"etc/jitsi/meet/{EXAMPLE_DOMAIN}-config.js"
    meet.unlink()
    meet.symlink_to(outside)
    status, out, err = run_cli(capsys, "plan", "--root", str(root))
    _assert_failed_cleanly(status, out, err, "leads outside the root")


def test_the_console_script_runs_without_a_traceback(example: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "jitsi_secure.cli", "check", "--root", str(example), "--domain", "x"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert result.returncode == 2
    assert result.stderr.startswith("jitsi-secure: error: ") and "Traceback" not in result.stderr


# -- the library ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "domain", ["", "localhost", "a b.com", "x.com'", 'x.com"', "../etc", "a..b", "-a.com", "a.com/", "a.com\n", "ä.com"]
)
def test_domains_that_could_inject_text_are_refused(domain: str) -> None:
    with pytest.raises(SpecError):
        SecureDomain(domain)


def test_the_spec_defaults_and_normalises() -> None:
    spec = SecureDomain("Meet.Example.COM")
    assert (spec.domain, spec.guest_domain) == ("meet.example.com", "guest.meet.example.com")
    assert SecureDomain("meet.example.com", guests=False).guest_domain is None
    with pytest.raises(SpecError):
        SecureDomain("meet.example.com", guest_domain="meet.example.com")


def test_a_secret_never_shows_itself() -> None:
    account = JigasiAccount("jigasi@meet.example.com", Secret("hunter2"))
    assert "hunter2" not in repr(account) and "hunter2" not in str(account.password)
    assert account.password.reveal() == "hunter2"


def test_the_plan_is_computed_before_anything_is_written(example: Path) -> None:
    layout = Layout.debian(root=example)
    plan = build_plan(layout, SecureDomain(EXAMPLE_DOMAIN))
    assert {c.role for c in plan.changes} == {"prosody", "meet", "jicofo", "jicofo-legacy"}
    assert [f.setting for f in plan.findings][:1] == ['authentication of "meet.example.com"']
    assert plan.services == ("prosody", "jicofo", "jitsi-videobridge2")


def test_load_picks_the_format_by_name_or_content(tmp_path: Path) -> None:
    from jitsi_secure import load, save
    from jitsi_secure.formats import hocon, js, lua, properties

    root = build_example_tree(tmp_path / "root")
    named = {
        f"etc/prosody/conf.avail/{EXAMPLE_DOMAIN}.cfg.lua": lua.LuaDocument,
        f"etc/jitsi/meet/{EXAMPLE_DOMAIN}-config.js": js.ConfigJsDocument,
        "etc/jitsi/jicofo/jicofo.conf": hocon.HoconDocument,
        "etc/jitsi/jigasi/sip-communicator.properties": properties.PropertiesDocument,
    }
    for relative, kind in named.items():
        document = load(root / relative)
        assert isinstance(document, kind), relative
        # Content sniffing, for files without a telling name.
        anonymous = tmp_path / f"sniffed-{kind.__name__}"
        shutil.copyfile(root / relative, anonymous)
        assert isinstance(load(anonymous), kind), relative
        assert not save(root / relative, document).changed


def test_a_reader_that_stops_early_gets_no_traceback(example: Path) -> None:
    # `jitsi-secure plan --json | head -c 0`: the reading end is closed before the CLI writes a byte
    # (it takes a tenth of a second to start), so its first write meets a broken pipe.
    process = subprocess.Popen(
        [sys.executable, "-m", "jitsi_secure.cli", "plan", "--root", str(example), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr


def test_an_audit_only_plan_cannot_be_applied(example: Path) -> None:
    from jitsi_secure.errors import VerificationError
    from jitsi_secure.secure_domain.plan import apply_plan

    before = snapshot(example)
    plan = build_plan(Layout.debian(root=example), SecureDomain(EXAMPLE_DOMAIN), audit_only=True)
    assert plan.audit_only and plan.findings and not plan.changes
    with pytest.raises(VerificationError, match="audit"):
        apply_plan(plan)
    assert snapshot(example) == before
