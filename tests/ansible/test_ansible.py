"""The Ansible collection (``ansible/ansible_collections/jitsi/secure``), run by a real ``ansible-playbook``.

One playbook (``connection: local`` on example Debian trees under a temporary folder) runs every step,
because each ``ansible-playbook`` start costs seconds; the tests then judge what it registered and
left on disk against the command line run on identical trees. ``ansible-core`` is a test dependency:
without it the tests skip with a reason, except in CI where they fail.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from jitsi_secure.accounts import account_file, scram_credentials
from jitsi_secure.cli import main as cli
from jitsi_secure.demo import EXAMPLE_DOMAIN, build_example_tree
from jitsi_secure.secure_domain.spec import Secret, SpecError
from tests.ansible.collection import COLLECTIONS, REPO, load_module
from tests.doctor.doctor_trees import HOST_FILE, secured_tree
from tests.oracles import missing, require_module

# Characters that properties files escape (':' '=' '\\') so the masking of every spelling is exercised.
JIGASI_PASSWORD = r"Jig-s3cret:pa=ss\word"
APP_SECRET = "jwt-app-Secret-4711"
USER_PASSWORDS = ("alice-first-pw", "alice-second-pw")
SECRETS = (JIGASI_PASSWORD, APP_SECRET, *USER_PASSWORDS)
JIGASI = ["--jigasi-user", f"jigasi@{EXAMPLE_DOMAIN}"]


def _ansible_playbook() -> Path:
    """The ``ansible-playbook`` of the Python running the tests (the modules import jitsi_secure from it)."""
    require_module("ansible", "pip install 'ansible-core>=2.15'")
    program = Path(sys.executable).parent / "ansible-playbook"
    if not program.exists():
        found = shutil.which("ansible-playbook")
        if found is None:
            missing("ansible-playbook is not installed (pip install 'ansible-core>=2.15')")
        program = Path(str(found))
    return program


def _secure(root: Path, **options: Any) -> dict[str, Any]:
    return {"jitsi.secure.secure_domain": {"root": str(root), **options}}


def _user(root: Path, **options: Any) -> dict[str, Any]:
    return {"jitsi.secure.prosody_user": {"root": str(root), "offline": True, **options}}


def _copy(source: Path, target: Path) -> dict[str, Any]:
    # cp -a keeps the conf.d symlink a symlink, so the snapshot is the tree as the module left it.
    return {"ansible.builtin.command": {"argv": ["cp", "-a", str(source), str(target)]}, "changed_when": False}


def _slurp(path: Path) -> dict[str, Any]:
    return {"ansible.builtin.slurp": {"src": str(path)}}


def _doctor(root: Path, **options: Any) -> dict[str, Any]:
    return {"jitsi.secure.doctor": {"root": str(root), **options}}


class Run:
    """The one playbook run and the trees it worked on."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.main = build_example_tree(_folder(base / "main"))
        self.jwt = build_example_tree(_folder(base / "jwt"))
        self.broken = build_example_tree(_folder(base / "broken"))
        conf = self.broken / "etc/jitsi/jicofo/jicofo.conf"
        conf.write_text(conf.read_text() + "\njicofo { unclosed: [\n")
        self.empty = _folder(base / "empty")
        self.accounts = build_example_tree(_folder(base / "accounts"))
        (self.accounts / "var/lib/prosody").mkdir(parents=True)
        self.original = _tree(self.main)
        self.jwt_original = _tree(self.jwt)
        self.ctl_tree = build_example_tree(_folder(base / "prosodyctl-tree"))
        (self.ctl_tree / "var/lib/prosody").mkdir(parents=True)
        self.hosts: list[str] = []
        self.account = account_file(self.accounts / "var/lib/prosody", "alice", EXAMPLE_DOMAIN)
        self.prosodyctl = [str(base / "prosodyctl"), "--config", "/etc/prosody/prosody.cfg.lua"]
        (base / "prosodyctl").write_text(
            f'#!/bin/sh\necho "$*" >> {base}/prosodyctl.args\ncat >> {base}/prosodyctl.stdin\n'
        )
        (base / "prosodyctl").chmod(0o755)
        self.no_library = _folder(base / "no-library" / "jitsi_secure").parent
        # A secured tree whose plugin folder lacks the modules jitsi-meet deleted: removed-module warnings
        # and the breakout-admins-missing info, all fixable in the host file. The command line examines
        # and fixes an identical copy (the tree's generated secrets differ from one secured_tree to another).
        self.doctor = secured_tree(_folder(base / "doctor"), (0, 12))
        (self.doctor / "usr/share/jitsi-meet/prosody-plugins").mkdir(parents=True)
        self.doctor_cli = shutil.copytree(self.doctor, base / "doctor-cli", symlinks=True)
        self.doctor_original = _tree(self.doctor)
        (self.no_library / "jitsi_secure/__init__.py").write_text('raise ImportError("not installed here")\n')
        self.results: dict[str, Any] = {}
        self.stdout = ""

    def play(self) -> list[dict[str, Any]]:
        """Four independent step lists, one per local "host", run side by side (``strategy: free``)."""
        jigasi = {"jigasi_user": f"jigasi@{EXAMPLE_DOMAIN}", "jigasi_password": JIGASI_PASSWORD}
        first, second = USER_PASSWORDS
        jwt = _secure(self.jwt, auth="jwt", app_id="my-app", app_secret=APP_SECRET)
        ctl = {"offline": False, "prosodyctl": self.prosodyctl}
        hosts: dict[str, list[tuple[str, dict[str, Any]]]] = {
            "secure": [
                ("check", {**_secure(self.main, **jigasi), "check_mode": True, "diff": True}),
                ("", _copy(self.main, self.base / "after-check")),
                ("apply", {**_secure(self.main, **jigasi), "diff": True}),
                ("", _copy(self.main, self.base / "after-apply")),
                ("again", _secure(self.main, **jigasi)),
                ("revert", {**_secure(self.main, state="absent", backup=True), "diff": True}),
            ],
            # The doctor's steps follow the failures on one host: a host more costs more than the steps.
            "failures_and_doctor": [
                ("jwt", {**jwt, "check_mode": True, "diff": True}),
                ("broken", {**_secure(self.broken), "ignore_errors": True}),
                ("empty", {**_secure(self.empty), "ignore_errors": True}),
                # A host without the library: a jitsi_secure that cannot be imported shadows the installed one.
                (
                    "no_library",
                    {**_secure(self.jwt), "environment": {"PYTHONPATH": str(self.no_library)}, "ignore_errors": True},
                ),
                # On the jwt tree, which no step writes (the failures' test checks that it is unchanged). No
                # missing-root step: the root is read by the layout code secure_domain shares (see "empty").
                ("doctor_bad_version", {**_doctor(self.jwt, prosody_version="latest"), "ignore_errors": True}),
                # Ansible's argument spec refuses it before the module runs.
                ("doctor_bad_fix", {**_doctor(self.jwt, fix="sometimes"), "ignore_errors": True}),
                # No prosody_version: the default (0.12 for a root other than /), as on the command line. The
                # fix's backup is the host file as the steps before it left it (no snapshot task: ~0.5 s each).
                ("doctor_find", {**_doctor(self.doctor), "diff": True}),
                ("doctor_check", {**_doctor(self.doctor, fix=True), "check_mode": True, "diff": True}),
                ("doctor_fix", _doctor(self.doctor, fix=True, backup=True)),
                ("doctor_again", _doctor(self.doctor, fix=True)),
            ],
            "accounts": [
                ("add", _user(self.accounts, user="Alice", password=first)),
                ("add_file", _slurp(self.account)),
                ("add_again", _user(self.accounts, user="alice", password=first)),
                ("on_create", _user(self.accounts, user="alice", password=second, update_password="on_create")),
                ("always_check", {**_user(self.accounts, user="alice", password=second), "check_mode": True}),
                ("unchanged_file", _slurp(self.account)),
                ("always_set", _user(self.accounts, user="alice", password=second)),
                ("always_file", _slurp(self.account)),
                ("always_again", _user(self.accounts, user="alice", password=second)),
                ("remove_check", {**_user(self.accounts, user="alice", state="absent"), "check_mode": True}),
                ("remove", _user(self.accounts, user="alice", state="absent")),
                ("remove_again", _user(self.accounts, user="alice", state="absent")),
                ("bad_user", {**_user(self.accounts, user="a b", password=first), "ignore_errors": True}),
            ],
            # Through prosodyctl (a stand-in that logs its arguments and input), deciding from the data folder.
            "prosodyctl": [
                ("ctl_add", _user(self.ctl_tree, **ctl, user="carol", password=first)),
                ("ctl_absent", _user(self.ctl_tree, **ctl, user="carol", state="absent")),
                ("dave", _user(self.ctl_tree, user="dave", password=first)),
                ("ctl_same", _user(self.ctl_tree, **ctl, user="dave", password=first)),
                ("ctl_passwd", _user(self.ctl_tree, **ctl, user="dave", password=second)),
            ],
        }
        # Each host includes only its own task file: a task skipped by a `when` still costs a worker process.
        for host, steps in hosts.items():
            tasks = [{**task, **({"register": name} if name else {})} for name, task in steps]
            registered = {name: "{{ %s }}" % name for name, _ in steps if name}  # noqa: UP031 (Jinja)
            dest = str(self.base / f"results-{host}.json")
            tasks.append(
                {
                    "ansible.builtin.copy": {"content": "{{ results | to_json }}", "dest": dest},
                    "vars": {"results": registered},
                }
            )
            (self.base / f"tasks-{host}.yml").write_text(json.dumps(tasks, indent=2))  # JSON is YAML
        self.hosts = list(hosts)
        include = {"ansible.builtin.include_tasks": f"{self.base}/tasks-{{{{ inventory_hostname }}}}.yml"}
        return [{"hosts": "all", "strategy": "free", "gather_facts": False, "tasks": [include]}]

    def run(self, program: Path) -> None:
        playbook = self.base / "playbook.yml"
        playbook.write_text(json.dumps(self.play(), indent=2))  # JSON is YAML
        local = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}
        inventory = self.base / "inventory.json"
        inventory.write_text(json.dumps({"all": {"hosts": dict.fromkeys(self.hosts, local)}}))
        env = {
            **os.environ,
            "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS),
            "ANSIBLE_HOME": str(self.base / "ansible-home"),
            "ANSIBLE_LOCAL_TEMP": str(self.base / "ansible-tmp"),
            "ANSIBLE_REMOTE_TEMP": str(self.base / "ansible-tmp"),
            "ANSIBLE_CONFIG": str(self.base / "no-ansible.cfg"),
            "ANSIBLE_NOCOLOR": "1",
            # One process per task instead of copying each module to a temporary folder first.
            "ANSIBLE_PIPELINING": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_LOCALHOST_WARNING": "0",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        }
        env.pop("JITSI_SECURE_DEBUG", None)
        completed = subprocess.run(
            [str(program), "-i", str(inventory), "--forks", str(len(self.hosts)), str(playbook)],
            cwd=self.base,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        self.stdout = completed.stdout + completed.stderr
        assert completed.returncode == 0, self.stdout
        for host in self.hosts:
            self.results.update(json.loads((self.base / f"results-{host}.json").read_text()))


def _folder(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


def _tree(root: Path) -> dict[str, bytes | str]:
    """Every file's bytes (a symlink's target) under ``root``, by relative path."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[rel] = os.readlink(path)
        elif path.is_file():
            found[rel] = path.read_bytes()
    return found


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli(list(argv))
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    program = _ansible_playbook()
    played = Run(tmp_path_factory.mktemp("ansible"))
    played.run(program)
    return played


@pytest.fixture(scope="module")
def cli_tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """An identical tree secured and then reverted by the command line: (tree, after apply, after revert)."""
    base = tmp_path_factory.mktemp("cli")
    root = build_example_tree(_folder(base / "main"))
    password = base / "jigasi-password"
    password.write_text(JIGASI_PASSWORD + "\n")
    assert _cli("apply", "--root", str(root), *JIGASI, "--jigasi-password-file", str(password))[0] == 0
    shutil.copytree(root, base / "after-apply", symlinks=True)
    assert _cli("revert", "--root", str(root), "--backup")[0] == 0
    return root, base / "after-apply", root


# ---------------------------------------------------------------------------------------- secure_domain


def test_check_mode_reports_changed_and_writes_nothing(run: Run) -> None:
    check = run.results["check"]
    assert check["changed"] is True
    assert _tree(run.base / "after-check") == run.original
    assert check["services"] == ["prosody", "jicofo", "jitsi-videobridge2", "jigasi"]
    assert len(check["files"]) == 5
    assert check["findings"], "check mode lists what is not as wanted"


def test_apply_writes_the_same_bytes_as_the_command_line(run: Run, cli_tree: tuple[Path, Path, Path]) -> None:
    apply = run.results["apply"]
    assert apply["changed"] is True
    assert apply["services"] == ["prosody", "jicofo", "jitsi-videobridge2", "jigasi"]
    after = _tree(run.base / "after-apply")
    assert after != run.original
    assert after == _tree(cli_tree[1])


def test_a_second_run_changes_nothing(run: Run) -> None:
    for name in ("again",):
        assert run.results[name]["changed"] is False, name
        assert run.results[name]["services"] == [], name
        assert run.results[name]["files"] == [], name


def test_state_absent_reverts_as_the_command_line(run: Run, cli_tree: tuple[Path, Path, Path]) -> None:
    revert = run.results["revert"]
    assert revert["changed"] is True
    assert "jicofo" in revert["services"]
    assert _tree(run.main) == _tree(cli_tree[2])  # the .bak copies included
    # The Jigasi password the revert deleted stays in the backup: the module says so, never the password.
    [warning] = [w for w in revert.get("warnings", []) if ".bak still holds the secret" in w]
    assert "sip-communicator.properties.bak" in warning and JIGASI_PASSWORD not in warning


def test_diffs_are_unified_and_hold_no_secret(run: Run) -> None:
    diffs = [d["prepared"] for name in ("check", "apply", "jwt") for d in run.results[name]["diff"]]
    assert len(run.results["check"]["diff"]) == 5
    text = "\n".join(diffs)
    assert '+    authentication = "internal_hashed" -- do not delete me' in text
    # The library's mask, not Ansible's no_log replacement: the diff never held the secret.
    assert "+org.jitsi.jigasi.xmpp.acc.PASS=********" in text
    assert 'app_secret = "********"' in text or "app_secret=********" in text.replace(" ", "")
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" not in text
    for secret in SECRETS:
        assert secret not in run.stdout
        assert secret not in json.dumps(run.results)
    assert "+++ b/etc/jitsi/jicofo/jicofo.conf" in run.stdout, "--diff output shows the diffs"


def test_failures_give_the_command_lines_message_without_a_traceback(run: Run) -> None:
    same_as = {
        "broken": ("apply", "--root", str(run.broken)),
        "empty": ("apply", "--root", str(run.empty)),
        "doctor_bad_version": ("doctor", "--root", str(run.jwt), "--prosody-version", "latest"),
    }
    for name, argv in same_as.items():
        result = run.results[name]
        status, _, err = _cli(*argv)
        assert status == 2, name
        assert result["failed"] is True
        assert f"jitsi-secure: error: {result['msg']}\n" == err
        # ansible-core 2.19 adds "(traceback unavailable)" by itself; a real traceback never appears.
        assert "Traceback" not in str(result.get("exception", ""))
        assert "module_stderr" not in result
    assert _tree(run.jwt) == run.jwt_original, "the failures wrote nothing"
    assert "Traceback" not in run.stdout


# ---------------------------------------------------------------------------------------- doctor


@pytest.fixture(scope="module")
def cli_doctor(run: Run) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """``jitsi-secure doctor --json`` on the identical copy of the doctor tree: as found, with ``--fix
    --dry-run``, and with ``--fix --backup`` (which leaves the fixed copy on disk)."""
    where = ("doctor", "--json", "--root", str(run.doctor_cli))
    found, dry, fixed = (_cli(*where, *more) for more in ((), ("--fix", "--dry-run"), ("--fix", "--backup")))
    assert (found[0], dry[0], fixed[0]) == (1, 1, 0), "warnings before the fix, none after it"
    return json.loads(found[1]), json.loads(dry[1]), json.loads(fixed[1])


def _ids(result: dict[str, Any]) -> set[str]:
    return {finding["id"] for finding in result["findings"]}


def test_doctor_lists_the_command_lines_findings_and_changes_nothing(
    run: Run, cli_doctor: tuple[dict[str, Any], ...]
) -> None:
    find = run.results["doctor_find"]
    assert find["changed"] is False
    assert (find["files"], find["services"]) == ([], [])
    assert "diff" not in find, "nothing to fix was asked: no diff even in diff mode"
    assert {"removed-module", "breakout-admins-missing"} <= _ids(find)
    assert find["findings"] == cli_doctor[0]["findings"]


def test_doctor_fix_in_check_mode_shows_the_command_lines_diff_and_writes_nothing(
    run: Run, cli_doctor: tuple[dict[str, Any], ...]
) -> None:
    check = run.results["doctor_check"]
    assert check["changed"] is True
    assert check["files"] == [HOST_FILE]
    assert "prosody" in check["services"]
    assert check["findings"] == cli_doctor[0]["findings"], "check mode reports the findings as they are"
    diffs = [(d["before_header"], d["after_header"], d["prepared"]) for d in check["diff"]]
    assert diffs == [(f["path"], f["path"], f["diff"]) for f in cli_doctor[1]["fix"]["files"]]
    [(_, _, diff)] = diffs
    assert diff.startswith(f"--- a{HOST_FILE}\n+++ b{HOST_FILE}\n@@ ")
    assert '+    admins = { "focus@auth.meet.example.com" }\n' in diff
    assert f'-Component "speakerstats.{EXAMPLE_DOMAIN}" "speakerstats_component"\n' in diff
    assert f'-Component "speakerstats.{EXAMPLE_DOMAIN}" "speakerstats_component"' in run.stdout, "--diff shows it"
    # Neither it nor the plain run before it wrote the host file: the fix after them backed up the original
    # (the fix's test checks that every other file is still the original).
    rel = HOST_FILE.lstrip("/")
    assert _tree(run.doctor)[f"{rel}.bak"] == run.doctor_original[rel]


def test_doctor_fix_writes_the_command_lines_bytes_and_a_second_run_changes_nothing(
    run: Run, cli_doctor: tuple[dict[str, Any], ...]
) -> None:
    fix, again, by_cli = run.results["doctor_fix"], run.results["doctor_again"], cli_doctor[2]
    assert fix["changed"] is True
    assert fix["files"] == [f["path"] for f in by_cli["fix"]["files"] if f["written"]] == [HOST_FILE]
    assert fix["services"] == by_cli["fix"]["restart"]
    assert "diff" not in fix
    assert not {"removed-module", "breakout-admins-missing"} & _ids(fix), "the findings after the fix"
    assert fix["findings"] == by_cli["findings"]
    after = _tree(run.doctor)
    assert after == _tree(run.doctor_cli), "the same bytes as doctor --fix --backup, the .bak file included"
    rel = HOST_FILE.lstrip("/")
    assert after[rel] != run.doctor_original[rel]
    assert {path: data for path, data in after.items() if path not in (rel, f"{rel}.bak")} == {
        path: data for path, data in run.doctor_original.items() if path != rel
    }, "only the host file changed"
    assert again["changed"] is False
    assert (again["files"], again["services"]) == ([], [])
    assert again["findings"] == fix["findings"]


def test_doctor_options_are_checked_by_ansible(run: Run) -> None:
    """A value the argument spec refuses fails in Ansible itself, before the module's work starts."""
    result = run.results["doctor_bad_fix"]
    assert result["failed"] is True
    assert result["msg"].startswith("argument 'fix' is of type str and we were unable to convert to bool")
    assert "Traceback" not in str(result.get("exception", ""))


# ---------------------------------------------------------------------------------------- prosody_user


def _keys_match(content: str, password: str) -> bool:
    text = __import__("base64").b64decode(content).decode()
    fields = dict(re.findall(r'\["(\w+)"\] = "?([^";]*)"?;', text))
    again = scram_credentials(Secret(password), salt=fields["salt"], iteration_count=int(fields["iteration_count"]))
    return again.stored_key == fields["stored_key"] and again.server_key == fields["server_key"]


def test_prosody_user_adds_once(run: Run) -> None:
    add = run.results["add"]
    assert add["changed"] is True
    assert (add["action"], add["user"], add["jid"]) == ("added", "alice", f"alice@{EXAMPLE_DOMAIN}")
    assert _keys_match(run.results["add_file"]["content"], USER_PASSWORDS[0])
    assert run.results["add_again"]["changed"] is False


def test_prosody_user_update_password_on_create_vs_always(run: Run) -> None:
    assert run.results["on_create"]["changed"] is False
    assert run.results["always_check"]["changed"] is True
    assert run.results["always_check"]["action"] == "password_updated"
    # Neither on_create nor check mode touched the account file.
    assert run.results["unchanged_file"]["content"] == run.results["add_file"]["content"]
    assert run.results["always_set"]["changed"] is True
    assert _keys_match(run.results["always_file"]["content"], USER_PASSWORDS[1])
    assert run.results["always_again"]["changed"] is False


def test_prosody_user_absent(run: Run) -> None:
    assert run.results["remove_check"]["changed"] is True
    assert run.results["remove"]["changed"] is True
    assert run.results["remove_again"]["changed"] is False
    assert not run.account.exists()


def test_prosody_user_failure_is_the_librarys_message(run: Run) -> None:
    result = run.results["bad_user"]
    assert result["failed"] is True
    assert result["msg"].startswith("the user name 'a b' contains a character XMPP does not allow")


# ---------------------------------------------------------------------------------------- documentation


MODULE_NAMES = ("secure_domain", "doctor", "prosody_user")
#: The documentation fragment of the modules that read a whole deployment, and the options it documents.
FRAGMENT = "jitsi.secure.deployment"
FRAGMENT_OPTIONS = {"root", "domain"}


@pytest.fixture(scope="module")
def ansible_doc() -> dict[str, Any]:
    """``ansible-doc --json`` of every module: Ansible's own reading of their documentation, fragments merged."""
    program = _ansible_playbook().with_name("ansible-doc")
    modules = [f"jitsi.secure.{name}" for name in MODULE_NAMES]
    completed = subprocess.run(
        [str(program), "--json", "-t", "module", *modules],
        env={**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS), "ANSIBLE_NOCOLOR": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert not completed.stderr.strip(), completed.stderr
    docs: dict[str, Any] = json.loads(completed.stdout)
    return docs


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_documented_options_are_the_argument_spec(
    name: str, ansible_doc: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What ``ansible-test sanity --test validate-modules`` checks first (it cannot install its tools offline)."""
    import yaml

    module = load_module(name, monkeypatch)
    entry = ansible_doc[f"jitsi.secure.{name}"]
    documented = entry["doc"]["options"]
    assert entry["doc"]["module"] == name
    assert yaml.safe_load(entry["examples"]), "EXAMPLES is YAML with tasks"
    assert entry["return"], "RETURN documents the results"
    arguments = module.argument_spec()
    assert set(documented) == set(arguments)
    for option, argument in arguments.items():
        doc = documented[option]
        assert doc.get("type", "str") == argument.get("type", "str"), option
        assert doc.get("default") == argument.get("default"), option
        assert doc.get("choices") == argument.get("choices"), option
        assert doc.get("required", False) == argument.get("required", False), option
        assert doc.get("elements") == argument.get("elements"), option
        # Every secret is no_log, and says so.
        if argument.get("no_log"):
            assert "never logged" in " ".join(doc["description"]), option


@pytest.mark.parametrize("name", ["secure_domain", "doctor"])
def test_shared_options_are_documented_once_in_the_fragment(
    name: str, ansible_doc: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The options both deployment modules take are written in the fragment only, and reach both."""
    import yaml

    own = yaml.safe_load(load_module(name, monkeypatch).DOCUMENTATION)
    assert FRAGMENT in own["extends_documentation_fragment"]
    assert not FRAGMENT_OPTIONS & set(own["options"]), "documented in the module and in the fragment"
    merged = ansible_doc[f"jitsi.secure.{name}"]["doc"]
    assert set(merged["options"]) >= FRAGMENT_OPTIONS
    assert merged["attributes"]["check_mode"]["support"] == merged["attributes"]["diff_mode"]["support"] == "full"
    assert any("jitsi-secure" in requirement for requirement in merged["requirements"])


def test_the_how_to_uses_only_documented_options(ansible_doc: dict[str, Any]) -> None:
    """docs/ansible.md's playbooks parse, and every option they give a jitsi.secure module exists."""
    import yaml

    page = (REPO / "docs/ansible.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```yaml\n(.*?)^```", page, re.MULTILINE | re.DOTALL)
    used = 0
    for block in blocks:
        for task in _tasks(yaml.safe_load(block)):
            for name in set(task) & set(ansible_doc):
                unknown = set(task[name]) - set(ansible_doc[name]["doc"]["options"])
                assert not unknown, f"docs/ansible.md gives {name} unknown options {sorted(unknown)}"
                used += 1
    assert used >= 5, "docs/ansible.md lost its module examples"


def _tasks(data: Any) -> list[dict[str, Any]]:
    """Every task of a YAML block: a play's tasks and handlers, or a bare task list or task."""
    found: list[dict[str, Any]] = []
    for item in data if isinstance(data, list) else [data]:
        if not isinstance(item, dict):
            continue
        if "tasks" in item or "handlers" in item:
            found += _tasks(item.get("tasks", [])) + _tasks(item.get("handlers", []))
        else:
            found.append(item)
    return found


def test_a_host_without_the_library_fails_cleanly(run: Run) -> None:
    result = run.results["no_library"]
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to import the required Python library (jitsi-secure)")


def test_prosody_user_through_prosodyctl(run: Run) -> None:
    """adduser and passwd get the password on standard input only; the data folder decides what runs."""
    first, second = USER_PASSWORDS
    assert run.results["ctl_add"]["action"] == "added"
    assert run.results["ctl_add"]["method"] == "prosodyctl"
    assert run.results["ctl_absent"]["changed"] is False, "no account file: nothing to remove"
    assert run.results["ctl_same"]["changed"] is False, "the stored keys match: no passwd"
    assert run.results["ctl_passwd"]["action"] == "password_updated"
    calls = (run.base / "prosodyctl.args").read_text().splitlines()
    config = "--config /etc/prosody/prosody.cfg.lua"
    assert calls == [f"{config} adduser carol@{EXAMPLE_DOMAIN}", f"{config} passwd dave@{EXAMPLE_DOMAIN}"]
    assert (run.base / "prosodyctl.stdin").read_text() == f"{first}\n{first}\n{second}\n{second}\n"


def test_secret_source_file_is_the_command_lines_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """``secret_source: file`` gives the spec the command line's ``--secret-source file`` gives."""
    module = load_module("secure_domain", monkeypatch)
    params = {name: argument.get("default") for name, argument in module.argument_spec().items()}
    params.update(auth="jwt", app_id="my-app", app_secret=APP_SECRET, secret_source="file", prosody_version="13")
    made = module.spec_from(params, "meet.example.com")
    assert made.jwt.secret_file == "/etc/prosody/certs/meet.example.com.app_secret"
    made = module.spec_from({**params, "secret_path": "/etc/prosody/jwt.secret"}, "meet.example.com")
    assert made.jwt.secret_file == "/etc/prosody/jwt.secret"
    with pytest.raises(SpecError, match=r"needs Prosody 13\.0 or newer"):
        module.spec_from({**params, "prosody_version": "0.12"}, "meet.example.com")
    with pytest.raises(SpecError, match="secret_path goes with secret_source: file"):
        module.spec_from({**params, "secret_source": "config", "secret_path": "/x"}, "meet.example.com")
    # As on the command line, a token option without tokens is refused rather than ignored.
    with pytest.raises(SpecError, match="go with auth: jwt"):
        module.spec_from({**params, "auth": "internal", "app_id": None, "app_secret": None}, "meet.example.com")
