"""Setting a computed Lua value (``Computed``): one Lua expression written verbatim, judged by Prosody 13.

What the document promises: the text lands as the option's whole value, reads back as the same
``Computed``, setting it again changes nothing, and anything that is not exactly one expression is an
``EditError`` with the document unchanged. Prosody 13's own configmanager then reads the value through
the file it names.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jitsi_secure.errors import EditError
from jitsi_secure.formats import Computed, lua
from tests.oracles.lua import prosody_configs

HOST = 'VirtualHost "meet.example.com"\n    authentication = "token" -- keep me\n    app_secret = "s3cret"\n'


def test_a_computed_value_is_written_verbatim_and_reads_back() -> None:
    value = Computed('FileContents("/etc/prosody/certs/meet.example.com.app_secret")')
    document = lua.parse(HOST).set(("meet.example.com", "app_secret"), value)
    assert document.render() == HOST.replace('"s3cret"', value.text)
    assert document.get(("meet.example.com", "app_secret")) == value
    assert document.set(("meet.example.com", "app_secret"), value) is document


def test_a_computed_value_uncomments_debians_example_in_place() -> None:
    text = 'VirtualHost "meet.example.com"\n    --app_secret="example_app_secret"\n'
    document = lua.parse(text).set(("meet.example.com", "app_secret"), Computed('FileContents("/s")'))
    assert document.render() == 'VirtualHost "meet.example.com"\n    app_secret=FileContents("/s")\n'


@pytest.mark.parametrize(
    "text",
    ["f() -- a comment", "a, b", 'f() g = "x"', " f()", "f() ", "", "f(", "x = 1", "--[[ ]] f()", "f()\ng = 1"],
)
def test_anything_but_one_expression_is_refused(text: str) -> None:
    document = lua.parse(HOST)
    with pytest.raises(EditError, match="one Lua expression"):
        document.set(("meet.example.com", "app_secret"), Computed(text))
    assert document.render() == HOST


def test_a_computed_value_inside_a_table_is_refused() -> None:
    document = lua.parse("t = { a = 1 }\n")
    with pytest.raises(EditError, match="whole option"):
        document.set(("*", "t", "a"), Computed("f()"))


@given(st.text(alphabet='abf()"., -=\n[]{}0123456789+', max_size=12))
def test_an_accepted_expression_is_exactly_the_options_value(text: str) -> None:
    document = lua.parse(HOST)
    try:
        edited = document.set(("meet.example.com", "app_secret"), Computed(text))
    except EditError:
        return
    assert edited.get(("meet.example.com", "app_secret")) == Computed(text)
    assert edited.get(("meet.example.com", "authentication")) == "token"
    # HOST holds '"s3cret"' once; the other way round, a short expression ("a") would match elsewhere.
    assert edited.render() == HOST.replace('"s3cret"', text)


def test_prosody_13_reads_the_secret_through_file_contents(tmp_path: Path) -> None:
    secret = tmp_path / "app_secret"
    secret.write_bytes(b"tok3n-s3cret")
    value = Computed(f'FileContents("{secret}")')
    config = tmp_path / "host.cfg.lua"
    config.write_text(lua.parse(HOST).set(("meet.example.com", "app_secret"), value).render(), encoding="utf-8")
    [result] = prosody_configs([config], major="13", copy=False)
    assert result["ok"], result
    assert result["config"]["meet.example.com"]["app_secret"] == "tok3n-s3cret"
