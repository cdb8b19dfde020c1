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

import sys

from jitsi_secure.errors import ParseError
from jitsi_secure.formats.lua._lexer import EOF, KEYWORD, LONGSTRING, NAME, NUMBER, OP, STRING, TRIVIA, Token
from jitsi_secure.formats.lua._scopes import Scopes
from jitsi_secure.formats.lua._tree import Field, Node, ParsedChunk, Statement

__all__ = ["MAX_DEPTH", "Field", "Node", "ParsedChunk", "Statement", "parse_chunk"]

#: How deep expressions and blocks may nest before the parser gives up with a ParseError.
MAX_DEPTH = 198

_FRAMES_NEEDED = MAX_DEPTH * 10 + 200

# lparser.c priority table: each operator with its (left, right) binding power.
_PRIORITIES = "or 1 1; and 2 2; < > <= >= ~= == 3 3; | 4 4; ~ 5 5; & 6 6; << >> 7 7; .. 9 8; + - 10 10; * / // % 11 11"
_BINARY = {op: (int(left), int(right)) for *ops, left, right in map(str.split, _PRIORITIES.split(";")) for op in ops}
_BINARY["^"] = (14, 13)
_UNARY = frozenset({"not", "-", "#", "~"})
_UNARY_PRIORITY = 12
_BLOCK_END = frozenset({"end", "else", "elseif", "until", "<eof>"})
# expr()'s fast path: the node kind of a token that is a whole expression when no operator follows.
_SIMPLE_KINDS = {NUMBER: "number", STRING: "string", LONGSTRING: "string", NAME: "name"} | {
    k: k for k in ("nil", "true", "false")
}
_VALUED = frozenset({"number", "string", "name"})
_SUFFIX = frozenset({".", "[", ":", "(", "{"})
_STRINGS = (STRING, LONGSTRING)


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
        self.scopes = Scopes(text, source)

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

    # ----------------------------------------------------------------- chunk and blocks

    def chunk(self) -> list[Statement]:
        self.scopes.open_function(is_vararg=True)
        self.scopes.open_block(is_loop=False)
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
        self.scopes.close_block()
        self.scopes.close_function()
        return statements

    def block(self, is_loop: bool = False) -> None:
        self.scopes.open_block(is_loop)
        while True:
            key = self.key()
            if key in _BLOCK_END:
                break
            if key == "return":
                self.retstat()
                break
            self.statement(top=False)
        self.scopes.close_block()

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
        # Same shape as stat_for's bounds (token, expression, token): two grammar rules, nothing to share.
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
            # Numeric for: like stat_if's rhythm, by grammar (see there).
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
        self.scopes.open_block(is_loop=True)
        self.scopes.fn.locals.extend((n, "") for n in names)
        self.block()
        self.scopes.close_block()
        self.expect_match("end", "for", opener)

    def stat_repeat(self) -> None:
        opener = self.next()
        # The condition after 'until' sees the body's locals, so body and condition share one block.
        self.scopes.open_block(is_loop=True)
        self.scopes.open_block(is_loop=False)
        while self.key() not in _BLOCK_END:
            if self.key() == "return":
                self.retstat()
                break
            self.statement(top=False)
        self.expect_match("until", "repeat", opener)
        self.expr()
        self.scopes.close_block()
        self.scopes.close_block()

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
        self.scopes.check_assignable(node)
        self.funcbody(is_method)

    def stat_local(self) -> None:
        self.next()
        if self.key() == "function":
            self.next()
            name = self.name().text
            self.scopes.fn.locals.append((name, ""))  # visible inside its own body, for recursion
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
        self.scopes.fn.locals.extend(declared)

    def stat_label(self) -> None:
        self.next()
        token = self.name()
        self.expect("::")
        self.scopes.declare_label(token.text, token, self.block_follows_end())

    def stat_break(self) -> None:
        token = self.next()
        self.scopes.goto("break", token.start)

    def stat_goto(self) -> None:
        token = self.next()
        self.scopes.goto(self.name().text, token.start)

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
            if not self.scopes.fn.is_vararg:
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
        self.scopes.open_function(is_vararg)
        self.scopes.fn.locals.extend((p, "") for p in params)
        self.block()
        self.scopes.close_function()
        self.expect_match("end", "function", opener)
