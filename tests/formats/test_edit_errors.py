"""Every refused edit names its file and never the value (values may be secrets), in all five formats;
values no file can hold (lone surrogates, a NUL in ``.env``) are refused at edit time, and the writer
turns text its encoding cannot hold into a ``WriteError`` with nothing written.

Each case below provokes one kind of refusal through a document's public edit calls. The values carry
``SECRET`` (or a number, a type) that must not appear in the message.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import jitsi_secure
from jitsi_secure import EditError, WriteError
from jitsi_secure.formats import REMOVE, CommentOut, Computed, dotenv, hocon, js, lua, properties

SECRET = "SECRET-7f3a"
#: Text a secret may hold that no file can: a lone surrogate (not an undecodable byte's).
LONE = SECRET + "\ud800"
BIG = 2**70


@dataclasses.dataclass(frozen=True)
class Refusal:
    """``edit(parse(text, source=source))`` must raise an ``EditError`` that does not mention ``value``."""

    text: str
    source: str
    edit: Callable[[Any], object]
    value: str
    parse: Callable[..., Any]


def _properties(text: str, edit: Callable[[Any], object], value: str) -> Refusal:
    return Refusal(text, "/etc/jitsi/jicofo/sip-communicator.properties", edit, value, properties.parse)


def _dotenv(text: str, edit: Callable[[Any], object], value: str) -> Refusal:
    return Refusal(text, "/srv/jitsi/.env", edit, value, dotenv.parse)


def _hocon(text: str, edit: Callable[[Any], object], value: str) -> Refusal:
    return Refusal(text, "/etc/jitsi/jicofo/jicofo.conf", edit, value, hocon.parse)


def _lua(text: str, edit: Callable[[Any], object], value: str) -> Refusal:
    return Refusal(text, "/etc/prosody/conf.d/meet.cfg.lua", edit, value, lua.parse)


def _js(text: str, edit: Callable[[Any], object], value: str) -> Refusal:
    return Refusal(text, "/etc/jitsi/meet/meet-config.js", edit, value, js.parse)


def _cycle() -> list[object]:
    cycle: list[object] = [SECRET]
    cycle.append(cycle)
    return cycle


HOST = 'VirtualHost "meet.example.com"\n    app_secret = "old"\n'
CONFIG = "var config = {\n    a: 1,\n    made: f(),\n    hosts: { domain: 'x' },\n};\nif (x) { config.late = 2; }\n"

REFUSALS = {
    # .properties
    "properties value not a string": _properties("a=1\n", lambda d: d.set("a", 987654321), "987654321"),
    "properties key not a string": _properties("a=1\n", lambda d: d.edit({7: SECRET}), SECRET),
    "properties placeholder not a string": _properties(
        "a=1\n", lambda d: d.edit({"a": CommentOut(987654321)}), "987654321"
    ),
    # .env
    "dotenv bad key": _dotenv("A=1\n", lambda d: d.set("A B", SECRET), SECRET),
    "dotenv value not a string": _dotenv("A=1\n", lambda d: d.set("A", 987654321), "987654321"),
    "dotenv lone surrogate": _dotenv("A=1\n", lambda d: d.set("A", LONE), SECRET),
    "dotenv lone surrogate placeholder": _dotenv("A=1\n", lambda d: d.edit({"A": CommentOut(LONE)}), SECRET),
    "dotenv NUL": _dotenv("A=1\n", lambda d: d.set("B", SECRET + "\0x"), SECRET),
    # HOCON
    "hocon substitution": _hocon("a = ${b}\nb { c = 1 }\n", lambda d: d.set("a.x", SECRET), SECRET),
    "hocon NaN": _hocon("a = 1\n", lambda d: d.set("a", math.nan), "nan"),
    "hocon big integer": _hocon("a = 1\n", lambda d: d.set("a", BIG), str(BIG)),
    "hocon key not a string": _hocon("a = 1\n", lambda d: d.set("a", {987654321: SECRET}), "987654321"),
    "hocon type": _hocon("a = 1\n", lambda d: d.set("a", {SECRET}), SECRET),
    "hocon bad path": _hocon("a = 1\n", lambda d: d.set("a..b", SECRET), SECRET),
    "hocon lone surrogate": _hocon("a = 1\n", lambda d: d.set("a", [LONE]), SECRET),
    "hocon set then remove": _hocon("a = 1\n", lambda d: d.edit({"b": SECRET, ("b",): REMOVE}), SECRET),
    # Prosody Lua
    "lua big integer": _lua("a = 1\n", lambda d: d.set(("*", "a"), BIG), str(BIG)),
    "lua infinity": _lua("a = 1\n", lambda d: d.set(("*", "a"), -math.inf), "-inf"),
    "lua key not a string": _lua("a = 1\n", lambda d: d.set(("*", "a"), {987654321: SECRET}), "987654321"),
    "lua type": _lua("a = 1\n", lambda d: d.set(("*", "a"), {SECRET}), SECRET),
    "lua cycle": _lua("a = 1\n", lambda d: d.set(("*", "a"), _cycle()), SECRET),
    "lua cycle in a new section": _lua(
        "a = 1\n", lambda d: d.add_section("VirtualHost", "x", {"a": {"b": _cycle()}}), SECRET
    ),
    "hocon cycle": _hocon("a = 1\n", lambda d: d.set("a", {"b": _cycle()}), SECRET),
    "js cycle": _js(CONFIG, lambda d: d.set("a", {"b": _cycle()}), SECRET),
    "lua lone surrogate": _lua(HOST, lambda d: d.set(("meet.example.com", "app_secret"), LONE), SECRET),
    "lua computed not one expression": _lua(
        HOST, lambda d: d.set(("meet.example.com", "app_secret"), Computed(f'"{SECRET}" g = 1')), SECRET
    ),
    "lua computed in a table": _lua("t = { a = 1 }\n", lambda d: d.set(("*", "t", "a"), Computed(SECRET)), SECRET),
    "lua no section": _lua("a = 1\n", lambda d: d.set(("nohost", "a"), SECRET), SECRET),
    "lua section table": _lua('VirtualHost "x" { a = 1 }\n', lambda d: d.set(("x", "a"), SECRET), SECRET),
    "lua multiple assignment": _lua("a, b = 1, 2\n", lambda d: d.set(("*", "a"), SECRET), SECRET),
    "lua not a name": _lua("a = 1\n", lambda d: d.set(("*", "not a name"), SECRET), SECRET),
    "lua section exists": _lua(HOST, lambda d: d.add_section("VirtualHost", "meet.example.com", {"a": SECRET}), SECRET),
    # config.js
    "js __proto__ path": _js(CONFIG, lambda d: d.set("__proto__", SECRET), SECRET),
    "js nested __proto__ path": _js(CONFIG, lambda d: d.set("hosts.__proto__", SECRET), SECRET),
    "js __proto__ key": _js(CONFIG, lambda d: d.set("hosts", {"__proto__": SECRET}), SECRET),
    "js big integer": _js(CONFIG, lambda d: d.set("a", BIG), str(BIG)),
    "js NaN": _js(CONFIG, lambda d: d.set("a", math.nan), "nan"),
    "js type": _js(CONFIG, lambda d: d.set("a", {SECRET}), SECRET),
    "js computed": _js(CONFIG, lambda d: d.set("made.x", SECRET), SECRET),
    "js not an object": _js(CONFIG, lambda d: d.set("a.x", SECRET), SECRET),
    "js written by code": _js(CONFIG, lambda d: d.set("late", SECRET), SECRET),
    "js opaque root": _js("var config = make();\n", lambda d: d.set("a", SECRET), SECRET),
    "js bad path": _js(CONFIG, lambda d: d.set("", SECRET), SECRET),
}


@pytest.mark.parametrize("case", REFUSALS.values(), ids=REFUSALS.keys())
def test_a_refused_edit_names_the_file_and_not_the_value(case: Refusal) -> None:
    document = case.parse(case.text, source=case.source)
    with pytest.raises(EditError) as caught:
        case.edit(document)
    message = str(caught.value)
    assert message.startswith(case.source + ": "), message
    assert case.value not in message, message
    assert SECRET not in message, message
    assert caught.value.source == case.source
    assert document.render() == case.text


def test_an_error_named_already_is_not_named_twice() -> None:
    error = EditError("set a: no", source="x.conf")
    assert str(error) == "x.conf: set a: no"
    assert str(error.with_source("y.conf")) == "y.conf: set a: no"
    # Lua's set goes through edit: both wear the naming, the message still has one file name.
    with pytest.raises(EditError) as caught:
        lua.parse("a = 1\n", source="p.lua").set(("*", "a"), BIG)
    assert str(caught.value).count("p.lua") == 1


def test_constructor_and_prototype_are_ordinary_config_js_keys() -> None:
    # Only __proto__ is special in an object literal; the other Object.prototype names are own keys there.
    document = js.parse(CONFIG).set("constructor", 1).set("hosts.prototype", 2)
    assert document.get("constructor") == 1
    assert document.get("hosts.prototype") == 2


# -- what files can hold ---------------------------------------------------------------------------

#: Text with lone surrogates and undecodable bytes' surrogates among ordinary characters.
SURROGATE_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
        st.sampled_from("a $'\"#\\\n"),
    ),
    max_size=8,
)


def _lone(value: str) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF and not 0xDC80 <= ord(c) <= 0xDCFF for c in value)


@pytest.mark.parametrize(("parse", "text", "path"), [(dotenv.parse, "A=1\n", "A"), (hocon.parse, "a = 1\n", "a")])
@given(value=SURROGATE_TEXT)
def test_only_what_no_file_can_hold_is_refused(parse: Callable[..., Any], text: str, path: str, value: str) -> None:
    document = parse(text)
    if _lone(value):
        with pytest.raises(EditError, match="lone surrogate"):
            document.set(path, value)
        return
    # Undecodable bytes (U+DC80 to U+DCFF) round-trip: written back as the bytes they were read from.
    data = document.set(path, value).render().encode("utf-8", "surrogateescape")
    assert parse(data.decode("utf-8", "surrogateescape")).get(path) == value


def test_a_nul_in_a_dotenv_value_is_refused_but_one_in_the_file_is_kept() -> None:
    # Compose reads a NUL, but no process environment can hold one: the edit is refused...
    with pytest.raises(EditError, match="NUL"):
        dotenv.parse("A=1\n").set("A", "x\0y")
    # ...while a file that has one still reads and round-trips, byte for byte.
    document = dotenv.parse("A=x\0y\nB=1\n")
    assert document.get("A") == "x\0y"
    assert document.set("B", "2").render() == "A=x\0y\nB=2\n"


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        (hocon.parse, "a = 1\n# \ud800"),
        (lua.parse, "a = 1\n--\ud800"),
        (js.parse, "var config = {a: 1};\n//\ud800"),
        (dotenv.parse, "A=1\n# \ud800"),
    ],
    ids=["hocon", "lua", "js", "dotenv"],
)
def test_save_turns_an_unencodable_text_into_a_write_error(
    parse: Callable[..., Any], text: str, tmp_path: Path
) -> None:
    path = tmp_path / "file"
    path.write_text("old\n", encoding="utf-8")
    # A document parsed from such a text (no edit writes one): the writer is the last line of defence.
    document = parse(text + SECRET + "\n", source=str(path))
    with pytest.raises(WriteError) as caught:
        jitsi_secure.save(path, document)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "line 2, column 3 " in message, message
    assert SECRET not in message
    assert path.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


@pytest.mark.parametrize(
    ("parse", "text", "path"),
    [
        (properties.parse, "a=1\n", 7),
        (dotenv.parse, "A=1\n", 7),
        (hocon.parse, "a = 1\n", "a..b"),
        (lua.parse, "a = 1\n", 7),
        (js.parse, "var config = {a: 1};\n", ""),
    ],
    ids=["properties", "dotenv", "hocon", "lua", "js"],
)
def test_get_with_a_path_that_is_not_one_names_the_file(parse: Callable[..., Any], text: str, path: object) -> None:
    with pytest.raises(EditError, match=r"^/x/file: "):
        parse(text, source="/x/file").get(path)
