"""The deployment as its programs read it, and the access policy `check` judges.

Each tree is laid out the way real deployments are: Debian's main ``prosody.cfg.lua`` ending in
``Include "conf.d/*.cfg.lua"``, ``conf.d`` holding absolute links into ``conf.avail`` (as Debian's
postinst makes them), a guest host in a file of its own (as some installers write it), an older
Jicofo with only its legacy properties.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

from jitsi_secure import policy
from jitsi_secure._root import Root
from jitsi_secure.cli import main as cli_main
from jitsi_secure.demo import EXAMPLE_DOMAIN, build_example_tree
from jitsi_secure.deployment import Origin, Setting, read_deployment
from jitsi_secure.deployment._prosody import read_prosody
from jitsi_secure.errors import ParseError
from jitsi_secure.formats.lua import LuaEvaluationError
from jitsi_secure.secure_domain.layout import Layout
from tests.oracles import corpus_files
from tests.oracles.lua import ProsodyInstall, as_prosody_json, prosody_configs
from tests.trees import MAIN_CONFIG

HOST = f"etc/prosody/conf.avail/{EXAMPLE_DOMAIN}.cfg.lua"
_BOOKKEEPING = ("defined", "component_module", "load_global_modules")
GUEST = f"guest.{EXAMPLE_DOMAIN}"
GUEST_FILE = f"""\
-- written by an installer: the guest host in a file of its own
VirtualHost "{GUEST}"
    authentication = "jitsi-anonymous"
    c2s_require_encryption = false
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli_main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def debian_tree(root: Path, *, absolute_links: bool = True, guest_file: bool = False) -> Path:
    """The example deployment with Debian's main config and ``conf.d`` links (absolute, as Debian makes them)."""
    build_example_tree(root)
    prosody = root / "etc/prosody"
    (prosody / "prosody.cfg.lua").write_text(MAIN_CONFIG)
    link = prosody / f"conf.d/{EXAMPLE_DOMAIN}.cfg.lua"
    link.unlink()
    link.symlink_to(f"/{HOST}" if absolute_links else f"../conf.avail/{EXAMPLE_DOMAIN}.cfg.lua")
    if guest_file:
        (prosody / "conf.avail/guest.cfg.lua").write_text(GUEST_FILE)
        guest_link = prosody / "conf.d/guest.cfg.lua"
        guest_link.symlink_to(
            "/etc/prosody/conf.avail/guest.cfg.lua" if absolute_links else "../conf.avail/guest.cfg.lua"
        )
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every regular file's bytes; the (empty) lock file apply/revert may leave is not part of the tree."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink() and p.name != ".jitsi-secure.lock"
    }


# -- reading ---------------------------------------------------------------------------------------


def test_the_reader_follows_includes_through_absolute_links_inside_the_root(tmp_path: Path) -> None:
    root = debian_tree(tmp_path / "root", guest_file=True)
    deployment = read_deployment(Layout.debian(root=root))
    prosody = deployment.prosody
    assert prosody is not None
    assert prosody.main == "/etc/prosody/prosody.cfg.lua"
    # Prosody's order (an included file before the file including it; a glob's files in the folder's
    # order), each named by the file its conf.d link leads to inside the root: the file to edit.
    assert prosody.files[-1] == "/etc/prosody/prosody.cfg.lua"
    assert set(prosody.files) == {
        "/etc/prosody/prosody.cfg.lua",
        "/etc/prosody/conf.avail/guest.cfg.lua",
        f"/etc/prosody/conf.avail/{EXAMPLE_DOMAIN}.cfg.lua",
    }
    guest = prosody.host(GUEST)
    assert guest is not None and guest.files == ("/etc/prosody/conf.avail/guest.cfg.lua",)
    setting = prosody.get(GUEST, "authentication")
    assert setting is not None and setting.value == "jitsi-anonymous"
    assert setting.origin is not None and (setting.origin.file, setting.origin.line) == (
        "/etc/prosody/conf.avail/guest.cfg.lua",
        3,
    )
    # A host option falls back to the global section, as configmanager does.
    encryption = prosody.get("localhost", "c2s_require_encryption")
    assert encryption is not None and encryption.value is True
    assert encryption.origin is not None and encryption.origin.file == "/etc/prosody/prosody.cfg.lua"


def test_a_tree_without_the_main_config_reads_the_host_file_and_says_so(tmp_path: Path) -> None:
    deployment = read_deployment(Layout.debian(root=build_example_tree(tmp_path / "root")))
    assert deployment.prosody is not None and deployment.prosody.main is None
    assert any("no Prosody main config" in note for note in deployment.notes)


def test_the_reader_agrees_with_prosodys_own_loader_on_a_multi_file_tree(
    tmp_path: Path, prosody: ProsodyInstall
) -> None:
    # Relative links, so Prosody's loader (which knows no root) reads the same files.
    root = debian_tree(tmp_path / "root", absolute_links=False, guest_file=True)
    (root / "etc/prosody/conf.avail/extra.cfg.lua").write_text(
        f'VirtualHost "{EXAMPLE_DOMAIN}"\n    muc_lobby_whitelist = {{ "recorder.{EXAMPLE_DOMAIN}" }}\n'
        'VirtualHost "off.example.com"\n    enabled = false\n'
    )
    (root / "etc/prosody/conf.d/zz-extra.cfg.lua").symlink_to("../conf.avail/extra.cfg.lua")
    main = root / "etc/prosody/prosody.cfg.lua"
    [oracle] = prosody_configs([main], no_include=False, copy=False, major=prosody.major)
    assert oracle["ok"], oracle
    prosody_config = read_deployment(Layout.debian(root=root), prosody_version=prosody.version).prosody
    assert prosody_config is not None
    expected = oracle["config"]
    assert set(prosody_config.hosts) | {"*"} == set(expected)
    assert as_prosody_json(dict(prosody_config.globals)) == expected["*"]
    # The same files, in the same (Prosody's) order; ours named by the file a conf.d link leads to.
    assert [Path(f).name for f in prosody_config.files] == [Path(os.path.realpath(f)).name for f in oracle["files"]]
    for name, host in prosody_config.hosts.items():
        ours: dict[str, Any] = dict(host.options)
        theirs = {
            k: v for k, v in expected[name].items() if k not in ("defined", "component_module", "load_global_modules")
        }
        assert (as_prosody_json(ours) if ours else {}) == theirs, name
    disabled = prosody_config.host("off.example.com")
    assert disabled is not None and not disabled.enabled


# -- check and apply judge the policy -----------------------------------------------------------------


@pytest.mark.parametrize("module", ["jitsi-anonymous", "anonymous"])
def test_a_guest_host_in_its_own_file_is_seen_and_never_defined_twice(
    module: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = debian_tree(tmp_path / "root", guest_file=True)
    guest_file = root / "etc/prosody/conf.avail/guest.cfg.lua"
    # Either anonymous module lets anyone in: the guest host keeps the one it has.
    guest_file.write_text(GUEST_FILE.replace('"jitsi-anonymous"', f'"{module}"'))
    shipped = guest_file.read_text()
    status, out, _ = run(capsys, "check", "--root", str(root))
    assert status == 1
    assert "no live anonymous guest host" not in out
    status, out, err = run(capsys, "apply", "--root", str(root))
    assert status == 0, err
    host_text = (root / HOST).read_text()
    assert f'VirtualHost "{GUEST}"' not in host_text
    assert guest_file.read_text() == shipped  # already as wanted
    assert (root / f"etc/prosody/conf.d/{EXAMPLE_DOMAIN}.cfg.lua").is_symlink()
    status, out, _ = run(capsys, "check", "--root", str(root))
    assert status == 0, out
    # revert takes the guest host away where it is defined.
    status, out, err = run(capsys, "revert", "--root", str(root))
    assert status == 0, err
    assert "VirtualHost" not in (root / "etc/prosody/conf.avail/guest.cfg.lua").read_text()
    deployment = read_deployment(Layout.debian(root=root))
    assert deployment.prosody is not None and deployment.prosody.host(GUEST) is None


@pytest.mark.parametrize(
    "guest_options",
    ['    authentication = "anonymous"\n', '    authentication = "token"\n    allow_empty_token = true\n'],
    ids=["anonymous", "empty-token"],
)
def test_no_guests_removes_a_live_guest_host_that_lets_anyone_in(
    guest_options: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = build_example_tree(tmp_path / "root")
    host = root / HOST
    host.write_text(host.read_text() + f'\nVirtualHost "{GUEST}"\n{guest_options}')
    status, out, _ = run(capsys, "apply", "--root", str(root))
    assert status == 0
    status, out, _ = run(capsys, "check", "--root", str(root), "--no-guests")
    assert status == 1
    assert f"{GUEST} lets anyone in" in out
    status, out, err = run(capsys, "apply", "--root", str(root), "--no-guests")
    assert status == 0, err
    status, out, _ = run(capsys, "check", "--root", str(root), "--no-guests")
    assert status == 0, out
    computed = policy.compute(read_deployment(Layout.debian(root=root)))
    assert computed.guests == ()
    assert computed.announced_guest.value is None


def test_a_shell_file_given_as_jicofo_conf_is_refused_and_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = build_example_tree(tmp_path / "root")
    rc = root / "usr/local/etc/rc.conf.d/jicofo"
    rc.parent.mkdir(parents=True)
    rc.write_text('JICOFO_FLAGS="--host=localhost"\nJICOFO_MAXMEM=3G\n')
    before = snapshot(root)
    for verb in ("check", "apply"):
        status, _out, err = run(capsys, verb, "--root", str(root), "--jicofo-config", "/usr/local/etc/rc.conf.d/jicofo")
        assert status == 2
        assert "not a jicofo.conf" in err and "shell" in err and "Traceback" not in err
    assert snapshot(root) == before


def test_an_older_jicofo_with_only_the_legacy_file_is_secured_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = build_example_tree(tmp_path / "root")
    (root / "etc/jitsi/jicofo/jicofo.conf").unlink()
    legacy = root / "etc/jitsi/jicofo/sip-communicator.properties"
    legacy.write_text("org.jitsi.jicofo.BRIDGE_MUC=JvbBrewery@internal.auth.meet.example.com\n")
    status, out, err = run(capsys, "apply", "--root", str(root))
    assert status == 0, err
    assert f"org.jitsi.jicofo.auth.URL=XMPP:{EXAMPLE_DOMAIN}" in legacy.read_text()
    status, out, _ = run(capsys, "check", "--root", str(root))
    assert status == 0, out
    status, out, err = run(capsys, "revert", "--root", str(root))
    assert status == 0, err
    computed = policy.compute(read_deployment(Layout.debian(root=root)))
    assert computed.jicofo_enabled.value is False


def test_jicofo_includes_are_followed_and_the_later_value_wins(tmp_path: Path) -> None:
    root = build_example_tree(tmp_path / "root", jicofo_legacy=False)
    conf = root / "etc/jitsi/jicofo/jicofo.conf"
    conf.write_text(conf.read_text() + '\ninclude "custom-jicofo.conf"\n')
    (root / "etc/jitsi/jicofo/custom-jicofo.conf").write_text(
        "jicofo.authentication {\n  enabled = true\n  type = XMPP\n  login-url = meet.example.com\n}\n"
    )
    jicofo = read_deployment(Layout.debian(root=root)).jicofo
    assert jicofo is not None
    assert jicofo.enabled.value is True
    assert jicofo.enabled.origin is not None and jicofo.enabled.origin.file == "/etc/jitsi/jicofo/custom-jicofo.conf"
    assert jicofo.files == ("/etc/jitsi/jicofo/jicofo.conf", "/etc/jitsi/jicofo/custom-jicofo.conf")


def test_the_domain_comes_from_the_given_config_js(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = build_example_tree(tmp_path / "root")
    # A second host makes discovery ambiguous; the config.js given names the one meant.
    other = root / "etc/jitsi/meet/other.example.org-config.js"
    other.write_text("var config = { hosts: { domain: 'other.example.org' } };\n")
    (root / "etc/prosody/conf.avail/other.example.org.cfg.lua").write_text('VirtualHost "other.example.org"\n')
    status, _, err = run(capsys, "check", "--root", str(root))
    assert status == 2 and "several Jitsi Meet hosts" in err
    meet = f"/etc/jitsi/meet/{EXAMPLE_DOMAIN}-config.js"
    status, out, err = run(capsys, "check", "--root", str(root), "--meet-config", meet, "--json")
    assert status == 1, err
    assert json.loads(out)["domain"] == EXAMPLE_DOMAIN


def test_the_policy_verb_answers_with_the_deciding_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = debian_tree(tmp_path / "root", guest_file=True)
    status, out, _ = run(capsys, "policy", "--root", str(root), "--json")
    assert status == 0
    body = json.loads(out)
    assert body["main_host"]["login"] == "anonymous"
    assert body["main_host"]["decided_at"] == f"/{HOST}:48"
    assert body["guest_hosts"] == [
        {"name": GUEST, "login": "anonymous", "decided_at": "/etc/prosody/conf.avail/guest.cfg.lua:3"}
    ]
    status, out, _ = run(capsys, "policy", "--root", str(root))
    assert status == 0 and "who logs in to the main host" in out and "anyone (anonymous)" in out


def test_a_plan_whose_result_is_not_the_policy_asked_for_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The main config sets the main host back to anonymous after including the host file: the host
    # file's edit alone cannot secure it, and the final verification sees that.
    root = debian_tree(tmp_path / "root")
    main = root / "etc/prosody/prosody.cfg.lua"
    main.write_text(main.read_text() + f'\nVirtualHost "{EXAMPLE_DOMAIN}"\n    authentication = "anonymous"\n')
    line = main.read_text().count("\n")
    before = snapshot(root)
    status, _out, err = run(capsys, "apply", "--root", str(root))
    assert status == 2
    assert "access policy" in err and f"/etc/prosody/prosody.cfg.lua:{line}" in err
    assert snapshot(root) == before


def test_the_reader_agrees_with_prosodys_loader_on_every_corpus_file(prosody: ProsodyInstall) -> None:
    # Each corpus file as a deployment's main config (Includes followed, as Prosody does; both sides
    # fail where an included file is missing). Short paths: Prosody's duplicate-option warning breaks on
    # paths over 59 characters.
    paths = corpus_files("lua", "*.lua")
    with tempfile.TemporaryDirectory(dir="/tmp", prefix="jsd") as tmp:
        mains = []
        for n, path in enumerate(paths):
            main = Path(tmp) / str(n) / "etc/prosody/prosody.cfg.lua"
            main.parent.mkdir(parents=True)
            shutil.copyfile(path, main)
            mains.append(main)
        oracle = prosody_configs(mains, no_include=False, copy=False, major=prosody.major)
        compared = 0
        for path, main, expected in zip(paths, mains, oracle, strict=True):
            try:
                ours = read_prosody(Root(main.parents[2]), main=main, host_files=[], version=prosody.version, texts={})
            except (LuaEvaluationError, ParseError) as error:
                assert not expected["ok"], (path.name, str(error))
                continue
            assert expected["ok"], (path.name, expected.get("error"))
            config = expected["config"]
            assert set(ours.hosts) | {"*"} == set(config), path.name
            assert as_prosody_json(dict(ours.globals)) == config["*"], path.name
            for name, host in ours.hosts.items():
                theirs = {k: v for k, v in config[name].items() if k not in _BOOKKEEPING}
                assert (as_prosody_json(dict(host.options)) if host.options else {}) == theirs, (path.name, name)
            compared += 1
    assert compared >= 50


def test_options_read_from_a_file_say_which_file(tmp_path: Path) -> None:
    # Prosody 13's file readers: the deployment keeps the value (the loader reads the file) and the path.
    etc = tmp_path / "etc/prosody"
    (etc / "certs").mkdir(parents=True)
    for name in ("a", "b", "c", "d"):
        (etc / "certs" / name).write_text(f"value-{name}\n", encoding="utf-8")
    main = etc / "prosody.cfg.lua"
    main.write_text(
        'app_secret = FileLine "certs/d"\n'
        'VirtualHost "one.example"\n    app_secret = FileContents("/etc/prosody/certs/a")\n'
        "VirtualHost \"two.example\"\n    app_secret = FileContents('certs/../certs/b') -- relative to this file\n"
        'VirtualHost "three.example"\n    app_secret = FileContents("/etc/prosody/certs/c") .. "x"\n'
        'VirtualHost "four.example"\n    app_secret = "FileContents(\\"/etc/prosody/certs/a\\")"\n'
        'VirtualHost "five.example"\n',
        encoding="utf-8",
    )
    config = read_prosody(Root(tmp_path), main=main, host_files=[], version=(13, 0), texts={})
    assert config.get("one.example", "app_secret") == Setting("value-a\n", Origin("/etc/prosody/prosody.cfg.lua", 3))
    assert config.read_from("one.example", "app_secret") == "/etc/prosody/certs/a"
    assert config.read_from("two.example", "app_secret") == "/etc/prosody/certs/b"
    assert config.read_from("three.example", "app_secret") is None  # computed from more than the file
    assert config.read_from("four.example", "app_secret") is None  # a literal string
    assert config.read_from("five.example", "app_secret") == "/etc/prosody/certs/d"  # the global one
    assert config.read_from("five.example", "authentication") is None


def test_the_legacy_login_url_is_placed_at_the_line_java_reads_it_from(tmp_path: Path) -> None:
    root = build_example_tree(tmp_path / "root")
    legacy = root / "etc/jitsi/jicofo/sip-communicator.properties"
    legacy.write_text(
        "# org.jitsi.jicofo.auth.URL=XMPP:commented.example.com\n"
        f"org.jitsi.jicofo.auth.URL=XMPP:{EXAMPLE_DOMAIN}\n"
        # A continuation line of another value that looks like the key: Java reads it as part of that value.
        "org.jitsi.jicofo.BRIDGE_MUC=JvbBrewery@internal.auth.meet.example.com,\\\n"
        "  org.jitsi.jicofo.auth.URL=EXT_JWT:old.example.com\n"
    )
    jicofo = read_deployment(Layout.debian(root=root)).jicofo
    assert jicofo is not None and jicofo.legacy_url is not None
    assert jicofo.legacy_url.value == f"XMPP:{EXAMPLE_DOMAIN}"
    assert jicofo.legacy_url.origin == Origin("/etc/jitsi/jicofo/sip-communicator.properties", 2)


def test_read_jicofo_reads_jicofo_conf_with_or_without_the_legacy_file(tmp_path: Path) -> None:
    from jitsi_secure.deployment import JICOFO_DEFAULTS, read_jicofo

    root = build_example_tree(tmp_path / "root")
    layout = Layout.debian(root=root)
    legacy = root / "etc/jitsi/jicofo/sip-communicator.properties"
    legacy.write_text(f"org.jitsi.jicofo.auth.URL=EXT_JWT:{EXAMPLE_DOMAIN}\n")
    both = read_jicofo(layout)
    assert both == read_deployment(layout).jicofo
    assert both.type.value == "JWT" and both.legacy_url is not None
    alone = read_jicofo(layout, legacy=False)
    assert alone.legacy_url is None and alone.type.value != "JWT"
    assert "/etc/jitsi/jicofo/sip-communicator.properties" not in alone.files
    # Planned texts stand in for the files, as for read_deployment.
    planned = read_jicofo(layout, texts={legacy: f"org.jitsi.jicofo.auth.URL=XMPP:{EXAMPLE_DOMAIN}\n"})
    assert planned.type.value == "XMPP"
    assert alone.auto_login == JICOFO_DEFAULTS["auto_login"]
    with pytest.raises(TypeError):
        JICOFO_DEFAULTS["auto_login"] = Setting(False)  # type: ignore[index]
