"""Masking diff lines by the key's name: every literal secret goes, Prosody 13's file readers stay.

The literal spellings come from the formats themselves (``secret_spellings``: each quoting a format's
editor writes), so a new spelling there is covered here without a new case.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jitsi_secure.formats import dotenv, hocon, js, lua, properties
from jitsi_secure.secure_domain._masking import MASK, mask_secret_looking

_KEYS = [
    "app_secret",
    "JWT_APP_SECRET",
    "org.jitsi.jigasi.xmpp.acc.PASS",
    "password",
    '"secret"',
    "turncredentials_secret",
]
_SEPARATORS = ["=", " = ", ": ", "\t=\t"]
_SHOWN = [
    'FileContents("/etc/prosody/certs/meet.example.com.app_secret")',
    "FileContents('/etc/prosody/certs/x')",
    'FileContents "/etc/prosody/certs/x";',
    'FileContents ( "/x" ),',
    'FileLine("/run/secrets/jwt")',
    'FileLines("/x")',
    'Credential("jwt-secret")',
]


@pytest.mark.parametrize("value", _SHOWN)
def test_a_prosody_file_reader_shows_its_path(value: str) -> None:
    for line in (f"+app_secret = {value}\n", f"-    app_secret={value}\r\n", f" --app_secret = {value}\n"):
        assert mask_secret_looking(line, lua=True) == line


@pytest.mark.parametrize("value", _SHOWN)
def test_outside_a_prosody_file_the_same_text_is_a_literal_secret(value: str) -> None:
    # In a .env file `JWT_APP_SECRET=FileContents("/x")` is the secret itself, quotes and all.
    assert mask_secret_looking(f"+JWT_APP_SECRET={value}\n") == f"+JWT_APP_SECRET={MASK}\n"


@pytest.mark.parametrize(
    "value",
    [
        'FileContents("/p") .. "s3cret"',  # a concatenation
        '"s3cret" -- FileContents("/p")',  # a comment that only looks like the reader
        'FileContents("/p") -- s3cret',  # a comment after it
        'FileContents("/p" .. "s3cret")',
        'FileContents("/p\\"s3cret")',  # an escape: the string is not plain
        "FileContents([[s3cret]])",  # long brackets are not taken apart
        'FileContents(s3cret, "/p")',
        'MyFileContents("s3cret")',
        's3cret FileContents("/p")',
    ],
)
def test_anything_more_than_one_reader_call_is_masked(value: str) -> None:
    assert mask_secret_looking(f"+app_secret = {value}\n", lua=True) == f"+app_secret = {MASK}\n"


@given(
    st.text(st.characters(exclude_characters="\r\n"), min_size=1, max_size=20).filter(lambda s: s.strip() == s),
    st.sampled_from(_KEYS),
    st.sampled_from(_SEPARATORS),
    st.sampled_from(["+", "-", " "]),
)
def test_a_literal_secret_is_masked_in_every_spelling(secret: str, key: str, separator: str, side: str) -> None:
    # A Prosody config spells a secret as Lua does; any other file in any spelling of any format.
    other = {secret}.union(*(f.secret_spellings(secret) for f in (dotenv, hocon, js, properties)))
    for lua_file, spellings in ((True, lua.secret_spellings(secret)), (False, other | lua.secret_spellings(secret))):
        for spelling in spellings:
            line = f"{side}{key}{separator}{spelling}\n"
            assert mask_secret_looking(line, lua=lua_file) == f"{side}{key}{separator}{MASK}\n", line


def test_a_located_error_of_any_kind_keeps_its_kind_and_position_with_the_secret_masked() -> None:
    from jitsi_secure.secure_domain._masking import masked_error

    line = 'url = "s3cret-pw" ${MISSING}'
    error = hocon.ResolveError.at(line, line.index("${"), "could not resolve ${MISSING}", source="/etc/j.conf")
    masked = masked_error(error, ("s3cret-pw",))
    assert type(masked) is hocon.ResolveError
    assert "s3cret-pw" not in str(masked)
    assert (masked.source, masked.line) == ("/etc/j.conf", 1)
    # The caret still stands under the ${ once the secret before it is masked.
    assert masked.excerpt[masked.column - 1 :].startswith("${")
