"""A Lua 5.4 parser that validates the whole chunk and keeps a statement-level view of its top level.

The grammar and its checks follow ``lparser.c``: operator priorities, assignment targets, ``break``
outside a loop, ``goto`` without a visible label or jumping into the scope of a local, duplicate labels,
``...`` outside a vararg function, unknown attributes and assignments to ``<const>`` locals.

The parser is recursive descent, and nesting (tables in tables, functions in functions, parentheses,
right-associative operator chains) is capped at :data:`MAX_DEPTH` levels so that no input can exhaust
Python's stack: deeper input raises :class:`ParseError` saying so. Lua itself stops at about 200 C levels;
real configuration files nest a handful.

Only the top level is recorded (:class:`Statement`); expressions are kept as light :class:`Node` trees with
offsets, enough for reading literal values and recognising ``VirtualHost``/``Component`` calls.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import NamedTuple

from jitsi_secure.errors import ParseError
from jitsi_secure.formats.lua._lexer import EOF, KEYWORD, LONGSTRING, NAME, NUMBER, OP, STRING, TRIVIA, Token

__all__ = ["MAX_DEPTH", "Field", "Node", "ParsedChunk", "Statement", "parse_chunk"]

#: How deep expressions and blocks may nest before the parser gives up with a ParseError.
MAX_DEPTH = 198

_FRAMES_NEEDED = MAX_DEPTH * 10 + 200

# lparser.c priority table: (left, right) binding power of each binary operator.
_BINARY = {
    "or": (1, 1),
    "and": (2, 2),
    "<": (3, 3),
    ">": (3, 3),
    "<=": (3, 3),
    ">=": (3, 3),
    "~=": (3, 3),
    "==": (3, 3),
    "|": (4, 4),
    "~": (5, 5),
    "&": (6, 6),
    "<<": (7, 7),
    ">>": (7, 7),
    "..": (9, 8),
    "+": (10, 10),
    "-": (10, 10),
    "*": (11, 11),
    "/": (11, 11),
    "//": (11, 11),
    "%": (11, 11),
    "^": (14, 13),
}
_UNARY = frozenset({"not", "-", "#", "~"})
_UNARY_PRIORITY = 12
_BLOCK_END = frozenset({"end", "else", "elseif", "until", "<eof>"})
# expr()'s fast path: the node kind of a token that is a whole expression when no operator follows.
_SIMPLE_KINDS = {
    NUMBER: "number",
    STRING: "string",
    LONGSTRING: "string",
    NAME: "name",
    "nil": "nil",
    "true": "true",
    "false": "false",
}
_VALUED = frozenset({"number", "string", "name"})
_SUFFIX = frozenset({".", "[", ":", "(", "{"})
_STRINGS = (STRING, LONGSTRING)


@dataclass(frozen=True, slots=True)
class Node:
    """An expression: ``kind`` (``nil``, ``true``, ``false``, ``number``, ``string``, ``table``, ``name``,
    ``call``, ``method``, ``index``, ``paren``, ``binop``, ``unop``, ``function``, ``vararg``), its
    character range, ``value`` (the token text of a literal, a name, an operator) and children
    (``call``: callee then arguments; ``index``: object then key; ``binop``/``unop``/``paren``: operands)."""

    kind: str
    start: int
    end: int
    value: str = ""
    items: tuple[Node, ...] = ()
    fields: tuple[Field, ...] = ()


class Field(NamedTuple):
    """A table constructor field: ``kind`` is ``"pos"`` (``v``), ``"name"`` (``k = v``) or ``"expr"``
    (``[k] = v``); ``sep`` is the ``,``/``;`` that follows it ("" for none)."""

    kind: str
    key: Node | None
    name: str
    value: Node
    sep: str


@dataclass(frozen=True, slots=True)
class Statement:
    """A top-level statement: ``kind`` is ``assign``, ``call``, ``local``, ``return`` or ``other``;
    ``start``/``end`` cover its tokens (not the trivia around it). Assignments have ``targets``/``values``,
    a ``return`` its ``values`` (a data file such as a Prosody account); calls ``call``."""

    kind: str
    start: int
    end: int
    targets: tuple[Node, ...] = ()
    values: tuple[Node, ...] = ()
    call: Node | None = None


@dataclass(frozen=True, slots=True)
class ParsedChunk:
    """The result of :func:`parse_chunk`: the tokens (trivia included), top-level statements, and the
    counts of ``,`` and ``;`` used between table fields (the file's habit)."""

    tokens: tuple[Token, ...]
    statements: tuple[Statement, ...]
    commas: int
    semicolons: int


@dataclass
class _Block:
    is_loop: bool
    nactive: int  # active locals of the function when the block opened
    labels: dict[str, tuple[int, bool]] = field(default_factory=dict)  # name -> (nactive, at block end)
    gotos: list[tuple[str, int, int]] = field(default_factory=list)  # (label, nactive at goto, offset)


@dataclass
class _Function:
    is_vararg: bool
    locals: list[tuple[str, str]] = field(default_factory=list)  # (name, attribute)
    blocks: list[_Block] = field(default_factory=list)


def parse_chunk(tokens: list[Token], text: str, *, source: str = "<string>") -> ParsedChunk:
    """Parse a whole chunk; raise :class:`ParseError` (line, column, what was expected) if it is not
    valid Lua 5.4."""
    parser = _Parser(tokens, text, source)
    # MAX_DEPTH levels cost up to ~8 Python frames each. Since Python 3.11 pure-Python calls do not use
    # the C stack, a temporarily higher limit is safe and keeps the cap independent of the caller's depth.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, _FRAMES_NEEDED + _stack_depth()))
    try:
        statements = parser.chunk()
    finally:
        sys.setrecursionlimit(limit)
    return ParsedChunk(tuple(tokens), tuple(statements), parser.commas, parser.semicolons)


def _stack_depth() -> int:
    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth += 1
        frame = frame.f_back  # type: ignore[assignment]
    return depth


class _Parser:
    def __init__(self, tokens: list[Token], text: str, source: str) -> None:
        self.toks = [t for t in tokens if t.kind not in TRIVIA]
        # What key() returns for each token, computed once: the grammar asks several times per token.
        self.keys = [t.text if t.kind in (OP, KEYWORD) else ("<eof>" if t.kind == EOF else t.kind) for t in self.toks]
        self.text = text
        self.source = source
        self.i = 0
        self.depth = 0
        self.commas = 0
        self.semicolons = 0
        self.functions: list[_Function] = []

    # ----------------------------------------------------------------- token helpers

    def tok(self) -> Token:
        return self.toks[self.i]

    def key(self) -> str:
        """The current token as the grammar sees it: operators and keywords by text, else by kind."""
        return self.keys[self.i]

    def next(self) -> Token:
        t = self.toks[self.i]
        self.i += 1
        return t

    def prev_end(self) -> int:
        return self.toks[self.i - 1].end

    def error(self, message: str, token: Token | None = None) -> ParseError:
        t = token if token is not None else self.tok()
        near = "<eof>" if t.kind == EOF else f"'{t.text[:40]}'"
        return ParseError.at(self.text, t.start, f"{message} near {near}", source=self.source)

    def expect(self, what: str, context: str = "") -> Token:
        if self.key() != what:
            raise self.error(f"'{what}' expected{context}")
        return self.next()

    def expect_match(self, what: str, opener: str, open_token: Token) -> None:
        if self.key() != what:
            line = self.text.count("\n", 0, open_token.start) + 1
            context = "" if self.tok().start == open_token.start else f" (to close '{opener}' at line {line})"
            raise self.error(f"'{what}' expected{context}")
        self.next()

    def name(self) -> Token:
        if self.tok().kind != NAME:
            raise self.error("<name> expected")
        return self.next()

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"nesting deeper than {MAX_DEPTH} levels is not supported")

    def leave(self) -> None:
        self.depth -= 1

    # ----------------------------------------------------------------- scopes (lparser.c semantics)

    @property
    def fn(self) -> _Function:
        return self.functions[-1]

    def open_function(self, is_vararg: bool) -> None:
        self.functions.append(_Function(is_vararg))

    def close_function(self) -> None:
        self.functions.pop()

    def open_block(self, is_loop: bool) -> None:
        self.fn.blocks.append(_Block(is_loop, len(self.fn.locals)))

    def close_block(self) -> None:
        fn = self.fn
        block = fn.blocks.pop()
        del fn.locals[block.nactive :]
        pending = [g for g in block.gotos if not (g[0] == "break" and block.is_loop)]
        if fn.blocks:
            # Gotos leaving a block now count only the locals active outside it.
            fn.blocks[-1].gotos.extend((label, min(n, block.nactive), off) for label, n, off in pending)
            return
        for label, _n, offset in pending:
            line = self.text.count("\n", 0, offset) + 1
            if label == "break":
                message = f"break outside a loop at line {line}"
            else:
                message = f"no visible label '{label}' for goto at line {line}"
            raise ParseError.at(self.text, offset, message, source=self.source)

    def declare_label(self, name: str, token: Token, at_block_end: bool) -> None:
        fn = self.fn
        for block in fn.blocks:
            if name in block.labels:
                raise ParseError.at(self.text, token.start, f"label '{name}' already defined", source=self.source)
        block = fn.blocks[-1]
        nactive = block.nactive if at_block_end else len(fn.locals)
        block.labels[name] = (nactive, at_block_end)
        remaining = []
        for label, n, offset in block.gotos:
            if label != name:
                remaining.append((label, n, offset))
            elif n < nactive:
                local = fn.locals[n][0]
                line = self.text.count("\n", 0, offset) + 1
                message = f"<goto {name}> at line {line} jumps into the scope of local '{local}'"
                raise ParseError.at(self.text, offset, message, source=self.source)
        block.gotos[:] = remaining

    def goto(self, name: str, offset: int) -> None:
        fn = self.fn
        if name != "break":
            for block in reversed(fn.blocks):
                if name in block.labels:
                    return  # backward jump to a visible label: always allowed
        fn.blocks[-1].gotos.append((name, len(fn.locals), offset))

    def check_assignable(self, target: Node) -> None:
        if target.kind != "name":
            return
        for fn in reversed(self.functions):
            for name, attrib in reversed(fn.locals):
                if name == target.value:
                    if attrib in ("const", "close"):
                        raise ParseError.at(
                            self.text,
                            target.start,
                            f"attempt to assign to const variable '{name}'",
                            source=self.source,
                        )
                    return

    # ----------------------------------------------------------------- chunk and blocks

    def chunk(self) -> list[Statement]:
        self.open_function(is_vararg=True)
        self.open_block(is_loop=False)
        statements: list[Statement] = []
        while True:
            key = self.key()
            if key == "<eof>":
                break
            if key == "return":
                start = self.tok().start
                values = self.retstat()
                statements.append(Statement("return", start, self.prev_end(), values=tuple(values)))
                break
            statement = self.statement(top=True)
            if statement is not None:
                statements.append(statement)
        if self.key() != "<eof>":
            raise self.error("'<eof>' expected")
        self.close_block()
        self.close_function()
        return statements

    def block(self, is_loop: bool = False) -> None:
        self.open_block(is_loop)
        while True:
            key = self.key()
            if key in _BLOCK_END:
                break
            if key == "return":
                self.retstat()
                break
            self.statement(top=False)
        self.close_block()

    def retstat(self) -> list[Node]:
        self.enter()  # lparser.c counts 'return' as a statement level
        self.next()
        values = self.explist() if self.key() not in _BLOCK_END and self.key() != ";" else []
        if self.key() == ";":
            self.next()
        self.leave()
        return values

    def block_follows_end(self) -> bool:
        """Whether only labels and ';' remain before the end of the current block (lparser.c's rule
        that a label at the end of a block is outside the scope of the block's locals)."""
        j = self.i
        toks = self.toks
        while True:
            t = toks[j]
            if t.kind == OP and t.text == ";":
                j += 1
            elif t.kind == OP and t.text == "::":
                j += 3
            else:
                key = t.text if t.kind in (OP, KEYWORD) else ("<eof>" if t.kind == EOF else t.kind)
                return key in _BLOCK_END

    # ----------------------------------------------------------------- statements

    def statement(self, *, top: bool) -> Statement | None:
        t = self.tok()
        key = self.key()
        start = t.start
        if key == ";":
            self.next()
            return None
        self.enter()
        if key in ("if", "while", "do", "for", "repeat", "function", "local", "::", "break", "goto"):
            kind = "local" if key == "local" else "other"
            getattr(self, "stat_" + {"::": "label"}.get(key, key))()
            self.leave()
            return Statement(kind, start, self.prev_end()) if top else None
        statement = self.exprstat(start, top)
        self.leave()
        return statement

    def stat_if(self) -> None:
        self.next()
        self.expr()
        self.expect("then")
        self.block()
        while self.key() == "elseif":
            self.next()
            self.expr()
            self.expect("then")
            self.block()
        if self.key() == "else":
            self.next()
            self.block()
        self.expect("end")

    def stat_while(self) -> None:
        opener = self.next()
        self.expr()
        self.expect("do")
        self.block(is_loop=True)
        self.expect_match("end", "while", opener)

    def stat_do(self) -> None:
        opener = self.next()
        self.block()
        self.expect_match("end", "do", opener)

    def stat_for(self) -> None:
        opener = self.next()
        names = [self.name().text]
        if self.key() == "=":
            self.next()
            self.expr()
            self.expect(",")
            self.expr()
            if self.key() == ",":
                self.next()
                self.expr()
        elif self.key() in (",", "in"):
            while self.key() == ",":
                self.next()
                names.append(self.name().text)
            self.expect("in")
            self.explist()
        else:
            raise self.error("'=' or 'in' expected")
        self.expect("do")
        self.open_block(is_loop=True)
        self.fn.locals.extend((n, "") for n in names)
        self.block()
        self.close_block()
        self.expect_match("end", "for", opener)

    def stat_repeat(self) -> None:
        opener = self.next()
        # The condition after 'until' sees the body's locals, so body and condition share one block.
        self.open_block(is_loop=True)
        self.open_block(is_loop=False)
        while self.key() not in _BLOCK_END:
            if self.key() == "return":
                self.retstat()
                break
            self.statement(top=False)
        self.expect_match("until", "repeat", opener)
        self.expr()
        self.close_block()
        self.close_block()

    def stat_function(self) -> None:
        self.next()
        target = self.name()
        node = Node("name", target.start, target.end, target.text)
        is_method = False
        while self.key() == ".":
            self.next()
            self.name()
            node = Node("index", node.start, self.prev_end())
        if self.key() == ":":
            self.next()
            self.name()
            is_method = True
        self.check_assignable(node)
        self.funcbody(is_method)

    def stat_local(self) -> None:
        self.next()
        if self.key() == "function":
            self.next()
            name = self.name().text
            self.fn.locals.append((name, ""))  # visible inside its own body, for recursion
            self.funcbody(False)
            return
        declared: list[tuple[str, str]] = []
        closes = 0
        while True:
            name = self.name().text
            attrib = ""
            if self.key() == "<":
                self.next()
                attr_token = self.name()
                attrib = attr_token.text
                if attrib not in ("const", "close"):
                    raise self.error(f"unknown attribute '{attrib}'", attr_token)
                self.expect(">")
                if attrib == "close":
                    closes += 1
                    if closes > 1:
                        raise self.error("multiple to-be-closed variables in local list")
            declared.append((name, attrib))
            if self.key() != ",":
                break
            self.next()
        if self.key() == "=":
            self.next()
            self.explist()
        self.fn.locals.extend(declared)

    def stat_label(self) -> None:
        self.next()
        token = self.name()
        self.expect("::")
        self.declare_label(token.text, token, self.block_follows_end())

    def stat_break(self) -> None:
        token = self.next()
        self.goto("break", token.start)

    def stat_goto(self) -> None:
        token = self.next()
        self.goto(self.name().text, token.start)

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
                self.check_assignable(target)
                if self.key() != ",":
                    break
                self.next()
                targets.append(self.suffixedexp())
            self.expect("=")
            values = self.explist()
            return Statement("assign", start, self.prev_end(), tuple(targets), tuple(values)) if top else None
        if first.kind not in ("call", "method"):
            raise self.error("syntax error")
        return Statement("call", start, self.prev_end(), call=first) if top else None

    # ----------------------------------------------------------------- expressions

    def explist(self) -> list[Node]:
        nodes = [self.expr()]
        while self.key() == ",":
            self.next()
            nodes.append(self.expr())
        return nodes

    def expr(self) -> Node:
        """Operator-precedence parsing with explicit stacks (lparser.c's ``subexpr`` priorities), so long
        operator chains cost no Python recursion."""
        # Most expressions in a config file are one literal or one name: the same node, built directly.
        i = self.i
        t = self.toks[i]
        after = self.keys[i + 1] if t.kind != EOF else "<eof>"
        if self.depth < MAX_DEPTH and after not in _BINARY:
            kind = _SIMPLE_KINDS.get(t.kind) or _SIMPLE_KINDS.get(self.keys[i])
            if kind is not None and (
                kind != "name" or (after not in _SUFFIX and self.toks[i + 1].kind not in _STRINGS)
            ):
                self.i = i + 1
                return Node(kind, t.start, t.start + len(t.text), t.text if kind in _VALUED else "")
        self.enter()
        operands: list[Node] = []
        # Each pending operator: (text, right priority, start offset, is_unary).
        operators: list[tuple[str, int, int, bool]] = []
        while True:
            while self.key() in _UNARY:
                t = self.next()
                operators.append((t.text, _UNARY_PRIORITY, t.start, True))
                if self.depth + len(operators) > MAX_DEPTH:
                    raise self.error(f"nesting deeper than {MAX_DEPTH} levels is not supported")
            operands.append(self.simpleexp())
            op = self.key()
            priority = _BINARY.get(op)
            if priority is None:
                break
            left, right = priority
            while operators and operators[-1][1] >= left:
                self._reduce(operands, operators)
            t = self.next()
            operators.append((t.text, right, t.start, False))
            if self.depth + len(operators) > MAX_DEPTH:
                raise self.error(f"nesting deeper than {MAX_DEPTH} levels is not supported")
        while operators:
            self._reduce(operands, operators)
        self.leave()
        return operands[0]

    @staticmethod
    def _reduce(operands: list[Node], operators: list[tuple[str, int, int, bool]]) -> None:
        op, _priority, start, unary = operators.pop()
        if unary:
            x = operands.pop()
            operands.append(Node("unop", start, x.end, op, (x,)))
        else:
            rhs = operands.pop()
            lhs = operands.pop()
            operands.append(Node("binop", lhs.start, rhs.end, op, (lhs, rhs)))

    def simpleexp(self) -> Node:
        t = self.tok()
        kind = t.kind
        if kind == NUMBER:
            self.next()
            return Node("number", t.start, t.end, t.text)
        if kind in (STRING, LONGSTRING):
            self.next()
            return Node("string", t.start, t.end, t.text)
        key = self.key()
        if key in ("nil", "true", "false"):
            self.next()
            return Node(key, t.start, t.end)
        if key == "...":
            if not self.fn.is_vararg:
                raise self.error("cannot use '...' outside a vararg function")
            self.next()
            return Node("vararg", t.start, t.end)
        if key == "{":
            return self.table()
        if key == "function":
            self.next()
            self.funcbody(False)
            return Node("function", t.start, self.prev_end())
        return self.suffixedexp()

    def primaryexp(self) -> Node:
        t = self.tok()
        if t.kind == NAME:
            self.next()
            return Node("name", t.start, t.end, t.text)
        if self.key() == "(":
            self.next()
            inner = self.expr()
            self.expect_match(")", "(", t)
            return Node("paren", t.start, self.prev_end(), "", (inner,))
        raise self.error("unexpected symbol")

    def suffixedexp(self) -> Node:
        node = self.primaryexp()
        while True:
            key = self.key()
            if key == ".":
                self.next()
                name = self.name()
                node = Node("index", node.start, name.end, "", (node, Node("key", name.start, name.end, name.text)))
            elif key == "[":
                self.next()
                index = self.expr()
                self.expect("]")
                node = Node("index", node.start, self.prev_end(), "", (node, index))
            elif key == ":":
                self.next()
                method = self.name().text
                args = self.callargs()
                node = Node("method", node.start, self.prev_end(), method, (node, *args))
            elif key in ("(", "{") or self.tok().kind in (STRING, LONGSTRING):
                args = self.callargs()
                node = Node("call", node.start, self.prev_end(), "", (node, *args))
            else:
                return node

    def callargs(self) -> list[Node]:
        t = self.tok()
        if t.kind in (STRING, LONGSTRING):
            self.next()
            return [Node("string", t.start, t.end, t.text)]
        key = self.key()
        if key == "{":
            return [self.table()]
        if key != "(":
            raise self.error("function arguments expected")
        self.next()
        args = [] if self.key() == ")" else self.explist()
        self.expect_match(")", "(", t)
        return args

    def table(self) -> Node:
        opener = self.next()
        fields: list[Field] = []
        while self.key() != "}":
            key = self.key()
            if key == "[":
                self.next()
                k: Node | None = self.expr()
                self.expect("]")
                self.expect("=")
                fields.append(Field("expr", k, "", self.expr(), ""))
            elif self.tok().kind == NAME and self.toks[self.i + 1].kind == OP and self.toks[self.i + 1].text == "=":
                name = self.next()
                self.next()
                key_node = Node("key", name.start, name.end, name.text)
                fields.append(Field("name", key_node, name.text, self.expr(), ""))
            else:
                fields.append(Field("pos", None, "", self.expr(), ""))
            if self.key() in (",", ";"):
                sep = self.next().text
                if sep == ",":
                    self.commas += 1
                else:
                    self.semicolons += 1
                fields[-1] = fields[-1]._replace(sep=sep)
            else:
                break
        self.expect_match("}", "{", opener)
        return Node("table", opener.start, self.prev_end(), fields=tuple(fields))

    def funcbody(self, is_method: bool) -> None:
        opener = self.expect("(")
        params: list[str] = ["self"] if is_method else []
        is_vararg = False
        if self.key() != ")":
            while True:
                if self.key() == "...":
                    self.next()
                    is_vararg = True
                    break
                params.append(self.name().text)
                if self.key() != ",":
                    break
                self.next()
        self.expect_match(")", "(", opener)
        self.open_function(is_vararg)
        self.fn.locals.extend((p, "") for p in params)
        self.open_block(is_loop=False)
        while True:
            key = self.key()
            if key in _BLOCK_END:
                break
            if key == "return":
                self.retstat()
                break
            self.statement(top=False)
        self.close_block()
        self.close_function()
        self.expect_match("end", "function", opener)
