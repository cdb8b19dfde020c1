"""The model of a Prosody config: which sections (global, ``VirtualHost``, ``Component``) and options
(top-level assignments) the syntax tree holds, with their offsets, the includes, and the file's habits
for new text. :func:`read` turns text into it; the document reads and edits through it."""

from __future__ import annotations

import bisect
import functools
import operator
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from encodings import idna
from typing import Literal

from jitsi_secure._core.gc_pause import cyclic_gc_paused
from jitsi_secure._core.style import TextStyle, detect_style
from jitsi_secure.errors import ParseError, line_and_column
from jitsi_secure.formats.lua._lexer import (
    COMMENT,
    NEWLINE,
    SPACE,
    LexError,
    Spans,
    Token,
    tokenize,
    trivia,
)
from jitsi_secure.formats.lua._meaning import LuaExpression, literal_value, string_value
from jitsi_secure.formats.lua._parser import Field, Node, ParsedChunk, Statement, parse_chunk, parse_text
from jitsi_secure.formats.lua._render import RenderStyle

__all__ = ["Option", "Section", "SectionKind", "hostkey", "read"]

SectionKind = Literal["global", "VirtualHost", "Component"]


_HEADER_NAMES: dict[str, SectionKind] = {
    "VirtualHost": "VirtualHost",
    "Host": "VirtualHost",
    "host": "VirtualHost",
    "Component": "Component",
    "component": "Component",
}


_INCLUDE_NAMES = frozenset({"Include", "include"})


# Prosody's environment holds these as raw fields: assigning to one replaces the function, it sets no option.
_API_NAMES = frozenset({*_HEADER_NAMES, *_INCLUDE_NAMES, "RunScript", "__currenthost"})


@dataclass(frozen=True)
class Section:
    """A section of the config: the global one, or one ``VirtualHost``/``Component``.

    Attributes:
        kind: ``"global"``, ``"VirtualHost"`` or ``"Component"`` (``Host``/``component`` aliases included).
        name: the host or component name as written, ``None`` for the global section or for a name
            that is not a string literal (``VirtualHost(domain)``).
        module: the component module (``Component "x" "muc"``), else ``None`` (Prosody's default
            ``"component"`` applies).
        start: offset where the section's range starts (its leading comment block, or 0 for global).
        header_start: offset of the header statement (``start`` of the text for global).
        header_end: offset just past the header statement.
        end: offset where the next section's range starts (or the end of the text).
        inline: the ``VirtualHost "x" { ... }`` form, after which Prosody returns to global scope.
    """

    kind: SectionKind
    name: str | None
    module: str | None
    # Offsets into the text (a field list like HOCON's _Habits in shape only: nothing to share).
    start: int
    header_start: int
    header_end: int
    end: int
    inline: bool = False


@dataclass(frozen=True)
class Option:
    """One top-level assignment of an option: its section (index into ``sections()``), name, the range
    of the whole statement and of the value expression, and whether it is a single-target assignment
    that edits can rewrite."""

    section: int
    name: str
    start: int
    end: int
    value_start: int
    value_end: int
    simple: bool


@dataclass(frozen=True)
class Model:
    """What the parser found, in the shape edits need."""

    chunk: ParsedChunk
    sections: tuple[Section, ...]
    options: tuple[Option, ...]
    value_nodes: Mapping[tuple[int, int], Node]  # (statement start, value start) -> value expression
    includes: tuple[str | LuaExpression, ...]
    render_style: RenderStyle
    header_paren: bool

    @functools.cached_property
    def token_starts(self) -> tuple[int, ...]:
        """Where each of ``chunk.tokens`` starts (for bisecting an offset to its token)."""
        return tuple(map(_START, self.chunk.tokens))


@dataclass(frozen=True, kw_only=True)
class PendingStyle(TextStyle):
    """The style of ``text`` before it is worked out (its own fields are not it): the document's
    ``style`` works it out (:func:`style_of`) when it is first read, which reading options never does,
    so that parsing does not pay for a scan of every line."""

    text: str
    spans: Spans


def read(text: str, source: str) -> tuple[TextStyle, Model]:
    """The style and the model of ``text``: tokens, syntax tree, sections and options, for a document
    to hold. Raises :class:`ParseError` with line and column for anything that is not Lua 5.4."""
    with cyclic_gc_paused():
        try:
            chunk = parse_text(text, source=source)
        except LexError as lex_error:
            _raise_first_error(text, source, lex_error)
            raise
        return PendingStyle(text=text, spans=chunk.spans), _build_model(text, chunk)


def style_of(pending: PendingStyle) -> TextStyle:
    """The style of a text: :func:`detect_style`'s, with the line break the file's statements are
    separated by (the first line break may sit inside a long string or comment)."""
    style = detect_style(pending.text)
    first_break = _first_line_break(pending.text, pending.spans)
    if first_break is not None:
        style = replace(style, newline="\n" if first_break == "\n\r" else first_break)
    return style


def _first_line_break(text: str, spans: Spans) -> str | None:
    """The first line break token of ``text``: the first line break outside tokens and comments."""
    starts, ends = spans
    pos = 0
    while (m := _LINE_BREAK_CHAR.search(text, pos)) is not None:
        k = bisect.bisect_right(starts, m.start()) - 1
        gap_start = ends[k] if k >= 0 else 0
        if m.start() < gap_start:
            pos = gap_start  # inside a token (a long string): look after it
            continue
        gap_end = starts[k + 1]
        found = next((t.text for t in trivia(text, gap_start, gap_end) if t.kind == NEWLINE), None)
        if found is not None:
            return found
        pos = gap_end  # only inside long comments
    return None


_LINE_BREAK_CHAR = re.compile(r"[\r\n]")


def _raise_first_error(text: str, source: str, lex_error: LexError) -> None:
    """Lua reads tokens as it parses, so a syntax error before a bad token is the one it reports."""
    prefix = tokenize(text[: lex_error.token_start], source=source)
    try:
        parse_chunk(prefix, text, source=source)
    except ParseError as syntax_error:
        if line_and_column(text, lex_error.token_start) > (syntax_error.line, syntax_error.column):
            raise syntax_error from None


_START = operator.itemgetter(2)  # Token.start, without a Python-level call per token


def _build_model(text: str, chunk: ParsedChunk) -> Model:
    statements = chunk.statements
    headers: list[tuple[int, SectionKind, str | None, str | None, bool]] = []
    includes: list[str | LuaExpression] = []
    for i, statement in enumerate(statements):
        if statement.kind != "call" or statement.call is None:
            continue
        header = _header(statement.call)
        if header is not None:
            headers.append((i, *header))
            continue
        include = _include(statement.call, text)
        if include is not None:
            includes.append(include)

    starts = [_leading_block_start(text, chunk.spans, statements[i].start) for i, *_ in headers]
    sections = [Section("global", None, None, 0, 0, 0, starts[0] if starts else len(text))]
    for n, (i, kind, name, module, inline) in enumerate(headers):
        end = starts[n + 1] if n + 1 < len(starts) else len(text)
        statement = statements[i]
        sections.append(Section(kind, name, module, starts[n], statement.start, statement.end, end, inline))

    options: list[Option] = []
    value_nodes: dict[tuple[int, int], Node] = {}
    current = 0
    header_at = {i: n + 1 for n, (i, *_rest) in enumerate(headers)}
    for i, statement in enumerate(statements):
        if statement.kind == "assign":
            targets, values = statement.targets, statement.values
            if len(targets) == 1 and len(values) == 1:
                # _options_of's answer for the common `name = value`, without its loops.
                target, value = targets[0], values[0]
                if target.kind == "name" and target.value not in _API_NAMES:
                    start, end = statement.start, statement.end
                    options.append(Option(current, target.value, start, end, value.start, value.end, True))
                value_nodes[(statement.start, value.start)] = value
                continue
            options.extend(_options_of(statement, current))
            for value in values:
                value_nodes[(statement.start, value.start)] = value
        elif i in header_at:
            # A header in table form hands scope back to global at once: what follows it is global.
            current = 0 if sections[header_at[i]].inline else header_at[i]

    # A token's first character tells a quoted string's quote (no other token starts with one).
    quotes = Counter(map(text.__getitem__, chunk.spans.starts[:-1]))
    quote = "'" if quotes["'"] > quotes['"'] else '"'
    separator = ";" if chunk.semicolons > chunk.commas else ","
    paren = [_header_is_paren(statements[i].call, text) for i, *_ in headers]
    header_paren = sum(paren) * 2 > len(paren)
    return Model(
        chunk=chunk,
        sections=tuple(sections),
        options=tuple(options),
        value_nodes=value_nodes,
        includes=tuple(includes),
        render_style=RenderStyle(quote=quote, separator=separator),
        header_paren=header_paren,
    )


def _options_of(statement: Statement, section: int) -> list[Option]:
    targets = statement.targets
    if not all(t.kind == "name" for t in targets) or any(t.value in _API_NAMES for t in targets):
        return []
    values = statement.values
    simple = len(targets) == 1 and len(values) == 1
    out = []
    for n, target in enumerate(targets):
        if len(targets) == len(values):
            start, end = values[n].start, values[n].end
        else:
            # Filled from a multi-value call, or nil: only evaluate() knows; the whole list stands for it.
            start, end = values[0].start, values[-1].end
        out.append(Option(section, target.value, statement.start, statement.end, start, end, simple))
    return out


def field_start(field: Field) -> int:
    """Where a table field starts: at its key, or at its value for a positional field (``[k] = v`` starts
    one bracket before its key expression)."""
    if field.kind == "name" and field.key is not None:
        return field.key.start
    if field.kind == "expr" and field.key is not None:
        return field.key.start - 1
    return field.value.start


def _call_chain(call: Node) -> tuple[Node, list[tuple[Node, ...]]]:
    """The callee at the root of ``f(a)(b)(c)`` and the argument lists in call order."""
    chain: list[tuple[Node, ...]] = []
    node = call
    while node.kind == "call":
        chain.append(node.items[1:])
        node = node.items[0]
    chain.reverse()
    return node, chain


def _string_arg(args: tuple[Node, ...]) -> str | None:
    if args and args[0].kind == "string":
        return string_value(args[0].value)
    return None


def _header(call: Node) -> tuple[SectionKind, str | None, str | None, bool] | None:
    root, chain = _call_chain(call)
    if root.kind != "name" or root.value not in _HEADER_NAMES or not chain:
        return None
    kind = _HEADER_NAMES[root.value]
    name = _string_arg(chain[0])
    module: str | None = None
    inline = False
    rest = chain[1:]
    if kind == "Component" and rest and rest[0] and rest[0][0].kind == "string":
        module = string_value(rest[0][0].value)
        rest = rest[1:]
    if rest:
        inline = True
    return kind, name, module, inline


def _header_is_paren(call: Node | None, text: str) -> bool:
    if call is None:
        return False
    root, chain = _call_chain(call)
    return bool(chain) and text[root.end : (chain[0][0].start if chain[0] else root.end + 1)].strip() == "("


def _include(call: Node, text: str) -> str | LuaExpression | None:
    root, chain = _call_chain(call)
    if root.kind != "name" or root.value not in _INCLUDE_NAMES or len(chain) != 1 or not chain[0]:
        return None
    value = literal_value(chain[0][0], text)
    return value if isinstance(value, str | LuaExpression) else LuaExpression(text[chain[0][0].start : chain[0][0].end])


def _leading_block_start(text: str, spans: Spans, header_start: int) -> int:
    """Start of the comment lines directly above a header (no blank line between, indented no deeper
    than the header): they introduce that section rather than end the previous one."""
    # The lines above the header up to the code before it are trivia: lexed here, as tokens.
    index = bisect.bisect_left(spans.starts, header_start)
    gap_start = spans.ends[index - 1] if index else 0
    tokens = trivia(text, gap_start, header_start)
    if index:
        tokens.insert(0, Token("code", "", gap_start))  # stands for the code before: neither trivia nor a break
    k = len(tokens) - 1
    indent = ""
    if k >= 0 and tokens[k].kind == SPACE:
        indent = tokens[k].text
        k -= 1
    if k >= 0 and tokens[k].kind != NEWLINE:
        return header_start  # the header shares its line with other code
    start = header_start - len(indent)
    while k >= 0:
        # tokens[k] is the line break ending the line above; look at that line.
        j = k - 1
        if j < 0 or tokens[j].kind != COMMENT:
            break
        comment = tokens[j]
        j -= 1
        comment_indent = ""
        if j >= 0 and tokens[j].kind == SPACE:
            comment_indent = tokens[j].text
            j -= 1
        if (j >= 0 and tokens[j].kind != NEWLINE) or len(comment_indent) > len(indent):
            break
        start = comment.start - len(comment_indent)
        k = j
    return start


@functools.lru_cache(maxsize=4096)
def hostkey(name: str) -> str:
    """Host names as Prosody compares them (nameprep: case folding and normalisation)."""
    if name.isascii():
        return name.lower()  # nameprep maps nothing in ASCII but upper case (and is slow)
    try:
        return idna.nameprep(name)
    except UnicodeError:
        return name.lower()
