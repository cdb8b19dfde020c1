"""docker-jitsi-meet: the Secure Domain change lands in .env, judged by python-dotenv.

Docker Compose itself is not on the test machines (no engine, no compose plugin), so python-dotenv,
an independent reader of the same format, judges the result on every env.example release.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from dotenv import dotenv_values

from jitsi_secure.cli import main
from tests.oracles import corpus_files

SECRET = 'tok"en secret $HOME #x end'
SETTINGS = {"ENABLE_AUTH": "1", "ENABLE_GUESTS": "1", "AUTH_TYPE": "internal"}


def read(path: Path) -> dict[str, str | None]:
    return dict(dotenv_values(stream=io.StringIO(path.read_text(encoding="utf-8")), interpolate=False))


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def env_examples() -> list[Path]:
    return corpus_files("dotenv", "*.env")


@pytest.mark.parametrize(
    "example", ["head", "stable-10710", "stable-9457", "stable-7648-2", "stable-5765-1", "stable-3508"]
)
def test_internal_auth_through_env(example: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    [source] = [p for p in env_examples() if p.stem.endswith(example)]
    env = tmp_path / ".env"
    shutil.copyfile(source, env)
    before = read(env)
    args = ["--layout", "docker", "--env-file", str(env)]
    status, out, err = cli(capsys, "apply", *args)
    assert status == 0, err
    assert "docker compose up -d" in out
    after = read(env)
    assert after == {**before, **SETTINGS}
    # Commented-out examples are uncommented in place; only settings an old release lacks are added.
    missing_examples = [key for key in SETTINGS if f"#{key}=" not in source.read_text()]
    assert env.read_bytes().count(b"\n") == source.read_bytes().count(b"\n") + len(missing_examples)
    mtime = env.stat().st_mtime_ns
    assert cli(capsys, "apply", *args)[1].startswith("Nothing to change")
    assert env.stat().st_mtime_ns == mtime
    assert cli(capsys, "check", *args)[0] == 0
    assert cli(capsys, "revert", *args)[0] == 0
    assert read(env) == before
    assert cli(capsys, "check", *args)[0] == 1


def test_jwt_through_env_keeps_the_secret_out_of_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    [source] = [p for p in env_examples() if p.stem.endswith("head")]
    env = tmp_path / ".env"
    shutil.copyfile(source, env)
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET + "\n")
    args = ["--layout", "docker", "--env-file", str(env), "--auth", "jwt", "--app-id", "my_app"]
    args += ["--app-secret-file", str(secret_file), "--jicofo-auth", "off"]
    outputs = [cli(capsys, verb, *args, *extra) for verb in ("plan", "apply", "check") for extra in ([], ["--json"])]
    values = read(env)
    assert values["AUTH_TYPE"] == "jwt" and values["JWT_APP_ID"] == "my_app"
    assert values["JWT_APP_SECRET"] == SECRET
    assert values["JICOFO_ENABLE_AUTH"] == "0"
    # Revert without the secret's flags: the old secret must still not show in the diff.
    outputs.append(cli(capsys, "revert", "--layout", "docker", "--env-file", str(env), "--json"))
    assert "JWT_APP_SECRET" not in read(env)
    assert SECRET.split(maxsplit=1)[0] not in env.read_text(), "the secret is deleted, not left in a comment"
    for _, out, err in outputs:
        for form in (SECRET, json.dumps(SECRET)[1:-1], 'tok"en', "$HOME #x"):
            assert form not in out + err


def test_docker_options_are_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env = tmp_path / ".env"
    env.write_text("XMPP_DOMAIN=meet.example.org\n")
    status, _, err = cli(capsys, "plan", "--layout", "docker")
    assert status == 2 and "--env-file" in err
    status, _, err = cli(capsys, "plan", "--layout", "docker", "--env-file", str(env), "--domain", "other.example.org")
    assert status == 2 and "differs from the .env file's XMPP domain meet.example.org" in err
    status, _, err = cli(capsys, "plan", "--env-file", str(env))
    assert status == 2 and "goes with --layout docker" in err
    status, _out, _ = cli(capsys, "apply", "--layout", "docker", "--env-file", str(env))
    assert status == 0
    assert read(env) == {"XMPP_DOMAIN": "meet.example.org", **SETTINGS}


def test_a_secret_no_reader_agrees_on_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A value with ', $ and \\ needs double quotes and escapes that python-dotenv reads differently
    # from compose: rather than write something one reader misreads, the edit is refused.
    env = tmp_path / ".env"
    env.write_text("#JWT_APP_SECRET=x\n")
    secret_file = tmp_path / "secret"
    secret_file.write_text("it's $HOME \\\\ x\n")
    argv = ["apply", "--layout", "docker", "--env-file", str(env), "--auth", "jwt", "--app-id", "a"]
    for verb in ("plan", "apply"):
        status, out, err = cli(capsys, verb, *argv[1:], "--app-secret-file", str(secret_file))
        assert status == 2 and "$HOME" not in out + err and "it's" not in out + err
        # The cause and what to do, not a verification failure.
        assert "the JWT app secret cannot be written to .env so that Docker Compose and python-dotenv" in err
        assert "independent reader" not in err
        assert "Choose a secret without that combination" in err and "--app-secret-file" in err
    assert env.read_text() == "#JWT_APP_SECRET=x\n"


@pytest.mark.parametrize("secret", ["it's $ 1 \\ x $.", "$HOME and ${X}", "back\\slash $1"])
def test_a_secret_with_quotes_dollars_or_backslashes_the_readers_agree_on_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], secret: str
) -> None:
    # Only the combination both readers cannot agree on is refused: a $ Compose would substitute,
    # in a value single quotes cannot hold. These go in single quotes, or in double quotes without \$.
    env = tmp_path / ".env"
    env.write_text("#JWT_APP_SECRET=x\n")
    secret_file = tmp_path / "secret"
    secret_file.write_text(secret + "\n")
    argv = ["apply", "--layout", "docker", "--env-file", str(env), "--auth", "jwt", "--app-id", "a"]
    status, _, err = cli(capsys, *argv, "--app-secret-file", str(secret_file))
    assert status == 0, err
    assert read(env)["JWT_APP_SECRET"] == secret


@pytest.mark.parametrize(("value", "kept"), [("0", True), ("false", True), ("1", False), ("true", False)])
def test_jwt_keeps_an_explicit_jwt_allow_empty_false(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, kept: bool
) -> None:
    env = tmp_path / ".env"
    env.write_text(f"XMPP_DOMAIN=meet.example.org\nJWT_ALLOW_EMPTY={value}\n")
    secret_file = tmp_path / "secret"
    secret_file.write_text("s3cret\n")
    args = ["--layout", "docker", "--env-file", str(env), "--auth", "jwt", "--app-id", "a"]
    args += ["--app-secret-file", str(secret_file)]
    assert cli(capsys, "apply", *args)[0] == 0
    assert read(env).get("JWT_ALLOW_EMPTY") == (value if kept else None)
    assert cli(capsys, "check", *args)[0] == 0
