"""The primary config.js front-end: tree-sitter's concrete syntax tree, turned into ESTree-shaped nodes.

tree-sitter (C, about 1 ms for jitsi-meet's 88 KB config.js) knows current JavaScript, but it is
error-tolerant: a missing comma gives a tree with an ``ERROR`` node instead of an exception. Every
``ERROR`` and ``MISSING`` node is therefore turned into a :class:`ParseError` with its line and column,
and so is what tree-sitter's grammar accepts but a browser's classic script does not (JSX, ``import``
and ``export``, ``import.meta``, decorators, ``await`` outside an async function).

The result is a tree of :class:`Node` records with the attribute names of ESTree (as esprima builds
them), so that one evaluator (:mod:`._meaning`) serves this parser and the independent one alike.
Offsets are code points of the text on disk, after nginx SSI directives are mapped back.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from collections.abc import Callable
from typing import Any

from jitsi_secure.errors import ParseError
from jitsi_secure.formats.js._ssi import Served

__all__ = ["Node", "parse_snippet", "parse_tree"]


class Node:
    """An ESTree-shaped node: ``type``, ``range`` (disk offsets) and the fields ESTree names."""

    def __init__(self, estree: str, start: int, end: int, /, **fields: Any) -> None:
        self.type = estree
        self.range = (start, end)
        self.__dict__.update(fields)

    def __getattr__(self, name: str) -> Any:
        # Only reached for a field this node does not have (``getattr(node, "regex", None)``).
        raise AttributeError(name)

    def __repr__(self) -> str:
        return f"Node({self.type}, {self.range})"


@functools.cache
def _tree_sitter() -> Any:
    # Imported on first parse, like every reader: `jitsi-secure --version` should not load it.
    import tree_sitter
    import tree_sitter_javascript

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_javascript.language()))


_SKIPPED = frozenset({"comment", "html_comment", "hash_bang_line"})
_FUNCTIONS = frozenset(
    {
        "function_declaration",
        "function_expression",
        "arrow_function",
        "method_definition",
        "generator_function",
        "generator_function_declaration",
    }
)
_NOT_IN_A_SCRIPT = {
    "import_statement": "an import statement is not allowed: config.js is a classic script, not a module",
    "export_statement": "an export statement is not allowed: config.js is a classic script, not a module",
    "decorator": "a decorator is not JavaScript that browsers run",
}
#: How deep expressions may nest (HOCON's parser allows 200, Lua's 198, as Lua itself).
MAX_NESTING = 200
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_LOGICAL = frozenset({"&&", "||", "??"})
_ESCAPE = re.compile(r"\\(u\{[0-9A-Fa-f]+\}|u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|[0-3][0-7]{0,2}|[4-7][0-7]?|\r\n|[\s\S])")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v"}
_LINE_CONTINUATIONS = frozenset({"\n", "\r", "\r\n", "\u2028", "\u2029"})
_SURROGATE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")


def parse_tree(served: Served, *, source: str, disk_text: str) -> Node:
    """The ESTree-shaped ``Program`` of the served text, or :class:`ParseError` at the disk position."""
    data = served.text.encode("utf-8", "surrogatepass")
    tree = _tree_sitter().parse(data)
    converter = _Converter(served, data, disk_text, source)
    root = tree.root_node
    if root.has_error:
        # tree-sitter recovers, so its ERROR node can start far before the mistake (at `var` for an
        # unclosed brace). The file is refused either way; esprima, which stops at the first token
        # it cannot take, says where and what more precisely, and is paid for only on this path.
        from jitsi_secure.formats.js._esprima import parse_independently

        parse_independently(served, source=source, disk_text=disk_text)
        raise converter.syntax_error(root)
    return converter.program(root)


class _Converter:
    def __init__(self, served: Served, data: bytes, disk_text: str, source: str) -> None:
        self.served = served
        self.text = served.text
        self.disk_text = disk_text
        self.source = source
        self.data = data
        self._depth = 0
        self.ascii = len(data) == len(self.text)
        self._wide: list[int] = []
        self._extra: list[int] = []
        if not self.ascii:
            # Where each multi-byte character ends (in bytes) and the bytes gained so far over characters.
            surplus = 0
            for match in _NON_ASCII.finditer(self.text):
                width = len(match.group().encode("utf-8", "surrogatepass"))
                surplus += width - 1
                self._wide.append(match.start() + surplus + 1)
                self._extra.append(surplus)
        self._async: list[bool] = []
        self._handlers: dict[str, Callable[[Any], Node]] = {
            "variable_declaration": self._declaration,
            "lexical_declaration": self._declaration,
            "variable_declarator": self._declarator,
            "expression_statement": self._expression_statement,
            "if_statement": self._if,
            "statement_block": self._block,
            "empty_statement": lambda n: self.node("EmptyStatement", n),
            "parenthesized_expression": self._parenthesized,
            "assignment_expression": self._assignment,
            "augmented_assignment_expression": self._assignment,
            "unary_expression": self._unary,
            "update_expression": lambda n: self.node(
                "UpdateExpression", n, argument=self.convert(n.child_by_field_name("argument"))
            ),
            "binary_expression": self._binary,
            "member_expression": self._member,
            "subscript_expression": self._member,
            "call_expression": self._call,
            "identifier": self._identifier,
            "property_identifier": self._identifier,
            "shorthand_property_identifier": self._identifier,
            "private_property_identifier": self._identifier,
            "undefined": self._identifier,
            "this": lambda n: self.node("ThisExpression", n),
            "true": lambda n: self.node("Literal", n, value=True, raw="true"),
            "false": lambda n: self.node("Literal", n, value=False, raw="false"),
            "null": lambda n: self.node("Literal", n, value=None, raw="null"),
            "number": self._number,
            "string": self._string,
            "template_string": self._template,
            "regex": lambda n: self.node("Literal", n, value=None, raw=self.slice(n), regex=True),
            "object": self._object,
            "array": self._array,
            "spread_element": lambda n: self.node("SpreadElement", n, argument=self.convert(n.named_children[0])),
        }

    # positions and errors ---------------------------------------------------------------------

    def char(self, byte: int) -> int:
        if self.ascii:
            return byte
        at = bisect.bisect_right(self._wide, byte)
        return byte - (self._extra[at - 1] if at else 0)

    def node(self, estree: str, ts: Any, /, **fields: Any) -> Node:
        start = self.served.start_on_disk(self.char(ts.start_byte))
        end = self.served.end_on_disk(self.char(ts.end_byte))
        return Node(estree, start, end, **fields)

    def slice(self, ts: Any) -> str:
        return self.text[self.char(ts.start_byte) : self.char(ts.end_byte)]

    def error_at(self, byte: int, message: str) -> ParseError:
        where = self.served.start_on_disk(self.char(byte))
        return ParseError.at(self.disk_text, where, message, source=self.source)

    def syntax_error(self, root: Any) -> ParseError:
        node = root
        while not (node.is_error or node.is_missing):
            node = next((c for c in node.children if c.has_error or c.is_missing), None)
            if node is None:  # cannot happen: has_error says one is below
                return self.error_at(0, "syntax error")
        if node.is_missing:
            return self.error_at(node.start_byte, f"expected {node.type!r}")
        if not self.data[node.end_byte :].strip():
            return self.error_at(len(self.data), "unexpected end of input (an unclosed bracket, brace or string?)")
        leaf = node
        while leaf.child_count:
            leaf = leaf.children[0]
        token = self.data[leaf.start_byte : leaf.end_byte].decode("utf-8", "replace")[:20] or node.type
        return self.error_at(leaf.start_byte, f"unexpected {token!r}")

    # statements -------------------------------------------------------------------------------

    def program(self, ts: Any) -> Node:
        return self.node("Program", ts, body=self.convert_all(ts.named_children))

    def convert_all(self, nodes: list[Any]) -> list[Node]:
        return [self.convert(n) for n in nodes if n.type not in _SKIPPED]

    def convert(self, ts: Any) -> Node:
        # An explicit limit, as the Lua and HOCON parsers have: running into Python's recursion limit
        # instead would make the answer depend on how deep the caller's stack already is.
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                raise self.error_at(ts.start_byte, f"the code nests too deeply (more than {MAX_NESTING} levels)")
            handler = self._handlers.get(ts.type)
            return handler(ts) if handler is not None else self._generic(ts)
        finally:
            self._depth -= 1

    def _generic(self, ts: Any) -> Node:
        kind = ts.type
        if kind.startswith("jsx_") or kind in _NOT_IN_A_SCRIPT:
            message = _NOT_IN_A_SCRIPT.get(kind, "JSX is not JavaScript that browsers run")
            raise self.error_at(ts.start_byte, message)
        if kind == "meta_property" and self.slice(ts).startswith("import"):
            raise self.error_at(
                ts.start_byte, "import.meta is not allowed: config.js is a classic script, not a module"
            )
        if kind == "await_expression" and not (self._async and self._async[-1]):
            raise self.error_at(ts.start_byte, "await is only valid inside an async function")
        if kind in _FUNCTIONS or kind in ("class_declaration", "class"):
            return self._function(ts)
        return self.node("ts:" + kind, ts, parts=self.convert_all(ts.named_children))

    def _function(self, ts: Any) -> Node:
        kind = ts.type
        is_async = any(c.type == "async" for c in ts.children)
        if kind in _FUNCTIONS:
            self._async.append(is_async)
        try:
            name = ts.child_by_field_name("name")
            params = ts.child_by_field_name("parameters")
            single = ts.child_by_field_name("parameter")
            estree = {
                "function_declaration": "FunctionDeclaration",
                "generator_function_declaration": "FunctionDeclaration",
                "function_expression": "FunctionExpression",
                "generator_function": "FunctionExpression",
                "class_declaration": "ClassDeclaration",
            }.get(kind, "ts:" + kind)
            return self.node(
                estree,
                ts,
                id=self.convert(name) if name is not None and kind != "method_definition" else None,
                params=self.convert_all(params.named_children) if params is not None else [],
                parts=self.convert_all(
                    [c for c in ts.named_children if c not in (name, params)] + ([single] if single else [])
                ),
            )
        finally:
            if kind in _FUNCTIONS:
                self._async.pop()

    def _declaration(self, ts: Any) -> Node:
        declarators = [self.convert(c) for c in ts.named_children if c.type == "variable_declarator"]
        return self.node("VariableDeclaration", ts, declarations=declarators)

    def _declarator(self, ts: Any) -> Node:
        value = ts.child_by_field_name("value")
        return self.node(
            "VariableDeclarator",
            ts,
            id=self.convert(ts.child_by_field_name("name")),
            init=None if value is None else self.convert(value),
        )

    def _expression_statement(self, ts: Any) -> Node:
        inner = [c for c in ts.named_children if c.type not in _SKIPPED]
        return self.node("ExpressionStatement", ts, expression=self.convert(inner[0]))

    def _if(self, ts: Any) -> Node:
        alternative = ts.child_by_field_name("alternative")
        alternate = None
        if alternative is not None:
            alternate = self.convert_all(alternative.named_children)[0]
        return self.node(
            "IfStatement",
            ts,
            test=self.convert(ts.child_by_field_name("condition")),
            consequent=self.convert(ts.child_by_field_name("consequence")),
            alternate=alternate,
        )

    def _block(self, ts: Any) -> Node:
        return self.node("BlockStatement", ts, body=self.convert_all(ts.named_children))

    # expressions ------------------------------------------------------------------------------

    def _parenthesized(self, ts: Any) -> Node:
        # ESTree has no node for parentheses: the range is the expression's own, as esprima gives it.
        inner = [c for c in ts.named_children if c.type not in _SKIPPED]
        if len(inner) == 1:
            return self.convert(inner[0])
        return self._generic(ts)

    def _assignment(self, ts: Any) -> Node:
        operator = ts.child_by_field_name("operator")
        return self.node(
            "AssignmentExpression",
            ts,
            operator="=" if operator is None else operator.type,
            left=self.convert(ts.child_by_field_name("left")),
            right=self.convert(ts.child_by_field_name("right")),
        )

    def _unary(self, ts: Any) -> Node:
        return self.node(
            "UnaryExpression",
            ts,
            operator=ts.child_by_field_name("operator").type,
            argument=self.convert(ts.child_by_field_name("argument")),
        )

    def _binary(self, ts: Any) -> Node:
        operator = ts.child_by_field_name("operator").type
        return self.node(
            "LogicalExpression" if operator in _LOGICAL else "BinaryExpression",
            ts,
            operator=operator,
            left=self.convert(ts.child_by_field_name("left")),
            right=self.convert(ts.child_by_field_name("right")),
        )

    def _member(self, ts: Any) -> Node:
        computed = ts.type == "subscript_expression"
        prop = ts.child_by_field_name("index" if computed else "property")
        return self.node(
            "MemberExpression",
            ts,
            object=self.convert(ts.child_by_field_name("object")),
            property=self.convert(prop),
            computed=computed,
            optional=ts.child_by_field_name("optional_chain") is not None,
        )

    def _call(self, ts: Any) -> Node:
        arguments = ts.child_by_field_name("arguments")
        if arguments.type == "arguments":
            args = self.convert_all(arguments.named_children)
        else:  # a tagged template: tag`...`
            args = [self.convert(arguments)]
        return self.node("CallExpression", ts, callee=self.convert(ts.child_by_field_name("function")), arguments=args)

    def _identifier(self, ts: Any) -> Node:
        return self.node("Identifier", ts, name=self.slice(ts))

    def _number(self, ts: Any) -> Node:
        raw = self.slice(ts)
        if raw.endswith("n"):
            return self.node("Literal", ts, value=None, raw=raw, bigint=raw[:-1].replace("_", ""))
        return self.node("Literal", ts, value=number_value(raw), raw=raw)

    def _string(self, ts: Any) -> Node:
        raw = self.slice(ts)
        return self.node("Literal", ts, value=unescape(raw[1:-1]), raw=raw)

    def _template(self, ts: Any) -> Node:
        substitutions = [c for c in ts.named_children if c.type == "template_substitution"]
        if substitutions:
            return self.node("TemplateLiteral", ts, expressions=self.convert_all(substitutions), quasis=[])
        raw = self.slice(ts)[1:-1].replace("\r\n", "\n").replace("\r", "\n")
        element = self.node("TemplateElement", ts, value=_Cooked(unescape(raw)))
        return self.node("TemplateLiteral", ts, expressions=[], quasis=[element])

    def _object(self, ts: Any) -> Node:
        self._check_commas(ts)
        props: list[Node] = []
        for child in ts.named_children:
            kind = child.type
            if kind in _SKIPPED:
                continue
            if kind == "pair":
                key = child.child_by_field_name("key")
                computed = key.type == "computed_property_name"
                props.append(
                    self.node(
                        "Property",
                        child,
                        key=self.convert(key.named_children[0] if computed else key),
                        value=self.convert(child.child_by_field_name("value")),
                        computed=computed,
                        kind="init",
                        method=False,
                        shorthand=False,
                    )
                )
            elif kind == "shorthand_property_identifier":
                ident = self._identifier(child)
                flags = {"computed": False, "kind": "init", "method": False, "shorthand": True}
                props.append(self.node("Property", child, key=ident, value=ident, **flags))
            elif kind == "spread_element":
                props.append(self.convert(child))
            elif kind == "method_definition":  # methods and accessors: code, never a literal value
                props.append(self._method(child))
            else:
                props.append(self.convert(child))
        return self.node("ObjectExpression", ts, properties=props)

    def _check_commas(self, ts: Any) -> None:
        """An object literal has no empty member: tree-sitter's grammar takes ``{ , a: 1 }`` and
        ``{ a: 1,, b: 2 }`` (as esprima-python does), which every JavaScript engine refuses."""
        previous = "{"
        for child in ts.children:
            if child.type == "comment":
                continue
            if child.type == "," and previous in ("{", ","):
                raise self.error_at(child.start_byte, "Unexpected token ','")
            previous = child.type

    def _method(self, ts: Any) -> Node:
        name = ts.child_by_field_name("name")
        computed = name.type == "computed_property_name"
        accessor = next((c.type for c in ts.children if c.type in ("get", "set") and c != name), "init")
        value = self._function(ts)
        # ESTree's function of a method starts at its parameters, after the key.
        value.range = (self.node("", ts.child_by_field_name("parameters")).range[0], value.range[1])
        return self.node(
            "Property",
            ts,
            key=self.convert(name.named_children[0] if computed else name),
            value=value,
            computed=computed,
            kind=accessor,
            method=accessor == "init",
            shorthand=False,
        )

    def _array(self, ts: Any) -> Node:
        elements: list[Node | None] = []
        pending = False  # an element since the last comma
        for child in ts.children:
            kind = child.type
            if kind in {",", "]"}:
                if not pending and kind == ",":
                    elements.append(None)
                pending = False
            elif child.is_named and kind not in _SKIPPED:
                elements.append(self.convert(child))
                pending = True
        return self.node("ArrayExpression", ts, elements=elements)


class _Cooked:
    """A template element's value as ESTree has it (``value.cooked``)."""

    def __init__(self, cooked: str) -> None:
        self.cooked = cooked


def number_value(raw: str) -> int | float:
    """A numeric literal's value as a double, as esprima gives it (whole numbers as int)."""
    text = raw.replace("_", "")
    lower = text.lower()
    if lower.startswith(("0x", "0o", "0b")):
        value = float(int(text[2:], {"x": 16, "o": 8, "b": 2}[lower[1]]))
    elif len(text) > 1 and text[0] == "0" and text.isdigit() and "8" not in text and "9" not in text:
        value = float(int(text, 8))  # a legacy octal literal (sloppy mode)
    else:
        value = float(text)
    if math.isfinite(value) and value.is_integer():
        return int(value)
    return value


def _escape(match: re.Match[str]) -> str:
    body = match.group(1)
    head = body[0]
    if body in _LINE_CONTINUATIONS:
        return ""
    if head == "u":
        return chr(int(body[2:-1] if body[1] == "{" else body[1:], 16))
    if head == "x" and len(body) == 3:
        return chr(int(body[1:], 16))
    if head.isdigit() and head not in "89":
        return chr(int(body, 8)) if body != "0" else "\0"
    return _SIMPLE_ESCAPES.get(body, body)


def unescape(body: str) -> str:
    """The value of a string literal's body (between the quotes); surrogate pairs become one character."""
    if "\\" not in body:
        return body
    value = _ESCAPE.sub(_escape, body)
    return _SURROGATE_PAIR.sub(lambda m: m.group().encode("utf-16", "surrogatepass").decode("utf-16"), value)


def parse_snippet(body: str, key: str) -> tuple[int, int, int] | None:
    """Read the text of a ``// key: value,`` comment as one property of an object literal.

    Returns the offsets in ``body`` where the key starts and the value starts and ends, or None when
    the text is not exactly one complete ``key: value`` property (e.g. ``p2p: {`` opening a
    commented-out block, or prose that happens to contain a colon).
    """
    snippet = "({" + body + "\n})"
    try:
        tree = parse_tree(Served(snippet), source="<comment>", disk_text=snippet)
    except (ParseError, RecursionError):  # any failure just means "not a commented-out property"
        return None
    expr = tree.body[0].expression if len(tree.body) == 1 and tree.body[0].type == "ExpressionStatement" else None
    if expr is None or expr.type != "ObjectExpression" or len(expr.properties) != 1:
        return None
    prop = expr.properties[0]
    if prop.type != "Property" or prop.computed or prop.kind != "init" or prop.method or prop.shorthand:
        return None
    name = prop.key.name if prop.key.type == "Identifier" else prop.key.value
    if name != key:
        return None
    return prop.key.range[0] - 2, prop.value.range[0] - 2, prop.value.range[1] - 2
