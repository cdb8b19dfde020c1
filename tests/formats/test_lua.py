"""The Prosody Lua document: lexing, validation, the section model, edits, rendering and evaluation.

Expected meanings are checked against Lua itself (lupa's Lua 5.4 for literals and syntax, Prosody's
loader for sections) rather than against our own output.
"""

from __future__ import annotations

import shutil
import sys
import threading
from pathlib import Path
from typing import Any

import lupa.lua54 as lupa54
import pytest

from jitsi_secure.errors import EditError, ParseError
from jitsi_secure.formats import lua
from jitsi_secure.formats.lua._lexer import tokenize
from jitsi_secure.formats.lua._render import RenderStyle, render_value
from tests.oracles.lua import as_prosody_json, prosody_configs

DEBIAN_HOST = """\
plugin_paths = { "/usr/share/jitsi-meet/prosody-plugins/" }

-- domain mapper options, must at least have domain base set to use the mapper
muc_mapper_domain_base = "meet.example.com";

VirtualHost "meet.example.com"
    -- enabled = false -- Remove this line to enable this host
    authentication = "jitsi-anonymous" -- do not delete me
    -- Properties below are modified by jitsi-meet-tokens package config
    -- and authentication above is switched to "token"
    --app_id="example_app_id"
    --app_secret="example_app_secret"
    modules_enabled = {
        "bosh";
        "ping"; -- Enable mod_ping
    }
    c2s_require_encryption = false

-- internal muc component
Component "conference.meet.example.com" "muc"
    restrict_room_creation = true
    storage = "memory"

VirtualHost "auth.meet.example.com"
    authentication = "internal_hashed"
"""


def lua_value(expression: str) -> Any:
    """What real Lua 5.4 makes of an expression (strings as Python str via UTF-8)."""
    runtime = lupa54.LuaRuntime(register_eval=False, unpack_returned_tuples=True)
    return runtime.execute("return " + expression)


def lua_loads(text: str) -> bool:
    runtime = lupa54.LuaRuntime(encoding=None, register_eval=False)
    compile_only = runtime.eval("function(s) local f = load(s, '=t', 't'); return f ~= nil end")
    return bool(compile_only(text.encode("utf-8")))


# ------------------------------------------------------------------------------------------ lexing


TRICKY = (
    '--[==[ long comment with ]] and ]=] inside\nVirtualHost "fake" ]==]\n'
    "a = [[\nfirst line skipped]] b = [=[x]]y]=]\n"
    "c = '\\z   \n   zap\\x41\\u{48}\\u{7FFFFFFF}\\65\\0\\\n'\n"
    'd = "tab\\tnew\\nq\\"s\\\'\\\\" e = 0x1p4 f = 0xA.8P-1 g = .5e+2 h = 3 i = 0xffffffffffffffff\n'
    "j = 1 // 2 ~ 3 | 4 & 5 << 1 >> 2 .. 'x' .. #'abc' ~= 4 <= 5 >= 6 and not nil or 2^3 % 4\n"
    "::top:: do local k <const> = 1 end goto done ::done:: ;;;\r\n"
    "\t\f\v -- trailing comment"
)


def test_tokens_concatenate_back_to_the_text() -> None:
    tokens = tokenize(TRICKY)
    assert "".join(t.text for t in tokens) == TRICKY
    assert lua.parse(TRICKY).render() == TRICKY


@pytest.mark.parametrize(
    "expression",
    [
        "'\\z   \n   zap\\x41\\u{48}\\65\\0\\\n'",
        '"tab\\tnew\\nq\\"s\\\'\\\\"',
        "[[\nfirst\r\nsecond]]",
        "[==[a]]b]=]c]==]",
        "'\\u{E9}\\195\\169'",
        "0x1p4",
        "0xA.8P-1",
        ".5e+2",
        "0xffffffffffffffff",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "1e308",
        "{ 'a', 'b'; 'c', }",
        "{ x = 1, ['y z'] = { true, false }, [3] = 'three' }",
        "{ [1] = 'a', 'b' }",
        "{ 1, nil, 3 }",
        "{}",
    ],
)
def test_literals_read_as_lua_reads_them(expression: str) -> None:
    doc = lua.parse(f"x = {expression}\n")
    ours = doc.get(("*", "x"))
    runtime_value = lua_value(expression)
    assert as_prosody_json(ours) == as_prosody_json(_from_lua(runtime_value)), expression


def _from_lua(value: Any) -> Any:
    if lupa54.lua_type(value) == "table":
        items = dict(value.items())
        n = len(items)
        if all(isinstance(k, int) for k in items) and set(items) == set(range(1, n + 1)):
            return [_from_lua(items[i]) for i in range(1, n + 1)]
        return {str(k): _from_lua(v) for k, v in items.items()}
    return value


# ------------------------------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("text", "line", "column", "fragment"),
    [
        ("x = = 1", 1, 5, "unexpected symbol"),
        ('VirtualHost "a"\n  x = {\n  1\n', 4, 1, "'}' expected (to close '{' at line 2)"),
        ('a = "unfinished\nb = 1', 1, 5, "unfinished string"),
        ('a = "bad \\q escape"', 1, 10, "invalid escape sequence"),
        ("a = 3x", 1, 5, "malformed number"),
        ("a = [==[ never closed ]=]", 1, 5, "unfinished long string"),
        ("--[[ never closed", 1, 1, "unfinished long comment"),
        ("goto nowhere", 1, 1, "no visible label 'nowhere'"),
        ("break", 1, 1, "break outside a loop"),
        ("function f() return ... end", 1, 21, "cannot use '...' outside a vararg function"),
        ("local x <const> = 1\nx = 2", 2, 1, "attempt to assign to const variable 'x'"),
        ("local x <shiny> = 1", 1, 10, "unknown attribute 'shiny'"),
        ("::a:: ::a::", 1, 9, "label 'a' already defined"),
        ("do goto l local x = 1 ::l:: print(x) end", 1, 4, "jumps into the scope of local 'x'"),
        ("f() = 1", 1, 5, "syntax error"),
        ("x = 1 y", 1, 8, "syntax error"),
        ("\ufeffx = 1", 1, 1, "unexpected symbol"),
        ("#!/usr/bin/lua\nx = 1", 1, 1, "unexpected symbol"),
        ("x = 1 $ {{ template }}", 1, 7, "unexpected symbol"),
    ],
)
def test_invalid_lua_raises_parse_error_with_position(text: str, line: int, column: int, fragment: str) -> None:
    assert not lua_loads(text), "the case must be invalid for real Lua too"
    with pytest.raises(ParseError) as caught:
        lua.parse(text, source="host.cfg.lua")
    error = caught.value
    assert fragment in error.message
    assert (error.line, error.column) == (line, column)
    assert str(error).startswith(f"host.cfg.lua:{line}:{column}: ")


@pytest.mark.parametrize(
    "text",
    [
        "do goto continue local x = 1 ::continue:: end",  # a label at the end of a block is out of scope
        "while true do break end",
        "repeat local a = 1 until a == 1",
        "for i = 1, 2 do local j = i end for k, v in pairs({}) do end",
        "local function f(...) return select('#', ...) end",
        "local t <close> = nil",
        "a.b.c = 1 a[1], b = 2, 3",
        "function t.a.b:c(x) return self end",
        "x = function(a, b, ...) return a end",
        "f{1} f'a' f[[b]] f(1)(2):m(3)",
        "return",
        "return 1;",
        "x = 1 ;; y = 2",
        "x = -2^-2 .. 1 .. 2",
        "goto a ::a::",
    ],
)
def test_valid_lua_is_accepted(text: str) -> None:
    assert lua_loads(text)
    assert lua.parse(text).render() == text


def test_deep_nesting_is_refused_cleanly() -> None:
    deep = "x = " + "{" * 100_000 + "}" * 100_000
    with pytest.raises(ParseError, match="nesting deeper than"):
        lua.parse(deep)
    fine = "x = " + "{" * 150 + "}" * 150
    assert lua.parse(fine).render() == fine
    chain = "x = " + " .. ".join(["'a'"] * 5000)
    with pytest.raises(ParseError, match="nesting deeper than"):
        lua.parse(chain)
    flat = "x = " + " + ".join(["1"] * 50_000)
    assert lua.parse(flat).render() == flat


def test_threads_parsing_at_once_leave_the_recursion_limit_as_it_was() -> None:
    # The parser raises the process-wide limit while it runs. f(f(...)) at 196 levels is the accepted text
    # that needs the most frames (about 990), started 100 frames down: it overflows Python's default limit
    # if another thread's parse ends and puts the limit back under it.
    deep = "x = " + "f(" * 196 + "1" + ")" * 196
    shallow = "x = { a = 1 }"
    limit = sys.getrecursionlimit()
    start = threading.Barrier(6)
    failures: list[BaseException] = []

    def parse_at(depth: int, text: str) -> None:
        if depth:
            parse_at(depth - 1, text)
        else:
            assert lua.parse(text).render() == text

    def work(text: str) -> None:
        start.wait()
        try:
            for _ in range(100):
                parse_at(100, text)
        except BaseException as exc:  # a RecursionError is what this test looks for
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(text,)) for text in (deep, shallow) * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sys.getrecursionlimit() == limit


# ------------------------------------------------------------------------------------------ sections


def test_sections_follow_prosodys_rules() -> None:
    text = (
        "a = 1\n"
        '-- VirtualHost "commented.example"\n'
        '--[[\nVirtualHost "long.comment"\n]]\n'
        "VirtualHost('One.Example')\n"
        "  b = 2\n"
        'Component "conf.example" "muc"\n'
        "  c = 3\n"
        'Component("proxy.example")("client_proxy")\n'
        'Component("two.args", "muc")\n'
        'VirtualHost "inline.example" { d = 4 }\n'
        "e = 5\n"
        "Host [[alias.example]]\n"
        "local name = 'x'\n"
        "VirtualHost(name .. '.example')\n"
    )
    doc = lua.parse(text)
    got = [(s.kind, s.name, s.module, s.inline) for s in doc.sections()]
    assert got == [
        ("global", None, None, False),
        ("VirtualHost", "One.Example", None, False),
        ("Component", "conf.example", "muc", False),
        ("Component", "proxy.example", "client_proxy", False),
        ("Component", "two.args", None, False),  # Prosody ignores a second argument
        ("VirtualHost", "inline.example", None, True),
        ("VirtualHost", "alias.example", None, False),
        ("VirtualHost", None, None, False),
    ]
    assert doc.get(("*", "a")) == 1
    assert doc.get(("*", "e")) == 5  # after a table-form header Prosody is back in global scope
    assert doc.get(("one.example", "b")) == 2  # names compare after nameprep
    assert doc.get(("conf.example", "c")) == 3
    assert doc.get(("one.example", "c")) is None
    meaning = doc.evaluate()
    assert meaning["*"] == {"a": 1, "e": 5}
    assert meaning["one.example"] == {"defined": True, "b": 2}
    assert meaning["conf.example"] == {"component_module": "muc", "load_global_modules": False, "c": 3}
    assert meaning["two.args"]["component_module"] == "component"
    assert meaning["inline.example"] == {"defined": True, "d": 4}
    assert meaning["x.example"] == {"defined": True}


def test_sections_and_meaning_agree_with_prosody(tmp_path: Path) -> None:
    path = tmp_path / "p.cfg.lua"
    text = DEBIAN_HOST + 'VirtualHost "Upper.Example"\n  x = 1.5\n'
    path.write_text(text, encoding="utf-8")
    [expected] = prosody_configs([path])
    assert expected["ok"]
    doc = lua.parse(text)
    assert as_prosody_json(doc.evaluate()) == expected["config"]
    names = {s.name.lower() for s in doc.sections() if s.name}
    assert names | {"*"} == set(expected["config"])


def test_non_literal_values_are_reported_as_expressions() -> None:
    doc = lua.parse('local d = "x"\nsecret = ENV_SECRET or "dflt"\nname = d .. ".example"\nn = -3\n')
    assert doc.get(("*", "secret")) == lua.LuaExpression('ENV_SECRET or "dflt"')
    assert doc.get(("*", "name")) == lua.LuaExpression('d .. ".example"')
    assert doc.get(("*", "n")) == -3
    assert doc.get(("*", "absent")) is None
    # An unknown section is a path with no value, as in every format (no bare KeyError).
    assert doc.get(("no.such.host", "x")) is None
    assert doc.get(("no.such.host", "x"), "fallback") == "fallback"
    assert doc.evaluate(env={"SECRET": "s3"})["*"] == {"secret": "s3", "name": "x.example", "n": -3}


# ------------------------------------------------------------------------------------------ editing


def test_set_keeps_the_comment_on_the_line() -> None:
    doc = lua.parse(DEBIAN_HOST)
    new = doc.set(("meet.example.com", "authentication"), "internal_hashed")
    assert '    authentication = "internal_hashed" -- do not delete me\n' in new.text
    assert new.text.replace('"internal_hashed" -- do not', '"jitsi-anonymous" -- do not') == DEBIAN_HOST


def test_set_equal_value_changes_nothing() -> None:
    doc = lua.parse(DEBIAN_HOST)
    assert doc.set(("meet.example.com", "c2s_require_encryption"), False) is doc
    assert doc.set(("meet.example.com", "modules_enabled"), ["bosh", "ping"]) is doc
    assert doc.set(("*", "plugin_paths"), ["/usr/share/jitsi-meet/prosody-plugins/"]) is doc
    once = doc.set(("meet.example.com", "authentication"), "token")
    assert once.set(("meet.example.com", "authentication"), "token") is once


def test_set_distinguishes_booleans_from_numbers() -> None:
    doc = lua.parse("x = 1\ny = 1.0\n")
    assert doc.set(("*", "x"), True).get(("*", "x")) is True
    assert doc.set(("*", "x"), 1.0).text == "x = 1.0\ny = 1.0\n"
    assert doc.set(("*", "y"), 1).text == "x = 1\ny = 1\n"


def test_set_uncomments_an_example_in_the_section() -> None:
    doc = lua.parse(DEBIAN_HOST)
    new = doc.set(("meet.example.com", "app_id"), "my-app")
    assert '    app_id="my-app"\n    --app_secret="example_app_secret"\n' in new.text
    assert new.evaluate()["meet.example.com"]["app_id"] == "my-app"
    # An example in another section's range is not used.
    other = doc.set(("auth.meet.example.com", "app_id"), "x")
    assert '--app_id="example_app_id"' in other.text
    assert other.text.endswith('    authentication = "internal_hashed"\n    app_id = "x"\n')


def test_set_inserts_after_the_last_option_before_the_next_heading() -> None:
    doc = lua.parse(DEBIAN_HOST)
    new = doc.set(("meet.example.com", "guest_domain"), "guest.meet.example.com")
    assert (
        '    c2s_require_encryption = false\n    guest_domain = "guest.meet.example.com"\n\n-- internal muc component\n'
        in new.text
    )
    glob = doc.set(("*", "cross_domain_bosh"), False)
    assert 'muc_mapper_domain_base = "meet.example.com";\ncross_domain_bosh = false\n\nVirtualHost' in glob.text


def test_inserted_lines_follow_the_file_style() -> None:
    text = "VirtualHost 'a.example'\r\n\tmodules = { 'x'; 'y' }\r\n\tz=1\r\n\r\nComponent 'c.example' 'muc'\r\n"
    doc = lua.parse(text)
    new = doc.set(("a.example", "list"), ["p", "q"])
    assert "\tz=1\r\n\tlist={ 'p'; 'q' }\r\n\r\nComponent" in new.text
    added = doc.add_section("VirtualHost", "g.example", {"authentication": "anonymous"}, after="a.example")
    assert "\tz=1\r\n\r\nVirtualHost 'g.example'\r\n\tauthentication='anonymous'\r\n\r\nComponent 'c.example'" in (
        added.text
    )
    comp = doc.add_section("Component", "n.example", {"k": 1}, module="muc")
    assert comp.text.endswith("Component 'c.example' 'muc'\r\n\r\nComponent 'n.example' 'muc'\r\n\tk=1\r\n")
    no_newline = lua.parse('VirtualHost "a"\n  x = 1')
    assert no_newline.set(("a", "y"), 2).text == 'VirtualHost "a"\n  x = 1\n  y = 2'


def test_add_section_for_secure_domain() -> None:
    doc = lua.parse(DEBIAN_HOST)
    new = doc.add_section(
        "VirtualHost",
        "guest.meet.example.com",
        {"authentication": "anonymous", "c2s_require_encryption": False},
        after="meet.example.com",
    )
    expected_block = (
        '    c2s_require_encryption = false\n\nVirtualHost "guest.meet.example.com"\n'
        '    authentication = "anonymous"\n    c2s_require_encryption = false\n\n-- internal muc component\n'
    )
    assert expected_block in new.text
    assert new.evaluate()["guest.meet.example.com"] == {
        "defined": True,
        "authentication": "anonymous",
        "c2s_require_encryption": False,
    }
    assert new.remove_section("guest.meet.example.com").text == DEBIAN_HOST
    with pytest.raises(EditError, match="exists already"):
        new.add_section("VirtualHost", "Guest.Meet.Example.Com", {})


def test_remove_takes_only_the_lines() -> None:
    doc = lua.parse(DEBIAN_HOST)
    new = doc.remove(("meet.example.com", "authentication"))
    assert new.text == DEBIAN_HOST.replace('    authentication = "jitsi-anonymous" -- do not delete me\n', "")
    assert doc.remove(("meet.example.com", "absent")) is doc
    twice = lua.parse("a = 1\nb = 2; a = 3 -- again\nc = 4\n")
    # A statement sharing its line leaves the line's comment where it is.
    assert twice.remove(("*", "a")).text == "b = 2; -- again\nc = 4\n"
    # Assigning to `host` replaces Prosody's alias of VirtualHost: it is not an option.
    assert lua.parse("host = 'x'\n").options() == {}


def test_an_option_for_a_table_form_section_is_refused_with_where_and_how_to_rewrite_it() -> None:
    doc = lua.parse('a = 1\r\n\r\n  VirtualHost "x.example" { app_secret = "s3cret" }\n', source="/etc/x.cfg.lua")
    with pytest.raises(EditError) as refused:
        doc.set(("x.example", "authentication"), "token")
    message = str(refused.value)
    assert message.startswith('/etc/x.cfg.lua: line 3, column 3: VirtualHost "x.example" takes its options in a table')
    assert "each option of the table on a line of its own after it" in message
    assert "s3cret" not in message
    # The form the message asks for is edited like any section.
    rewritten = lua.parse('VirtualHost "x.example"\n    app_secret = "s3cret"\n')
    assert rewritten.set(("x.example", "authentication"), "token").get(("x.example", "authentication")) == "token"


def test_edits_that_cannot_be_made_raise_and_change_nothing() -> None:
    doc = lua.parse("a, b = 1, 2\nVirtualHost 'x' { c = 1 }\n")
    with pytest.raises(EditError, match="multiple assignment"):
        doc.set(("*", "a"), 5)
    with pytest.raises(EditError, match="table after its header"):
        doc.set(("x", "d"), 1)
    with pytest.raises(EditError, match="no section"):
        doc.set(("nope", "d"), 1)
    with pytest.raises(EditError, match="not a Lua name"):
        doc.set(("*", "not-a-name"), 1)
    with pytest.raises(EditError):
        doc.set(("*", "big"), 1 << 70)
    with pytest.raises(EditError):
        doc.set(("*", "inf"), float("inf"))
    with pytest.raises(EditError):
        doc.set(("*", "keys"), {1: "a"})  # type: ignore[dict-item]


def test_an_edit_whose_meaning_would_differ_is_refused() -> None:
    # Taking `b = 1` out would glue `(g)()` onto `x = f` as a call of f: verification must notice.
    risky = lua.parse("x = f b = 1 (g)()\n")
    with pytest.raises(EditError, match="would not mean what was asked"):
        risky.remove(("*", "b"))
    assert lua.parse("x = f b = 1; (g)()\n").remove(("*", "b")).text == "x = f ; (g)()\n"


# ------------------------------------------------------------------------------------------ rendering


@pytest.mark.parametrize(
    "value",
    [
        'quote " and \' and \\ and ]] and \n\r\t\0\x1b and é and 😀 and "); os.execute("id") --',
        "]]..os.exit()..[[",
        "\\",
        "",
        [1, -2, 3.25, 1e-300, -0.0, True],
        {"a": {"b": ["c"]}, "not an identifier": 1, "end": 2, "1": 3},
        9223372036854775807,
        -9223372036854775808,
        0.1,
        1e16,
    ],
)
@pytest.mark.parametrize("quote", ['"', "'"])
def test_rendered_literals_read_back_exactly_in_lua(value: Any, quote: str) -> None:
    rendered = render_value(value, RenderStyle(quote=quote, separator=";"))
    assert lua_loads(f"x = {rendered}")
    back = lua.parse(f"x = {rendered}").evaluate()["*"]["x"]
    assert as_prosody_json(back) == as_prosody_json(_plain(value))
    if isinstance(value, float):
        assert back == value and type(back) is float


def _plain(value: Any) -> Any:
    if isinstance(value, list) and not value:
        return []
    return value


# ------------------------------------------------------------------------------------------ evaluation


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ('os.execute("id")', "attempt to call a nil value (field 'execute')"),
        ('io.open("/etc/passwd")', "global 'io'"),
        ('require "lfs"', "global 'require'"),
        ('load("x = 1")()', "global 'load'"),
        ('dofile("/etc/passwd")', "global 'dofile'"),
        ('RunScript "/tmp/x.lua"', "not allowed in the sandbox"),
        ("getmetatable('').__index = nil", "global 'getmetatable'"),
        ("pcall(print)", "global 'pcall'"),
        ("while true do end", "instruction limit exceeded"),
        ("local t = {} for i = 1, 1e9 do t[i] = ('x'):rep(100) .. i end", "memory limit"),
        ("x = ('x'):rep(1e9)", "memory limit"),
        ("bogus_function_call()", "global 'bogus_function_call'"),
    ],
)
def test_evaluation_is_sandboxed(code: str, fragment: str) -> None:
    doc = lua.parse(code, source="test.cfg.lua")
    with pytest.raises(lua.LuaEvaluationError) as caught:
        doc.evaluate(max_instructions=2_000_000, max_memory=16 * 1024 * 1024)
    assert fragment in str(caught.value)


def test_evaluation_reads_only_the_given_environment() -> None:
    doc = lua.parse('a = ENV_HOME\nb = os.getenv("HOME")\nc = ENV_JITSI or "fallback"\n')
    assert doc.evaluate()["*"] == {"c": "fallback"}
    assert doc.evaluate(env={"HOME": "/h", "JITSI": "j"})["*"] == {"a": "/h", "b": "/h", "c": "j"}


def test_includes_are_followed_like_prosody(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "a.cfg.lua").write_text('VirtualHost "a.example"\n  x = 1\nafter_host = true\n')
    (tmp_path / "conf.d" / "b.cfg.lua").write_text("global_from_b = 'b'\n")
    (tmp_path / "conf.d" / ".hidden.cfg.lua").write_text("hidden = true\n")
    (tmp_path / "conf.d" / "notes.txt").write_text("not lua at all (\n")
    (tmp_path / "extra.lua").write_text("extra = { 1, 2 }\n")
    main = tmp_path / "prosody.cfg.lua"
    text = 'top = 1\nInclude "conf.d/*.cfg.lua"\nInclude "extra.lua"\nInclude "empty/*.cfg.lua"\nlast = 2\n'
    (tmp_path / "empty").mkdir()
    main.write_text(text)
    [expected] = prosody_configs([main], no_include=False, copy=False)
    assert expected["ok"], expected
    doc = lua.parse(text, source=str(main))
    assert as_prosody_json(doc.evaluate(follow_includes=True)) == expected["config"]
    assert doc.includes() == ["conf.d/*.cfg.lua", "extra.lua", "empty/*.cfg.lua"]
    assert doc.evaluate()["*"] == {"top": 1, "last": 2}
    # A missing folder or file is an error for Prosody, and so for us.
    shutil.rmtree(tmp_path / "empty")
    [missing_dir] = prosody_configs([main], no_include=False, copy=False)
    assert not missing_dir["ok"]
    with pytest.raises(lua.LuaEvaluationError, match="cannot open"):
        doc.evaluate(follow_includes=True)


def test_parse_is_cheap_to_import() -> None:
    import subprocess
    import sys

    code = "import sys, jitsi_secure.formats.lua; print('lupa' in ' '.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_load_file_keeps_line_endings_and_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "host.cfg.lua"
    path.write_bytes(b'VirtualHost "a.example"\r\n\tauthentication = "anonymous"\r\n')
    doc = lua.load_file(path)
    assert doc.render().encode() == path.read_bytes()
    assert doc.source == str(path)
    path.write_bytes(b"x = = 1\n")
    with pytest.raises(ParseError, match=r"host\.cfg\.lua:1:5"):
        lua.load_file(path)


def test_assignments_point_at_the_text() -> None:
    doc = lua.parse(DEBIAN_HOST)
    [auth] = [a for a in doc.assignments("meet.example.com") if a.name == "authentication"]
    assert DEBIAN_HOST[auth.start : auth.end] == 'authentication = "jitsi-anonymous"'
    assert DEBIAN_HOST[auth.value_start : auth.value_end] == '"jitsi-anonymous"'
    assert [a.name for a in doc.assignments()] == ["plugin_paths", "muc_mapper_domain_base"]


def test_a_multi_line_table_stays_multi_line() -> None:
    doc = lua.parse(DEBIAN_HOST)
    new = doc.set(("meet.example.com", "modules_enabled"), ["bosh", "ping", "muc_lobby_rooms"])
    # Only the new field is written: the others keep their lines and comments.
    assert new.text == DEBIAN_HOST.replace("-- Enable mod_ping\n", '-- Enable mod_ping\n        "muc_lobby_rooms";\n')
    fewer = doc.set(("meet.example.com", "modules_enabled"), ["ping"])
    assert fewer.text == DEBIAN_HOST.replace('        "bosh";\n', "")
    other = doc.set(("meet.example.com", "modules_enabled"), ["websocket", "bosh"])
    assert '    modules_enabled = {\n        "websocket";\n        "bosh";\n    }\n' in other.text
    ssl = lua.parse('ssl = {\n\tkey = "/k"; -- the key\n\tcertificate = "/c";\n}\n')
    assert ssl.set(("*", "ssl"), {"key": "/k2", "certificate": "/c", "protocol": "tlsv1_2+"}).text == (
        'ssl = {\n\tkey = "/k2"; -- the key\n\tcertificate = "/c";\n\tprotocol = "tlsv1_2+";\n}\n'
    )
    crlf = lua.parse('ssl = {\r\n\tkey = "/k",\r\n\tcertificate = "/c"\r\n}\r\n')
    assert crlf.set(("*", "ssl"), {"key": "/k2", "certificate": "/c"}).text == (
        'ssl = {\r\n\tkey = "/k2",\r\n\tcertificate = "/c"\r\n}\r\n'
    )
    assert lua.parse("x = { 1, 2 }\n").set(("*", "x"), [3]).text == "x = { 3 }\n"


def test_evaluation_reports_functions_cycles_and_depth_without_hanging() -> None:
    doc = lua.parse("local t = {} t.t = t x = t local s = {1} y = {s, s} f = function() end\n")
    assert doc.evaluate()["*"] == {"x": {"t": "<cycle>"}, "y": [[1], [1]], "f": "<function>"}
    deep = lua.parse("local t = {} for i = 1, 1000 do t = {t} end x = t\n").evaluate()["*"]["x"]
    depth = 0
    while isinstance(deep, list):
        deep = deep[0]
        depth += 1
    assert deep == "<too deep>" and depth > 200
