"""A Lua 5.4 parser that validates the whole chunk and keeps a statement-level view of its top level.

The grammar and its checks follow ``lparser.c``: operator priorities, assignment targets, unknown
attributes; the scope rules (``break``, ``goto``, labels, ``...``, ``<const>``) are :mod:`._scopes`'.

The parser is recursive descent, and nesting (tables in tables, functions in functions, parentheses,
right-associative operator chains) is capped at :data:`MAX_DEPTH` levels so that no input can exhaust
Python's stack: deeper input raises :class:`ParseError` saying so. Lua itself stops at about 200 C levels;
real configuration files nest a handful.

Only the top level is recorded (:class:`Statement`); expressions are kept as light :class:`Node` trees with
offsets, enough for reading literal values and recognising ``VirtualHost``/``Component`` calls.
"""

from __future__ import annotations

from jitsi_secure._core.recursion import recursion_limit_at_least
from jitsi_secure.formats.lua._expr import (
    BINARY,
    BLOCK_END,
    MAX_DEPTH,
    NAME_SUFFIX,
    SIMPLE_KINDS,
    VALUED,
    ExpressionParser,
    new_tuple,
)
from jitsi_secure.formats.lua._lexer import Lexemes, Spans, Token, _lexemes, lex
from jitsi_secure.formats.lua._tree import Field, Node, ParsedChunk, Statement

__all__ = ["MAX_DEPTH", "Field", "Node", "ParsedChunk", "Statement", "parse_chunk", "parse_text"]

_FRAMES_NEEDED = MAX_DEPTH * 10 + 200
_STATEMENT_KEYWORDS = frozenset({"if", "while", "do", "for", "repeat", "function", "local", "::", "break", "goto"})


def parse_chunk(tokens: list[Token], text: str, *, source: str = "<string>") -> ParsedChunk:
    """Parse the chunk ``tokens`` (of :func:`tokenize`) read from ``text``; raise :class:`ParseError`
    (line, column, what was expected) if it is not valid Lua 5.4."""
    return _parse(_lexemes(tokens), text, source, tuple(tokens))


def parse_text(text: str, *, source: str = "<string>") -> ParsedChunk:
    """Lex and parse ``text`` as :func:`parse_chunk` does, reading its trivia only on demand (the
    chunk's ``tokens``); raise :class:`ParseError` for the first error (a lexical error as
    :func:`tokenize` reports it, raised before any syntax error)."""
    return _parse(lex(text, source=source), text, source, None)


def _parse(lexemes: Lexemes, text: str, source: str, tokens: tuple[Token, ...] | None) -> ParsedChunk:
    parser = _Parser(lexemes, text, source)
    # MAX_DEPTH levels cost about 5 Python frames each (f(f(f(...))) at 196 levels reaches 987 frames, past
    # Python's default limit of 1000 once the caller's own frames count), so the limit is raised for the
    # parse, independently of the caller's depth.
    with recursion_limit_at_least(_FRAMES_NEEDED):
        statements = parser.chunk()
    spans = Spans.of(lexemes)
    chunk = ParsedChunk(text, tuple(statements), parser.commas, parser.semicolons, spans)
    if tokens is not None:
        chunk.__dict__["tokens"] = tokens  # already lexed by parse_chunk: not again
    return chunk


class _Parser(ExpressionParser):
    """The statements and blocks of a chunk, over :class:`ExpressionParser`."""

    # ----------------------------------------------------------------- chunk and blocks

    def chunk(self) -> list[Statement]:
        self.scopes.open_function(is_vararg=True)
        self.scopes.open_block(is_loop=False)
        statements: list[Statement] = []
        keys = self.keys
        while True:
            key = keys[self.i]
            if key == "<eof>":
                break
            if key == "return":
                start = self.starts[self.i]
                values = self.retstat()
                statements.append(Statement("return", start, self.prev_end(), values=tuple(values)))
                break
            statement = self.statement(top=True)
            if statement is not None:
                statements.append(statement)
        if keys[self.i] != "<eof>":
            raise self.error("'<eof>' expected")
        self.scopes.close_block()
        self.scopes.close_function()
        return statements

    def block(self, is_loop: bool = False) -> None:
        self.scopes.open_block(is_loop)
        keys = self.keys
        while True:
            key = keys[self.i]
            if key in BLOCK_END:
                break
            if key == "return":
                self.retstat()
                break
            self.statement(top=False)
        self.scopes.close_block()

    def retstat(self) -> list[Node]:
        self.enter()  # lparser.c counts 'return' as a statement level
        self.i += 1
        key = self.key()
        values = self.explist() if key not in BLOCK_END and key != ";" else []
        if self.key() == ";":
            self.i += 1
        self.leave()
        return values

    def block_follows_end(self) -> bool:
        """Whether only labels and ';' remain before the end of the current block (lparser.c's rule
        that a label at the end of a block is outside the scope of the block's locals)."""
        j = self.i
        keys = self.keys
        while True:
            key = keys[j]
            if key == ";":
                j += 1
            elif key == "::":
                j += 3
            else:
                return key in BLOCK_END

    # ----------------------------------------------------------------- statements

    def statement(self, *, top: bool) -> Statement | None:
        i = self.i
        keys = self.keys
        key = keys[i]
        start = self.starts[i]
        if key == ";":
            self.i = i + 1
            return None
        if key == "name" and keys[i + 1] == "=" and self.depth + 1 < MAX_DEPTH:
            # The shape config files are made of, `name = literal`, read at once; the same checks and
            # nodes as exprstat's way (it is that path with every call inlined).
            kind = SIMPLE_KINDS.get(keys[i + 2])
            after = keys[i + 3] if kind is not None else ","
            if after != "," and after not in BINARY and (kind != "name" or after not in NAME_SUFFIX):
                texts = self.texts
                name = texts[i]
                target: Node = new_tuple(Node, ("name", start, start + len(name), name, (), ()))
                self.scopes.check_assignable(target)
                text = texts[i + 2]
                value_start = self.starts[i + 2]
                value_end = value_start + len(text)
                value: Node = new_tuple(Node, (kind, value_start, value_end, text if kind in VALUED else "", (), ()))
                self.i = i + 3
                return Statement("assign", start, value_end, (target,), (value,)) if top else None
        self.enter()
        if key in _STATEMENT_KEYWORDS:
            kind = "local" if key == "local" else "other"
            getattr(self, "stat_" + {"::": "label"}.get(key, key))()
            self.depth -= 1
            return Statement(kind, start, self.prev_end()) if top else None
        statement = self.exprstat(start, top)
        self.depth -= 1
        return statement

    def stat_if(self) -> None:
        # Same shape as stat_for's bounds (token, expression, token): two grammar rules, nothing to share.
        self.i += 1
        self.expr()
        self.expect("then")
        self.block()
        while self.key() == "elseif":
            self.i += 1
            self.expr()
            self.expect("then")
            self.block()
        if self.key() == "else":
            self.i += 1
            self.block()
        self.expect("end")

    def stat_while(self) -> None:
        opener = self.expect("while")
        self.expr()
        self.expect("do")
        self.block(is_loop=True)
        self.expect_match("end", "while", opener)

    def stat_do(self) -> None:
        opener = self.expect("do")
        self.block()
        self.expect_match("end", "do", opener)

    def stat_for(self) -> None:
        opener = self.expect("for")
        names = [self.texts[self.name()]]
        if self.key() == "=":
            # Numeric for: like stat_if's rhythm, by grammar (see there).
            self.i += 1
            self.expr()
            self.expect(",")
            self.expr()
            if self.key() == ",":
                self.i += 1
                self.expr()
        elif self.key() in (",", "in"):
            while self.key() == ",":
                self.i += 1
                names.append(self.texts[self.name()])
            self.expect("in")
            self.explist()
        else:
            raise self.error("'=' or 'in' expected")
        self.expect("do")
        self.scopes.open_block(is_loop=True)
        self.scopes.fn.locals.extend((n, "") for n in names)
        self.block()
        self.scopes.close_block()
        self.expect_match("end", "for", opener)

    def stat_repeat(self) -> None:
        opener = self.expect("repeat")
        # The condition after 'until' sees the body's locals, so body and condition share one block.
        self.scopes.open_block(is_loop=True)
        self.scopes.open_block(is_loop=False)
        while self.key() not in BLOCK_END:
            if self.key() == "return":
                self.retstat()
                break
            self.statement(top=False)
        self.expect_match("until", "repeat", opener)
        self.expr()
        self.scopes.close_block()
        self.scopes.close_block()

    def stat_function(self) -> None:
        self.i += 1
        node = self.name_node("name")
        is_method = False
        while self.key() == ".":
            self.i += 1
            self.name()
            node = Node("index", node.start, self.prev_end())
        if self.key() == ":":
            self.i += 1
            self.name()
            is_method = True
        self.scopes.check_assignable(node)
        self.funcbody(is_method)

    def stat_local(self) -> None:
        self.i += 1
        if self.key() == "function":
            self.i += 1
            name = self.texts[self.name()]
            self.scopes.fn.locals.append((name, ""))  # visible inside its own body, for recursion
            self.funcbody(False)
            return
        declared: list[tuple[str, str]] = []
        closes = 0
        while True:
            name = self.texts[self.name()]
            attrib = ""
            if self.key() == "<":
                self.i += 1
                attr_k = self.name()
                attrib = self.texts[attr_k]
                if attrib not in ("const", "close"):
                    raise self.error(f"unknown attribute '{attrib}'", attr_k)
                self.expect(">")
                if attrib == "close":
                    closes += 1
                    if closes > 1:
                        raise self.error("multiple to-be-closed variables in local list")
            declared.append((name, attrib))
            if self.key() != ",":
                break
            self.i += 1
        if self.key() == "=":
            self.i += 1
            self.explist()
        self.scopes.fn.locals.extend(declared)

    def stat_label(self) -> None:
        self.i += 1
        k = self.name()
        self.expect("::")
        self.scopes.declare_label(self.texts[k], self.starts[k], self.block_follows_end())

    def stat_break(self) -> None:
        k = self.expect("break")
        self.scopes.goto("break", self.starts[k])

    def stat_goto(self) -> None:
        k = self.expect("goto")
        self.scopes.goto(self.texts[self.name()], self.starts[k])

    def exprstat(self, start: int, top: bool) -> Statement | None:
        first = self.suffixedexp()
        if self.key() in ("=", ","):
            targets = [first]
            while True:
                # Checked as each target ends, like lparser.c's restassign, so the error points at the
                # token after the first bad target.
                target = targets[-1]
                if target.kind not in ("name", "index"):
                    raise self.error("syntax error")
                self.scopes.check_assignable(target)
                if self.key() != ",":
                    break
                self.i += 1
                targets.append(self.suffixedexp())
            self.expect("=")
            values = self.explist()
            return Statement("assign", start, self.prev_end(), tuple(targets), tuple(values)) if top else None
        if first.kind not in ("call", "method"):
            raise self.error("syntax error")
        return Statement("call", start, self.prev_end(), call=first) if top else None

    def funcbody(self, is_method: bool) -> None:
        opener = self.expect("(")
        params: list[str] = ["self"] if is_method else []
        is_vararg = False
        if self.key() != ")":
            while True:
                if self.key() == "...":
                    self.i += 1
                    is_vararg = True
                    break
                params.append(self.texts[self.name()])
                if self.key() != ",":
                    break
                self.i += 1
        self.expect_match(")", "(", opener)
        self.scopes.open_function(is_vararg)
        self.scopes.fn.locals.extend((p, "") for p in params)
        self.block()
        self.scopes.close_function()
        self.expect_match("end", "function", opener)
