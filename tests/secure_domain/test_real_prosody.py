"""Proof on a real server: a Debian Prosody running the host file ``jitsi-secure apply`` produced.

For each Prosody major (0.12 from Debian, 13 unpacked from bookworm-backports, see ``tests/oracles/lua.py``)
and each way of creating an account (``prosodyctl adduser`` and the offline account file, the latter
with SCRAM-SHA-1 and with SHA-256), a Debian template from the corpus is secured with the CLI
(``--prosody-version`` given as the major), a real Prosody is started on 127.0.0.1 from a temporary
folder, and real XMPP logins (slixmpp) show:

* the registered user logs in on the main domain with the right password (SCRAM), a wrong one is refused;
* an anonymous login on the guest domain succeeds, on the main domain it is refused;
* on 13, the main domain does not offer OAUTHBEARER or DIGEST-MD5 (which 13 offers by default: without
  the ``disable_sasl_mechanisms`` line ``apply`` writes, the same server offers OAUTHBEARER again);
* after ``jitsi-secure revert``, an anonymous login on the main domain works again.

Prosody 13's ``prosodyctl adduser``/``deluser`` go through the running server's admin shell, so the
server runs (with ``admin_shell``) before accounts are made, for both majors.

``prosodyctl check config`` runs before ``apply``, after it and after ``revert``: exit code and output
must be the same each time (Jitsi's template has known findings, so "no new problem" is the bar).

Only the *test's* top-level config is adapted to a sandbox (ports, data_path, pidfile, run_as_root, no
listeners but c2s); the host file is the product's output, included as Debian's prosody.cfg.lua does.
Missing Jitsi plugins and certificate files only make Prosody log errors. The server is always stopped
by its pid, also when a test fails.
"""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from jitsi_secure.accounts import path_encode, set_password
from jitsi_secure.cli import main as cli
from jitsi_secure.demo import EXAMPLE_DOMAIN, build_example_tree
from jitsi_secure.secure_domain.spec import Secret
from tests.oracles import corpus_dir
from tests.oracles.lua import ProsodyInstall
from tests.xmpp_client import login

DOMAIN = EXAMPLE_DOMAIN
GUEST = f"guest.{DOMAIN}"
TEMPLATE = "jitsi-meet_prosody.cfg.lua-jvb.example_2021-12_32aa40b.lua"
TEMPLATE_DOMAIN = "jitmeet.example.com"
USER = "alice"
#: Non-ASCII and a space: the password must reach Prosody intact, through a pipe or a file.
PASSWORD = "correct hörse bättery 🐎"
DATA_PATH = "/var/lib/prosody"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ProsodyServer:
    """One sandboxed Prosody: its top config includes the deployment's host file from the tree."""

    def __init__(self, base: Path, root: Path, install: ProsodyInstall) -> None:
        self.base = base
        self.root = root
        self.install = install
        self.port = _free_port()
        self.config = base / "prosody.cfg.lua"
        self.log = base / "prosody.log"
        self.process: subprocess.Popen[bytes] | None = None
        (base / "certs").mkdir()  # silences "Error indexing certificate directory"
        data = root / DATA_PATH.lstrip("/")
        data.mkdir(parents=True, exist_ok=True)
        self.config.write_text(
            f"""-- sandbox for tests: everything under {base}
data_path = "{data}"
pidfile = "{base}/prosody.pid"
run_as_root = true -- CI runs as root; without it Prosody refuses to start (and hangs)
interfaces = {{ "127.0.0.1" }}
c2s_ports = {{ {self.port} }}
c2s_direct_tls_ports = {{ }}
legacy_ssl_ports = {{ }}
s2s_ports = {{ }}
component_ports = {{ }}
http_ports = {{ }}
https_ports = {{ }}
modules_enabled = {{ "roster"; "saslauth"; "tls"; "disco"; "ping"; "posix"; "admin_shell" }}
modules_disabled = {{ "s2s" }}
log = {{ info = "{self.log}" }}
storage = "internal"
c2s_require_encryption = false

Include "{root}/etc/prosody/conf.d/*.cfg.lua"
""",
            encoding="utf-8",
        )

    def prosodyctl(self) -> list[str]:
        """The command prefix that runs prosodyctl on this config (global options before the command)."""
        return [*self.install.prosodyctl, "--config", str(self.config)]

    def check_config(self) -> tuple[int, str]:
        """``prosodyctl check config``: exit code and output, its lines sorted (13 lists some findings in
        the order of a Lua hash table, which changes from run to run)."""
        done = subprocess.run(
            [*self.prosodyctl(), "check", "config"], capture_output=True, text=True, timeout=60, check=False
        )
        return done.returncode, "\n".join(sorted((done.stdout + done.stderr).splitlines()))

    def start(self) -> None:
        assert self.process is None
        command = [*self.install.prosody, "--config", str(self.config), "-F"]
        with open(self.base / "stdout.log", "ab") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=out)
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(f"Prosody did not listen on {self.port}:\n{self.log_tail()}")
                time.sleep(0.02)

    def stop(self) -> None:
        """Terminate the server by its pid and wait for it (SIGKILL if it does not go within 10 s)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_tail(self) -> str:
        text = "".join(p.read_text(errors="replace") for p in (self.log, self.base / "stdout.log") if p.exists())
        return text[-4000:]


@pytest.fixture
def deployment(tmp_path: Path, prosody: ProsodyInstall) -> Iterator[tuple[Path, ProsodyServer]]:
    """A Debian tree whose Prosody host file is the 2021 Debian template, and a (stopped) server of the
    test's Prosody major for it."""
    template = corpus_dir("lua") / TEMPLATE
    root = build_example_tree(tmp_path / "root")
    host_file = root / f"etc/prosody/conf.avail/{DOMAIN}.cfg.lua"
    host_file.write_text(template.read_text(encoding="utf-8").replace(TEMPLATE_DOMAIN, DOMAIN), encoding="utf-8")
    server = ProsodyServer(tmp_path, root, prosody)
    try:
        yield root, server
    finally:
        server.stop()


def _jitsi_secure(*argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI as its own process, so the password really travels through a pipe."""
    return subprocess.run(
        [sys.executable, "-m", "jitsi_secure.cli", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def _assert_login(result: object, expected: bool, what: str, server: ProsodyServer) -> None:
    ok = getattr(result, "ok", None)
    refused = getattr(result, "refused", None)
    assert ok if expected else refused, f"{what}: {result}\n--- prosody log ---\n{server.log_tail()}"


@pytest.mark.parametrize(
    ("method", "password_hash"),
    [("prosodyctl", "SHA-1"), ("offline", "SHA-1"), ("offline", "SHA-256")],
)
def test_secured_domain_on_a_real_prosody(
    deployment: tuple[Path, ProsodyServer], method: str, password_hash: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root, server = deployment
    version = ["--prosody-version", server.install.major]  # "13": the bare major the CLI accepts
    host_file = root / f"etc/prosody/conf.avail/{DOMAIN}.cfg.lua"
    if password_hash != "SHA-1":
        # The offline writer must follow the host's password_hash, as Prosody will when checking it.
        text = host_file.read_text(encoding="utf-8")
        header = f'VirtualHost "{DOMAIN}"\n'
        assert header in text
        host_file.write_text(text.replace(header, f'{header}    password_hash = "{password_hash}"\n'), encoding="utf-8")

    before = server.check_config()
    assert before[0] != 1, before[1]  # it parses (Jitsi's template has known findings: exit 2)

    assert cli(["apply", "--root", str(root), *version]) == 0
    assert server.check_config() == before, "apply introduced a new prosodyctl check finding"

    server.start()  # 13's prosodyctl adduser asks the running server
    if method == "prosodyctl":
        prefix = " ".join(server.prosodyctl())
        added = _jitsi_secure("user", "add", USER, "--root", str(root), "--prosodyctl", prefix, stdin=PASSWORD + "\n")
    else:
        added = _jitsi_secure("user", "add", USER, "--root", str(root), "--offline", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert PASSWORD not in added.stdout + added.stderr
    account = root / DATA_PATH.lstrip("/") / path_encode(DOMAIN) / "accounts" / f"{USER}.dat"
    assert account.is_file()
    # The file is Prosody's Lua table, with keys of the host's hash (40 hex digits for SHA-1, 64 for SHA-256).
    key_length = 40 if password_hash == "SHA-1" else 64
    assert re.search(rf'^\t\["stored_key"\] = "[0-9a-f]{{{key_length}}}";$', account.read_text(), re.MULTILINE)

    capsys.readouterr()
    assert cli(["user", "list", "--root", str(root)]) == 0
    assert capsys.readouterr().out == f"{USER}\n"

    mech = f"SCRAM-{password_hash}"
    right = login(f"{USER}@{DOMAIN}", PASSWORD, port=server.port)
    _assert_login(right, True, "the registered user with the right password", server)
    assert right.mech_used == mech, right
    assert right.bound_jid and right.bound_jid.startswith(f"{USER}@{DOMAIN}/")
    if server.install.version >= (13, 0):
        assert mech in right.mechanisms_offered
        assert not {"OAUTHBEARER", "DIGEST-MD5"} & set(right.mechanisms_offered), right.mechanisms_offered
    _assert_login(login(f"{USER}@{DOMAIN}", PASSWORD + "x", port=server.port), False, "a wrong password", server)
    guest = login(GUEST, mech="ANONYMOUS", port=server.port)
    _assert_login(guest, True, "anonymous on the guest domain", server)
    assert guest.bound_jid and guest.bound_jid.split("/")[0].endswith(f"@{GUEST}")
    main_anonymous = login(DOMAIN, mech="ANONYMOUS", force_mech=True, port=server.port)
    _assert_login(main_anonymous, False, "anonymous on the main domain", server)
    assert "ANONYMOUS" not in main_anonymous.mechanisms_offered

    if server.install.version >= (13, 0):
        # The control: it is apply's line that hides OAUTHBEARER, 13 offers it otherwise.
        secured = host_file.read_text(encoding="utf-8")
        without = re.sub(r"^[ \t]*disable_sasl_mechanisms = .*\n", "", secured, count=1, flags=re.MULTILINE)
        assert without != secured
        host_file.write_text(without, encoding="utf-8")
        server.restart()
        offered = login(f"{USER}@{DOMAIN}", PASSWORD, port=server.port).mechanisms_offered
        assert "OAUTHBEARER" in offered, offered
        host_file.write_text(secured, encoding="utf-8")

    assert cli(["revert", "--root", str(root), *version]) == 0
    assert server.check_config() == before, "revert left a prosodyctl check finding behind"
    server.restart()
    reverted = login(DOMAIN, mech="ANONYMOUS", port=server.port)
    _assert_login(reverted, True, "anonymous on the main domain after revert", server)
    server.stop()


def test_duplicate_and_missing_accounts_through_prosodyctl(
    deployment: tuple[Path, ProsodyServer], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """prosodyctl's own answers become clear errors (exit 2, one line, no password); the password change
    goes through prosodyctl too and the new password logs in."""
    root, server = deployment
    assert cli(["apply", "--root", str(root), "--prosody-version", server.install.major]) == 0
    prefix = ["--root", str(root), "--prosodyctl", " ".join(server.prosodyctl())]

    def user(*argv: str, stdin: str = "") -> tuple[int, str]:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode()), encoding="utf-8"))
        capsys.readouterr()
        status = cli(["user", *argv, *prefix])
        return status, capsys.readouterr().err

    if server.install.version >= (13, 0):
        # 13's prosodyctl adduser needs the running server: a clear error, not prosodyctl's.
        status, err = user("add", "bob", stdin="pw one\n")
        assert status == 2 and "needs the running Prosody" in err and "--offline" in err, err
    server.start()
    assert user("add", "Bob", stdin="pw one\n") == (0, "")
    assert user("add", "bob", stdin="pw one\n") == (2, f"jitsi-secure: error: user bob@{DOMAIN} already exists\n")
    set_password("bob", DOMAIN, Secret("pw two"), prosodyctl=server.prosodyctl())  # the library's passwd
    _assert_login(login(f"bob@{DOMAIN}", "pw two", port=server.port), True, "bob with the new password", server)
    assert user("remove", "BOB") == (0, "")
    assert user("remove", "bob") == (2, f"jitsi-secure: error: user bob@{DOMAIN} does not exist\n")


def test_no_guests_shuts_a_guest_host_defined_in_its_own_file(deployment: tuple[Path, ProsodyServer]) -> None:
    # As some installers write it: the anonymous guest host in a conf.d file of its own. `--no-guests`
    # must find it there, and the real server must then refuse anonymous logins on it.
    root, server = deployment
    version = ["--prosody-version", server.install.major]
    avail = root / "etc/prosody/conf.avail/guest.cfg.lua"
    avail.write_text(f'VirtualHost "{GUEST}"\n    authentication = "anonymous"\n    c2s_require_encryption = false\n')
    (root / "etc/prosody/conf.d/guest.cfg.lua").symlink_to("../conf.avail/guest.cfg.lua")
    assert cli(["apply", "--root", str(root), *version]) == 0
    assert f'VirtualHost "{GUEST}"' not in (root / f"etc/prosody/conf.avail/{DOMAIN}.cfg.lua").read_text()
    server.start()
    _assert_login(login(GUEST, mech="ANONYMOUS", port=server.port), True, "anonymous on the guest file's host", server)

    assert cli(["check", "--root", str(root), "--no-guests", *version]) == 1
    assert cli(["apply", "--root", str(root), "--no-guests", *version]) == 0
    assert cli(["check", "--root", str(root), "--no-guests", *version]) == 0
    assert "VirtualHost" not in avail.read_text()
    server.restart()
    after = login(GUEST, mech="ANONYMOUS", port=server.port)
    assert not after.ok, f"anonymous login on {GUEST} after --no-guests: {after}\n{server.log_tail()}"
    _assert_login(
        login(DOMAIN, mech="ANONYMOUS", force_mech=True, port=server.port), False, "anonymous on main", server
    )
    server.stop()
