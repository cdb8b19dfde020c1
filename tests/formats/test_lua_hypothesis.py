"""Property tests for the Lua document: generated configs round-trip, edits mean exactly what was asked
(judged by ``evaluate()``, i.e. real Lua 5.4 running Prosody's API), edits are idempotent, and the
parser accepts exactly the chunks Lua's own ``load`` accepts."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

import lupa.lua54 as lupa54
from hypothesis import assume, given
from hypothesis import strategies as st

from jitsi_secure.errors import ParseError
from jitsi_secure.formats import ConfigValue, lua
from jitsi_secure.formats.lua._lexer import KEYWORDS, tokenize
from jitsi_secure.formats.lua._meaning import LuaExpression

RESERVED = KEYWORDS | {"Host", "host", "VirtualHost", "Component", "component", "Include", "include", "RunScript"}
RESERVED |= {"defined", "component_module", "load_global_modules", "ENV_", "os", "string", "table", "math"}

names = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True).filter(lambda n: n not in RESERVED)
hosts = st.from_regex(r"[a-z][a-z0-9]{0,6}\.example", fullmatch=True)
scalars: st.SearchStrategy[ConfigValue] = st.one_of(
    st.text(max_size=12),
    st.booleans(),
    st.integers(min_value=-(1 << 63), max_value=(1 << 63) - 1),
    st.floats(allow_nan=False, allow_infinity=False),
)
values: st.SearchStrategy[ConfigValue] = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=6), inner, max_size=3),
    ),
    max_leaves=6,
)


@dataclass
class Layout:
    """How a generated file is written: line ending, indentation, quotes, separators, header form."""

    newline: str
    indent: str
    quote: str
    separator: str
    paren_headers: bool
    equals: str


layouts = st.builds(
    Layout,
    newline=st.sampled_from(["\n", "\r\n"]),
    indent=st.sampled_from(["    ", "\t", "  ", ""]),
    quote=st.sampled_from(['"', "'"]),
    separator=st.sampled_from([",", ";"]),
    paren_headers=st.booleans(),
    equals=st.sampled_from(["=", " = ", "\t=\t", "  = "]),
)


def lua_string(draw: st.DrawFn, value: str, quote: str) -> str:
    """One of Lua's many spellings of a string: quoted with assorted escapes, or a long bracket."""
    level = draw(st.integers(0, 3))
    close = "]" + "=" * level + "]"
    if draw(st.booleans()) and close not in value + "]" and "\r" not in value and not value.startswith("\n"):
        return f"[{'=' * level}[{value}{close}"
    out = [quote]
    for ch in value:
        code = ord(ch)
        style = draw(st.integers(0, 3)) if code < 128 else 0
        if ch in (quote, "\\") or code < 32 or code == 127:
            out.append(draw(st.sampled_from([f"\\{code:03d}", f"\\x{code:02x}", f"\\u{{{code:x}}}"])))
        elif style == 1:
            out.append(f"\\x{code:02X}")
        elif style == 2:
            out.append(f"\\u{{{code:X}}}")
        else:
            out.append(ch)
    if draw(st.booleans()):
        out.append("\\z \t ")
    out.append(quote)
    return "".join(out)


def lua_literal(draw: st.DrawFn, value: Any, layout: Layout) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if value >= 0 and draw(st.booleans()):
            return hex(value)
        return str(value) if value != -(1 << 63) else "0x8000000000000000"
    if isinstance(value, float):
        text = repr(value)
        return text if any(c in text for c in ".e") else text + ".0"
    if isinstance(value, str):
        return lua_string(draw, value, layout.quote)
    sep = layout.separator
    trailing = sep if value and draw(st.booleans()) else ""
    if isinstance(value, list):
        return "{ " + f"{sep} ".join(lua_literal(draw, v, layout) for v in value) + trailing + " }"
    assert isinstance(value, dict)
    parts = [f"[ {lua_string(draw, k, layout.quote)} ] = {lua_literal(draw, v, layout)}" for k, v in value.items()]
    return "{" + f"{sep}\t".join(parts) + trailing + "}"


TRIVIA = [
    "-- a comment",
    '-- VirtualHost "commented.example"',
    '--[[ VirtualHost "long.example" ]]',
    "--[==[ multi\nline ]] ]=] ]==]",
    "",
    "  \t ",
    "--",
    " \f\v\t",
    ";",
    "local helper = { 1, 2 } -- not an option",
    "if false then ignored = 1 end",
]


@st.composite
def configs(draw: st.DrawFn) -> tuple[str, dict[str, dict[str, Any]], Layout]:
    """A generated config and the meaning Prosody gives it."""
    layout = draw(layouts)
    nl = layout.newline
    eq = layout.equals
    sections = draw(st.lists(st.tuples(st.sampled_from(["VirtualHost", "Component"]), hosts), max_size=4))
    sections = list({name: (kind, name) for kind, name in sections}.values())
    meaning: dict[str, dict[str, Any]] = {"*": {}}
    lines: list[str] = []
    for index in range(len(sections) + 1):
        if index:
            kind, name = sections[index - 1]
            module = draw(st.sampled_from([None, "muc", "client_proxy"])) if kind == "Component" else None
            quoted = lua_string(draw, name, layout.quote)
            header = f"{kind}({quoted})" if layout.paren_headers else f"{kind} {quoted}"
            if module:
                mod = lua_string(draw, module, layout.quote)
                header += f"({mod})" if layout.paren_headers else f" {mod}"
            lines.append(header)
            if kind == "VirtualHost":
                meaning[name] = {"defined": True}
            else:
                meaning[name] = {"component_module": module or "component", "load_global_modules": False}
            section = meaning[name]
            indent = layout.indent
        else:
            section = meaning["*"]
            indent = ""
        for _ in range(draw(st.integers(0, 4))):
            if draw(st.integers(0, 3)) == 0:
                lines.append(indent + draw(st.sampled_from(TRIVIA)))
            option = draw(names)
            value = draw(values)
            comment = draw(st.sampled_from(["", " -- note", " --[[ x ]]", ";", " ; -- semi"]))
            lines.append(f"{indent}{option}{eq}{lua_literal(draw, value, layout)}{comment}")
            section[option] = value
        lines.append(draw(st.sampled_from(["", "-- end of section", "\t"])))
    text = nl.join(lines) + draw(st.sampled_from([nl, "", nl + nl]))
    return text, meaning, layout


def normal(value: Any) -> Any:
    """Lua has one kind of table: an empty dict reads back as an empty list; dict keys 1..n as a list."""
    if isinstance(value, dict):
        if not value:
            return []
        return {k: normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normal(v) for v in value]
    return value


def normal_meaning(meaning: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {host: {k: normal(v) for k, v in options.items()} for host, options in meaning.items()}


def _dict_keys_safe(value: Any) -> bool:
    """Dicts whose string keys are "1".."n" are lists to Lua; such generated values are skipped."""
    if isinstance(value, dict):
        if value and all(k.isdigit() for k in value):
            return False
        return all(_dict_keys_safe(v) for v in value.values())
    if isinstance(value, list):
        return all(_dict_keys_safe(v) for v in value)
    return True


@given(configs())
def test_generated_configs_round_trip_and_mean_what_they_say(case: tuple[str, dict[str, Any], Layout]) -> None:
    text, meaning, _layout = case
    assume(all(_dict_keys_safe(v) for options in meaning.values() for v in options.values()))
    doc = lua.parse(text)
    assert doc.render() == text
    assert doc.evaluate() == normal_meaning(meaning)
    for host, options in meaning.items():
        section = None if host == "*" else host
        for option, value in options.items():
            if option in ("defined", "component_module", "load_global_modules"):
                continue
            assert normal(doc.get((section or "*", option))) == normal(value)


@given(configs(), st.data())
def test_set_changes_exactly_one_option(case: tuple[str, dict[str, Any], Layout], data: st.DataObject) -> None:
    text, meaning, _layout = case
    assume(all(_dict_keys_safe(v) for options in meaning.values() for v in options.values()))
    doc = lua.parse(text)
    host = data.draw(st.sampled_from(sorted(meaning)))
    section = None if host == "*" else host
    existing = [o for o in meaning[host] if o not in ("defined", "component_module", "load_global_modules")]
    reuse: bool = bool(existing) and data.draw(st.booleans())
    option: str = data.draw(st.sampled_from(existing)) if reuse else data.draw(names)
    value = data.draw(values.filter(_dict_keys_safe))
    new = doc.set((section or "*", option), value)
    expected = normal_meaning(meaning)
    expected[host][option] = normal(value)
    assert new.evaluate() == expected
    assert new.set((section or "*", option), value) is new
    assert new.style.newline == doc.style.newline
    # Line breaks between statements keep the file's spelling (CRLF stays CRLF).
    old_breaks = {t.text for t in tokenize(doc.text) if t.kind == "nl"}
    if len(old_breaks) == 1:
        assert {t.text for t in tokenize(new.text) if t.kind == "nl"} == old_breaks
    removed = new.remove((section or "*", option))
    del expected[host][option]
    assert removed.evaluate() == expected
    assert removed.remove((section or "*", option)) is removed


@given(configs(), st.data())
def test_add_section_adds_exactly_that_section(case: tuple[str, dict[str, Any], Layout], data: st.DataObject) -> None:
    text, meaning, layout = case
    assume(all(_dict_keys_safe(v) for options in meaning.values() for v in options.values()))
    doc = lua.parse(text)
    name = data.draw(hosts.filter(lambda h: h not in meaning))
    after = data.draw(st.sampled_from([None, *sorted(h for h in meaning if h != "*")]))
    options = data.draw(st.dictionaries(names, values.filter(_dict_keys_safe), max_size=3))
    kind = data.draw(st.sampled_from(["VirtualHost", "Component"]))
    module = "muc" if kind == "Component" and data.draw(st.booleans()) else None
    new = doc.add_section(kind, name, options, after=after, module=module)  # type: ignore[arg-type]
    expected = normal_meaning(meaning)
    base: dict[str, Any] = (
        {"defined": True}
        if kind == "VirtualHost"
        else {"component_module": module or "component", "load_global_modules": False}
    )
    expected[name] = base | {k: normal(v) for k, v in options.items()}
    assert new.evaluate() == expected
    names_in_order = [s.name for s in new.sections()[1:]]
    if after is not None:
        assert names_in_order.index(name) == names_in_order.index(after) + 1
    api = {"defined", "component_module", "load_global_modules"}
    indented_before = any(set(opts) - api for host, opts in meaning.items() if host != "*")
    if layout.indent and options and indented_before:
        assert f"{layout.newline}{layout.indent}{next(iter(options))}" in new.text
    assert new.remove_section(name).evaluate() == normal_meaning(meaning)


# ------------------------------------------------------------------------------------------ syntax fuzz

_FRAGMENTS = [
    "x", "y", "f", "=", "==", ",", ";", "(", ")", "{", "}", "[", "]", ".", "..", "...", ":", "::", "+", "-",
    "#", "~", "~=", "not", "and", "or", "local", "function", "end", "do", "if", "then", "else", "return",
    "while", "for", "in", "repeat", "until", "goto", "break", "nil", "true", "1", "0x1p4", "'s'", "[[l]]",
    "--c\n", "\n", "<const>", "<", ">",
]  # fmt: skip


def _lua_accepts(runtime: Any, text: str) -> bool:
    return bool(runtime.eval("function(s) return load(s, '=t', 't') ~= nil end")(text))


_RUNTIME = lupa54.LuaRuntime(register_eval=False)


@given(st.lists(st.sampled_from(_FRAGMENTS), min_size=1, max_size=10))
def test_parser_accepts_exactly_what_lua_accepts(fragments: list[str]) -> None:
    text = " ".join(fragments)
    try:
        doc = lua.parse(text)
        ours = True
    except ParseError:
        ours = False
    assert ours == _lua_accepts(_RUNTIME, text), text
    if ours:
        # Running whatever parsed fails, if at all, with the one documented error.
        with contextlib.suppress(lua.LuaEvaluationError):
            doc.evaluate(max_instructions=100_000, max_memory=8 * 1024 * 1024)


@given(st.sampled_from(["x = ", "x = {", "f(", "x = function() return "]), st.text(max_size=12))
def test_parser_never_fails_with_anything_but_parse_error(prefix: str, tail: str) -> None:
    text = prefix + tail
    try:
        doc = lua.parse(text)
    except ParseError:
        assert not _lua_accepts(_RUNTIME, text), text
    else:
        assert _lua_accepts(_RUNTIME, text), text
        assert doc.render() == text
        for option in doc.options().values():
            assert not isinstance(option, LuaExpression) or option.source


_CHECK_LOAD = _RUNTIME.eval(
    "function(s) local f, e = load(s, '=t', 't'); if f then return true, '' end; return false, e end"
)


@given(st.data())
def test_mutated_corpus_files_are_judged_like_lua(data: st.DataObject) -> None:
    """Delete, insert or replace one token of a real config: we accept exactly what Lua's load accepts,
    and report the error on the line Lua reports."""
    from tests.oracles import corpus_files

    path = data.draw(st.sampled_from(corpus_files("lua", "*.lua")))
    text = path.read_bytes().decode("utf-8")
    tokens = [t for t in tokenize(text) if t.kind not in ("ws", "nl", "comment", "eof")]
    assume(tokens)
    target = data.draw(st.sampled_from(tokens))
    other = data.draw(st.sampled_from(tokens)).text
    operation = data.draw(st.sampled_from(["delete", "insert", "replace"]))
    if operation == "delete":
        mutated = text[: target.start] + text[target.end :]
    elif operation == "insert":
        mutated = text[: target.start] + other + " " + text[target.start :]
    else:
        mutated = text[: target.start] + other + text[target.end :]
    accepted, message = _CHECK_LOAD(mutated)
    try:
        lua.parse(mutated)
    except ParseError as error:
        assert not accepted, (str(error), mutated)
        assert message.startswith(f"t:{error.line}:"), (str(error), message)
    else:
        assert accepted, message


@given(
    st.lists(st.from_regex(r"[a-z_]{1,8}", fullmatch=True), min_size=1, max_size=6, unique=True),
    st.data(),
    st.sampled_from([",", ";"]),
    st.sampled_from(["\n", "\r\n"]),
)
def test_list_edits_keep_untouched_fields_with_their_comments(
    modules: list[str], data: st.DataObject, separator: str, nl: str
) -> None:
    lines = [f'\t\t"{m}"{separator} -- about {m}' for m in modules]
    text = f'VirtualHost "a.example"{nl}\tmodules_enabled = {{{nl}' + nl.join(lines) + f"{nl}\t}}{nl}"
    doc = lua.parse(text)
    kept = [m for m in modules if data.draw(st.booleans())]
    extra = data.draw(st.lists(st.from_regex(r"[A-Z]{1,5}", fullmatch=True), max_size=3, unique=True))
    new_value: list[ConfigValue] = [*kept, *extra]
    assume(new_value)
    new = doc.set(("a.example", "modules_enabled"), new_value)
    assert new.evaluate()["a.example"]["modules_enabled"] == new_value
    if kept:
        for m in kept:
            assert f'\t\t"{m}"{separator} -- about {m}{nl}' in new.text
        for m in extra:
            assert f'\t\t"{m}"{separator}{nl}' in new.text
