"""The expressions of the Lua parser (:mod:`._parser`, which adds statements and blocks): the token
helpers both share, operator precedence, tables, calls and indexing, as ``lparser.c`` reads them.

Tokens are :class:`Lexemes`, parallel lists a token indexes by its position ``i``.
"""

from __future__ import annotations

from jitsi_secure.errors import ParseError
from jitsi_secure.formats.lua._lexer import Lexemes
from jitsi_secure.formats.lua._scopes import Scopes
from jitsi_secure.formats.lua._tree import Field, Node

__all__ = ["BINARY", "BLOCK_END", "MAX_DEPTH", "NAME_SUFFIX", "SIMPLE_KINDS", "VALUED", "ExpressionParser", "new_tuple"]

#: How deep expressions and blocks may nest before the parser gives up with a ParseError.
MAX_DEPTH = 198
# lparser.c priority table: each operator with its (left, right) binding power.
_PRIORITIES = "or 1 1; and 2 2; < > <= >= ~= == 3 3; | 4 4; ~ 5 5; & 6 6; << >> 7 7; .. 9 8; + - 10 10; * / // % 11 11"
BINARY = {op: (int(left), int(right)) for *ops, left, right in map(str.split, _PRIORITIES.split(";")) for op in ops}
BINARY["^"] = (14, 13)
_UNARY = frozenset({"not", "-", "#", "~"})
_UNARY_PRIORITY = 12
BLOCK_END = frozenset({"end", "else", "elseif", "until", "<eof>"})
# The fast paths' table: the node kind of a token (by its key) that is a whole expression when no
# operator or suffix follows it.
SIMPLE_KINDS = {"num": "number", "str": "string", "lstr": "string", "name": "name"} | {
    k: k for k in ("nil", "true", "false")
}
VALUED = frozenset({"number", "string", "name"})
# What may follow a name that would make it more than a name: an index, a method, a call.
NAME_SUFFIX = frozenset({".", "[", ":", "(", "{", "str", "lstr"})
_FIELD_END = frozenset({",", ";", "}"})
# Nodes and fields built without the named tuples' Python-level __new__ (the parser's most frequent call).
new_tuple = tuple.__new__


class ExpressionParser:
    """Expressions over :class:`Lexemes`; :meth:`funcbody` (a function's body is a block) is the
    statement parser's."""

    def __init__(self, lexemes: Lexemes, text: str, source: str) -> None:
        self.keys, self.texts, self.starts = lexemes
        self.text = text
        self.source = source
        self.i = 0
        self.depth = 0
        self.commas = 0
        self.semicolons = 0
        self.scopes = Scopes(text, source)

    # ----------------------------------------------------------------- token helpers

    def key(self) -> str:
        """The current token as the grammar sees it: operators and keywords by text, else by kind."""
        return self.keys[self.i]

    def end_of(self, k: int) -> int:
        return self.starts[k] + len(self.texts[k])

    def prev_end(self) -> int:
        k = self.i - 1
        return self.starts[k] + len(self.texts[k])

    def error(self, message: str, k: int | None = None) -> ParseError:
        if k is None:
            k = self.i
        near = "<eof>" if self.keys[k] == "<eof>" else f"'{self.texts[k][:40]}'"
        return ParseError.at(self.text, self.starts[k], f"{message} near {near}", source=self.source)

    def expect(self, what: str, context: str = "") -> int:
        k = self.i
        if self.keys[k] != what:
            raise self.error(f"'{what}' expected{context}")
        self.i = k + 1
        return k

    def expect_match(self, what: str, opener: str, open_k: int) -> None:
        if self.keys[self.i] != what:
            open_start = self.starts[open_k]
            line = self.text.count("\n", 0, open_start) + 1
            context = "" if self.starts[self.i] == open_start else f" (to close '{opener}' at line {line})"
            raise self.error(f"'{what}' expected{context}")
        self.i += 1

    def name(self) -> int:
        k = self.i
        if self.keys[k] != "name":
            raise self.error("<name> expected")
        self.i = k + 1
        return k

    def name_node(self, kind: str) -> Node:
        """The name at the current token as a node of ``kind`` (``name`` or ``key``)."""
        k = self.name()
        text = self.texts[k]
        start = self.starts[k]
        return new_tuple(Node, (kind, start, start + len(text), text, (), ()))

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"nesting deeper than {MAX_DEPTH} levels is not supported")

    def leave(self) -> None:
        self.depth -= 1

    def explist(self) -> list[Node]:
        nodes = [self.expr()]
        while self.keys[self.i] == ",":
            self.i += 1
            nodes.append(self.expr())
        return nodes

    def expr(self) -> Node:
        """Operator-precedence parsing with explicit stacks (lparser.c's ``subexpr`` priorities), so long
        operator chains cost no Python recursion."""
        # Most expressions in a config file are one literal or one name: the same node, built directly.
        i = self.i
        keys = self.keys
        kind = SIMPLE_KINDS.get(keys[i])
        if kind is not None and self.depth < MAX_DEPTH:
            after = keys[i + 1]
            if after not in BINARY and (kind != "name" or after not in NAME_SUFFIX):
                self.i = i + 1
                text = self.texts[i]
                start = self.starts[i]
                return new_tuple(Node, (kind, start, start + len(text), text if kind in VALUED else "", (), ()))
        self.enter()
        operands: list[Node] = []
        # Each pending operator: (text, right priority, start offset, is_unary).
        operators: list[tuple[str, int, int, bool]] = []
        while True:
            while keys[self.i] in _UNARY:
                k = self.i
                self.i = k + 1
                operators.append((keys[k], _UNARY_PRIORITY, self.starts[k], True))
                if self.depth + len(operators) > MAX_DEPTH:
                    raise self.error(f"nesting deeper than {MAX_DEPTH} levels is not supported")
            operands.append(self.simpleexp())
            k = self.i
            op = keys[k]
            priority = BINARY.get(op)
            if priority is None:
                break
            left, right = priority
            while operators and operators[-1][1] >= left:
                self._reduce(operands, operators)
            self.i = k + 1
            operators.append((op, right, self.starts[k], False))
            if self.depth + len(operators) > MAX_DEPTH:
                raise self.error(f"nesting deeper than {MAX_DEPTH} levels is not supported")
        while operators:
            self._reduce(operands, operators)
        self.depth -= 1
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
        k = self.i
        key = self.keys[k]
        kind = SIMPLE_KINDS.get(key)
        if kind is not None and kind != "name":
            self.i = k + 1
            text = self.texts[k]
            start = self.starts[k]
            return new_tuple(Node, (kind, start, start + len(text), text if kind in VALUED else "", (), ()))
        if key == "...":
            if not self.scopes.fn.is_vararg:
                raise self.error("cannot use '...' outside a vararg function")
            self.i = k + 1
            return Node("vararg", self.starts[k], self.end_of(k))
        if key == "{":
            return self.table()
        if key == "function":
            self.i = k + 1
            self.funcbody(False)
            return Node("function", self.starts[k], self.prev_end())
        return self.suffixedexp()

    def primaryexp(self) -> Node:
        k = self.i
        key = self.keys[k]
        if key == "name":
            return self.name_node("name")
        if key == "(":
            self.i = k + 1
            inner = self.expr()
            self.expect_match(")", "(", k)
            return Node("paren", self.starts[k], self.prev_end(), "", (inner,))
        raise self.error("unexpected symbol")

    def suffixedexp(self) -> Node:
        node = self.primaryexp()
        keys = self.keys
        while True:
            key = keys[self.i]
            if key == ".":
                self.i += 1
                name = self.name_node("key")
                node = Node("index", node.start, name.end, "", (node, name))
            elif key == "[":
                self.i += 1
                index = self.expr()
                self.expect("]")
                node = Node("index", node.start, self.prev_end(), "", (node, index))
            elif key == ":":
                self.i += 1
                method = self.texts[self.name()]
                args = self.callargs()
                node = Node("method", node.start, self.prev_end(), method, (node, *args))
            elif key in ("(", "{", "str", "lstr"):
                args = self.callargs()
                node = Node("call", node.start, self.prev_end(), "", (node, *args))
            else:
                return node

    def callargs(self) -> list[Node]:
        k = self.i
        key = self.keys[k]
        if key in ("str", "lstr"):
            self.i = k + 1
            return [Node("string", self.starts[k], self.end_of(k), self.texts[k])]
        if key == "{":
            return [self.table()]
        if key != "(":
            raise self.error("function arguments expected")
        self.i = k + 1
        args = [] if self.key() == ")" else self.explist()
        self.expect_match(")", "(", k)
        return args

    def table(self) -> Node:
        keys = self.keys
        texts = self.texts
        starts = self.starts
        opener = self.i
        self.i = opener + 1
        fields: list[Field] = []
        # expr()'s fast path, inlined for the fields that are one literal or name (lists of strings).
        simple = self.depth < MAX_DEPTH
        while keys[self.i] != "}":
            i = self.i
            key = keys[i]
            key_node: Node | None = None
            name = ""
            if key == "[":
                self.i = i + 1
                key_node = self.expr()
                self.expect("]")
                self.expect("=")
                kind = "expr"
            elif key == "name" and keys[i + 1] == "=":
                name = texts[i]
                key_node = new_tuple(Node, ("key", starts[i], starts[i] + len(name), name, (), ()))
                self.i = i + 2
                kind = "name"
            else:
                kind = "pos"
            j = self.i
            value_kind = SIMPLE_KINDS.get(keys[j])
            if simple and value_kind is not None and keys[j + 1] in _FIELD_END:
                text = texts[j]
                start = starts[j]
                value: Node = new_tuple(
                    Node, (value_kind, start, start + len(text), text if value_kind in VALUED else "", (), ())
                )
                self.i = j + 1
            else:
                value = self.expr()
            sep = keys[self.i]
            if sep == ",":
                self.commas += 1
            elif sep == ";":
                self.semicolons += 1
            else:
                fields.append(new_tuple(Field, (kind, key_node, name, value, "")))
                break
            self.i += 1
            fields.append(new_tuple(Field, (kind, key_node, name, value, sep)))
        self.expect_match("}", "{", opener)
        return Node("table", starts[opener], self.prev_end(), fields=tuple(fields))

    def funcbody(self, is_method: bool) -> None:
        """Parse a function's parameters and body (``_Parser`` does: the body is a block)."""
        raise NotImplementedError
