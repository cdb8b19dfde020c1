"""``spec_from_options``: one rule for the command line and the Ansible module, each with its own words."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from jitsi_secure._commands import _NAMES as FLAGS
from jitsi_secure.cli import main as cli
from jitsi_secure.secure_domain.options import OptionNames, SpecOptions, spec_from_options
from jitsi_secure.secure_domain.spec import Secret, SpecError

DOMAIN = "meet.example.com"
#: The Ansible module's names (the command line's are ``FLAGS``).
KEYS = OptionNames(flags=False)
KEY_SERVER = "https://keys.example.com"


@pytest.mark.parametrize(
    ("given", "flags", "keys"),
    [
        (
            {"app_id": "my-app"},
            "--app-id, --app-secret-file, --secret-source, --secret-path, --asap-key-server, --jwks-url, "
            "--accepted-issuers, --accepted-audiences, --allow-empty-token and --jicofo-auth go with --auth jwt",
            "app_id, app_secret, secret_source, secret_path, asap_key_server, jwks_url, accepted_issuers, "
            "accepted_audiences, allow_empty_token and jicofo_auth go with auth: jwt",
        ),
        (
            {"auth": "jwt", "app_id": "my-app"},
            "--auth jwt needs --app-id and one of --app-secret-file, --asap-key-server or --jwks-url",
            "auth: jwt needs app_id and one of app_secret, asap_key_server or jwks_url",
        ),
        (
            {"auth": "jwt", "app_id": "a", "asap_key_server": KEY_SERVER, "secret_path": "/x"},
            "--secret-path goes with --secret-source file",
            "secret_path goes with secret_source: file",
        ),
        (
            {"auth": "jwt", "app_id": "a", "asap_key_server": KEY_SERVER, "secret_source": "file"},
            "--secret-source file keeps the app secret in a file: it goes with --app-secret-file",
            "secret_source: file keeps the app secret in a file: it goes with app_secret",
        ),
        (
            {"jigasi_user": f"jigasi@{DOMAIN}"},
            "--jigasi-user and --jigasi-password-file go together",
            "jigasi_user and jigasi_password go together",
        ),
        (
            {"guests": "anonymous", "no_guests": True},
            "--no-guests contradicts --guests anonymous",
            "no_guests contradicts guests: anonymous",
        ),
        (
            {"guests": "none", "guest_domain": f"guest.{DOMAIN}"},
            "--guest-domain names an anonymous guest host; --guests none has none",
            "guest_domain names an anonymous guest host; guests: none has none",
        ),
        (
            {"guests": "token-optional"},
            "--guests token-optional lets clients without a token in: it goes with --auth jwt",
            "guests: token-optional lets clients without a token in: it goes with auth: jwt",
        ),
    ],
)
def test_each_front_end_words_the_same_refusal(given: dict[str, object], flags: str, keys: str) -> None:
    options = SpecOptions(domain=DOMAIN, prosody_version="0.12", **given)  # type: ignore[arg-type]
    for names, message in ((FLAGS, flags), (KEYS, keys)):
        with pytest.raises(SpecError) as raised:
            spec_from_options(options, names=names)
        assert str(raised.value) == message


def _never() -> Secret:
    raise AssertionError("a refused request read a secret")


@pytest.mark.parametrize(
    "given",
    [
        {"secret_path": "/etc/prosody/x"},
        {"jigasi_user": None},
        {"prosody_version": "thirteen"},
        {"guests": "anonymous", "no_guests": True},
    ],
)
def test_a_refused_request_reads_no_secret(given: dict[str, object]) -> None:
    options = SpecOptions(
        domain=DOMAIN,
        auth="jwt",
        app_id="my-app",
        app_secret=_never,
        prosody_version="13",
        jigasi_user=f"jigasi@{DOMAIN}",
        jigasi_password=_never,
    )
    with pytest.raises(SpecError):
        spec_from_options(dataclasses.replace(options, **given), names=FLAGS)  # type: ignore[arg-type]


def test_a_secret_given_or_read_later_makes_the_same_spec() -> None:
    options = SpecOptions(
        domain=DOMAIN,
        auth="jwt",
        app_id="my-app",
        app_secret=Secret("s3cret"),
        secret_source="file",
        prosody_version="13",
        accepted_issuers=("issuer",),
        jigasi_user=f"jigasi@{DOMAIN}",
        jigasi_password=Secret("pw"),
    )
    spec = spec_from_options(options, names=KEYS)
    assert spec.jwt is not None and spec.jwt.secret_file == f"/etc/prosody/certs/{DOMAIN}.app_secret"
    assert spec.jwt.accepted_issuers == ("issuer",) and spec.secrets == ("pw", "s3cret")
    read = dataclasses.replace(options, app_secret=lambda: Secret("s3cret"), jigasi_password=lambda: Secret("pw"))
    assert spec_from_options(read, names=FLAGS) == spec


def test_the_command_line_shows_its_own_wording(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from jitsi_secure.demo import build_example_tree

    root = build_example_tree(tmp_path / "root")
    status = cli(["plan", "--root", str(root), "--app-id", "my-app"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("jitsi-secure: error: --app-id, --app-secret-file, --secret-source")
    assert err.rstrip().endswith("go with --auth jwt")
