"""Commented-out entries inside a Lua list (Debian's ``--"token_verification";``): uncommented in place by
``set``, commented out again by ``edit(..., comment_out=True)``; lists read by Lua itself (lupa)."""

from __future__ import annotations

import lupa.lua54 as lupa54
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jitsi_secure.formats import lua

COMPONENT = """\
Component "conference.meet.example.com" "muc"
    modules_enabled = {
        "muc_meeting_id";
        "polls";
        --"token_verification";
        "muc_rate_limit";
    }
"""
PATH = ("conference.meet.example.com", "modules_enabled")


def lua_list(text: str) -> list[str]:
    """The component's modules_enabled as Lua itself reads the file."""
    runtime = lupa54.LuaRuntime()
    runtime.execute("function Component() return function() end end")
    runtime.execute(text)
    table = runtime.eval("modules_enabled")
    return [table[i] for i in range(1, len(table) + 1)]


def test_the_commented_entry_is_found_with_its_place() -> None:
    doc = lua.parse(COMPONENT)
    assert doc.commented_entries(PATH) == [(2, "token_verification")]
    assert doc.commented_entries(("conference.meet.example.com", "storage")) == []


def test_set_uncomments_the_entry_in_place_never_a_duplicate() -> None:
    doc = lua.parse(COMPONENT)
    wanted = ["muc_meeting_id", "polls", "token_verification", "muc_rate_limit"]
    new = doc.set(PATH, wanted)
    assert new.render() == COMPONENT.replace('--"token_verification";', '"token_verification";')
    assert lua_list(new.render()) == wanted
    assert new.render().count("token_verification") == 1


def test_comment_out_puts_the_entry_back_as_shipped() -> None:
    doc = lua.parse(COMPONENT)
    on = doc.set(PATH, ["muc_meeting_id", "polls", "token_verification", "muc_rate_limit"])
    off = on.edit({PATH: ["muc_meeting_id", "polls", "muc_rate_limit"]}, comment_out=True)
    assert off.render() == COMPONENT
    # Without comment_out the entry's line goes.
    assert '"token_verification"' not in on.set(PATH, ["muc_meeting_id", "polls", "muc_rate_limit"]).render()


def test_an_entry_appended_elsewhere_does_not_touch_the_comment() -> None:
    doc = lua.parse(COMPONENT)
    new = doc.set(PATH, ["muc_meeting_id", "polls", "muc_rate_limit", "token_verification"])
    # Asked for at the end: added at the end (the comment is where the packaging would uncomment it).
    assert lua_list(new.render())[-1] == "token_verification"
    assert '--"token_verification";' in new.render()


def test_an_entry_without_its_own_separator_is_not_uncommented() -> None:
    text = COMPONENT.replace('--"token_verification";', '--"token_verification"')
    doc = lua.parse(text)
    wanted = ["muc_meeting_id", "polls", "token_verification", "muc_rate_limit"]
    new = doc.set(PATH, wanted)
    assert lua_list(new.render()) == wanted
    assert '--"token_verification"' in new.render()


@given(
    before=st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=4, unique=True),
    position=st.integers(min_value=0, max_value=4),
    quote=st.sampled_from(['"', "'"]),
    separator=st.sampled_from([";", ","]),
)
def test_uncommenting_anywhere_gives_the_list_asked_for(
    before: list[str], position: int, quote: str, separator: str
) -> None:
    position = min(position, len(before))
    lines = [f"    {quote}{m}{quote}{separator}" for m in before]
    lines.insert(position, f"    --{quote}x{quote}{separator}")
    text = "modules_enabled = {\n" + "\n".join(lines) + "\n}\n"
    doc = lua.parse(text)
    assert doc.commented_entries(("*", "modules_enabled")) == [(position, "x")]
    wanted = [*before[:position], "x", *before[position:]]
    new = doc.set(("*", "modules_enabled"), wanted)
    assert new.render() == text.replace(f"--{quote}x", f"{quote}x")
    runtime = lupa54.LuaRuntime()
    runtime.execute(new.render())
    table = runtime.eval("modules_enabled")
    assert [table[i] for i in range(1, len(table) + 1)] == wanted
    assert new.edit({("*", "modules_enabled"): before}, comment_out=True).render() == text


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('t = {\n    "a"; "b";\n    "c";\n}\n', 't = {\n    "a";\n    "c";\n}\n'),
        ('t = {\n    "a", "b",  \r\n    "c"\r\n}\n', 't = {\n    "a",\r\n    "c"\r\n}\n'),
        ('t = { "a"; "b"; }\n', 't = { "a"; }\n'),
        ('t = {\n    "b"; "a";\n}\n', 't = {\n    "a";\n}\n'),
    ],
)
def test_an_entry_removed_from_a_shared_line_leaves_no_trailing_blanks(before: str, after: str) -> None:
    doc = lua.parse(before)
    assert doc.set(("*", "t"), [v for v in doc.get("t") if v != "b"]).render() == after


OLD_DEBIAN = """\
Component "conference.meet.example.com" "muc"
    modules_enabled = {
        "muc_meeting_id";
        -- "token_verification";
    }
Component "lobby.meet.example.com" "muc"
    modules_enabled = {
        "muc_rate_limit";
        -- "token_verification";
    }
"""


@pytest.mark.parametrize("marker", ["--", "-- ", "--  ", "--\t"])
def test_an_entry_commented_out_again_is_spelled_as_the_files_other_commented_entries(marker: str) -> None:
    text = OLD_DEBIAN.replace('-- "token_verification"', f'{marker}"token_verification"')
    doc = lua.parse(text)
    on = doc.set(PATH, ["muc_meeting_id", "token_verification"])
    assert f'{marker}"token_verification"' not in on.text.split("Component", 2)[1]
    # The lobby's commented entry remembers how the file spells one: the round trip gives the bytes back.
    assert on.edit({PATH: ["muc_meeting_id"]}, comment_out=True).text == text
    # A second commented entry of the list itself decides before the file's other lists do.
    own = text.replace('        "muc_meeting_id";\n', '        "muc_meeting_id";\n        --"polls";\n', 1)
    assert lua.parse(own).set(PATH, ["muc_meeting_id", "token_verification"]).edit(
        {PATH: ["muc_meeting_id"]}, comment_out=True
    ).text == own.replace(f'{marker}"token_verification"', '--"token_verification"', 1)


def test_with_no_commented_entry_left_an_entry_is_commented_out_as_shipped_now() -> None:
    doc = lua.parse(COMPONENT.replace('--"token_verification"', '"token_verification"'))
    assert (
        '\n        --"token_verification";\n'
        in doc.edit({PATH: ["muc_meeting_id", "polls", "muc_rate_limit"]}, comment_out=True).text
    )
