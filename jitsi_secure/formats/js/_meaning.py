"""What a config.js means, derived from an ESTree-shaped syntax tree into our own records.

The tree comes from either front-end: tree-sitter's (:mod:`._parser`, the document's) or esprima's
(:mod:`._esprima`, the independent check of an edit). Values that nginx fills in (SSI ``echo``
directives, :mod:`._ssi`) are non-literal whatever the served text says.

The evaluator runs the file's top-level statements in order, the way the browser would, but only as
far as it can do so without guessing: literals, object literals, ``config.a.b = <literal>``, the
``x = x || {}`` and ``if (!x.hasOwnProperty('k')) x.k = {}`` idioms, and ``if`` statements whose test is
static (``var enableJaaS = false; ... if (enableJaaS) {...}``). Anything else that writes into the
config makes the written path a :class:`NonLiteral`.

Besides the values, every object remembers where it is written (the object literal it came from, each
property and statement that defined a key: the records of :mod:`._model`), which is what the editor
needs to splice the right place.
"""

from __future__ import annotations

import math
from collections import Counter

from jitsi_secure.formats.js._estree import Node, children
from jitsi_secure.formats.js._model import Entry, JsValue, Model, NonLiteral, ObjLit, ObjNode, Prop, Stmt, to_plain
from jitsi_secure.formats.js._ssi import Served

__all__ = ["build_model"]


_GLOBALS = frozenset({"window", "self", "globalThis", "top", "parent", "frames"})


def build_model(text: str, program: Node, name: str, served: Served | None = None) -> Model:
    """Evaluate ``program`` (an ESTree of ``text``, ranges on disk) for the variable ``name``.

    ``served`` says where nginx SSI directives are, so that what depends on them is non-literal.
    """
    evaluator = _Evaluator(text, program, name, served or Served(text))
    for statement in program.body:
        evaluator.statement(statement, container=None, nested=False)
    return Model(
        root=evaluator.root,
        statements=tuple((s.range[0], s.range[1]) for s in program.body),
        string_quotes=tuple(evaluator.quotes.items()),
        opaque_root=evaluator.opaque_root,
    )


class _Evaluator:
    # An __init__ that stores its arguments, like HOCON's editor's (`duplicates` pairs them).
    def __init__(self, text: str, program: Node, name: str, served: Served) -> None:
        self.text = text
        self.served = served
        self.program = program
        self.name = name
        self.root = ObjNode(literal=None)
        self.quotes: Counter[str] = Counter()
        self._known: dict[str, JsValue] | None = None
        self.opaque_root: NonLiteral | None = None
        self._guards: list[Entry] = []

    # statements -------------------------------------------------------------------------------

    def statement(self, node: Node, *, container: Node | None, nested: bool) -> None:
        kind = node.type
        if kind == "VariableDeclaration":
            for declarator in node.declarations:
                if declarator.id.type == "Identifier" and declarator.id.name == self.name:
                    if declarator.init is not None:
                        self._replace_root(declarator.init, node)
                    else:
                        self.root.anchor = (node.range[0], node.range[1])
        elif kind == "ExpressionStatement":
            self._expression_statement(node, container=container, nested=nested)
        elif kind == "IfStatement":
            self._guards = []
            test = self.static_test(node.test)
            for entry in self._guards:
                entry.writers.append(Stmt("guard", node.range[0], node.range[1], nested=nested))
            if test is None:
                self._opaque(node, container)
            elif test:
                self._branch(node.consequent, node, nested=nested)
            elif node.alternate is not None:
                self._branch(node.alternate, node, nested=nested)
        elif kind == "BlockStatement":
            for inner in node.body:
                self.statement(inner, container=None, nested=True)
        elif kind != "EmptyStatement":
            self._opaque(node, container)

    def _branch(self, body: Node, if_node: Node, *, nested: bool) -> None:
        if body.type == "BlockStatement":
            self.statement(body, container=None, nested=True)
        else:
            # An unbraced body cannot be removed on its own without taking the if's meaning with it.
            self.statement(body, container=if_node, nested=nested)

    def _expression_statement(self, node: Node, *, container: Node | None, nested: bool) -> None:
        expr = node.expression
        outer = container if container is not None else node
        if expr.type == "AssignmentExpression" and expr.operator == "=":
            left = expr.left
            if left.type == "Identifier" and left.name == self.name:
                self._replace_root(expr.right, outer)
                return
            chain = self.chain(left)
            if chain == ():
                self._replace_root(expr.right, outer)
                return
            if chain is not None:
                self._assign(chain, expr.right, outer, nested=nested)
                return
        elif expr.type == "UnaryExpression" and expr.operator == "delete":
            chain = self.chain(expr.argument)
            if chain:
                parent = self.lookup_object(chain[:-1])
                if parent is not None:
                    parent.entries.pop(chain[-1], None)
                    return
        self._opaque(node, container)

    def _replace_root(self, init: Node, statement: Node) -> None:
        if init.type == "LogicalExpression" and init.operator == "||" and self.chain(init.left) == ():
            # `var config = window.config || {...}`: the object always exists here (it starts as {}).
            self.root.anchor = (statement.range[0], statement.range[1])
            return
        value = self.value(init)
        root = value if isinstance(value, ObjNode) else ObjNode(literal=None)
        # `var config = makeConfig()`: only what the file assigns afterwards is known.
        self.opaque_root = None if isinstance(value, ObjNode) else self.nonliteral(init)
        root.anchor = (statement.range[0], statement.range[1])
        self.root = root

    def _assign(self, chain: tuple[str, ...], right: Node, outer: Node, *, nested: bool) -> None:
        stmt = Stmt("assign", outer.range[0], outer.range[1], right.range[0], right.range[1], nested)
        parent = self.lookup_object(chain[:-1])
        if parent is None:
            # Writing into a missing object throws, into a string is ignored: either way this
            # statement is not a definition an edit can change.
            self._mark(chain, Stmt("opaque", stmt.start, stmt.end, nested=nested))
            return
        key = chain[-1]
        existing = parent.entries.get(key)
        if right.type == "LogicalExpression" and right.operator == "||" and self.chain(right.left) == chain:
            stmt = Stmt("idiom", stmt.start, stmt.end, stmt.value_start, stmt.value_end, nested)
            if existing is not None and _truthy(existing.value) is not False:
                existing.writers.append(stmt)
                self._touch(chain, stmt)
                return
            value = self.value(right.right, idiom=True)
        else:
            value = self.value(right)
        if existing is None:
            parent.entries[key] = Entry(value, [stmt])
        else:
            existing.value = value
            existing.writers.append(stmt)
        self._touch(chain, stmt)
        if isinstance(value, ObjNode):
            value.anchor = (stmt.start, stmt.end)

    def _touch(self, chain: tuple[str, ...], stmt: Stmt) -> None:
        node = self.root
        node.anchor = (stmt.start, stmt.end)
        for key in chain[:-1]:
            entry = node.entries.get(key)
            if entry is None or not isinstance(entry.value, ObjNode):
                return
            node = entry.value
            node.anchor = (stmt.start, stmt.end)

    def _mark(self, chain: tuple[str, ...], stmt: Stmt) -> None:
        """Make ``chain`` (or its deepest reachable prefix) non-literal: written in a way we do not follow."""
        node = self.root
        source = self.text[stmt.start : stmt.end]
        for index, key in enumerate(chain):
            entry = node.entries.get(key)
            if index == len(chain) - 1 or entry is None or not isinstance(entry.value, ObjNode):
                if entry is None:
                    node.entries[key] = Entry(NonLiteral(source), [stmt])
                elif not isinstance(entry.value, NonLiteral):
                    entry.value = NonLiteral(source)
                    entry.writers.append(stmt)
                else:
                    entry.writers.append(stmt)
                return
            node = entry.value

    def _opaque(self, node: Node, container: Node | None) -> None:
        """A statement we do not evaluate: whatever it may write in the config becomes non-literal."""
        outer = container if container is not None else node
        stmt = Stmt("opaque", outer.range[0], outer.range[1])
        stack = [node]
        while stack:
            current = stack.pop()
            kind = current.type
            targets: list[Node] = []
            if kind == "AssignmentExpression":
                targets.append(current.left)
            elif kind == "UpdateExpression" or (kind == "UnaryExpression" and current.operator == "delete"):
                targets.append(current.argument)
            elif kind == "CallExpression":
                if current.callee.type == "MemberExpression":
                    targets.append(current.callee.object)
                targets.extend(current.arguments)
            for target in targets:
                chain = self.chain(target)
                if chain:
                    self._mark(chain, stmt)
                elif chain == () and kind == "CallExpression" and not _is_console(current.callee):
                    # `Object.assign(config, {...})` may change any key: nothing is certain any more.
                    self.opaque_root = self.opaque_root or NonLiteral(self.text[stmt.start : stmt.end])
            stack.extend(children(current))

    # values -----------------------------------------------------------------------------------

    def chain(self, node: Node) -> tuple[str, ...] | None:
        """``config.a['b'].c`` as ``('a', 'b', 'c')``; ``()`` for the variable itself; None otherwise."""
        keys: list[str] = []
        while node.type == "MemberExpression":
            prop = node.property
            if node.computed:
                if prop.type != "Literal" or not isinstance(prop.value, str) or self.dynamic(prop):
                    return None
                keys.append(prop.value)
            elif prop.type == "Identifier":
                keys.append(prop.name)
            else:
                return None
            node = node.object
        keys.reverse()
        if node.type == "Identifier" and node.name == self.name:
            return tuple(keys)
        global_object = (node.type == "Identifier" and node.name in _GLOBALS) or node.type == "ThisExpression"
        if global_object and keys and keys[0] == self.name:
            return tuple(keys[1:])
        return None

    def lookup_object(self, chain: tuple[str, ...]) -> ObjNode | None:
        node = self.root
        for key in chain:
            entry = node.entries.get(key)
            if entry is None or not isinstance(entry.value, ObjNode):
                return None
            node = entry.value
        return node

    def value(self, node: Node, *, idiom: bool = False) -> ObjNode | JsValue:
        if node.type == "ObjectExpression":
            return self.object(node, idiom=idiom)
        return self.literal(node)

    def object(self, node: Node, *, idiom: bool = False) -> ObjNode | NonLiteral:
        props: list[Prop] = []
        obj = ObjNode(literal=None)
        for prop in node.properties:
            if prop.type != "Property" or prop.computed or prop.kind != "init" or prop.shorthand:
                return self.nonliteral(node)  # a spread, accessor or computed key: any key may change
            key_node = prop.key
            quote = ""
            if self.dynamic(key_node):
                return self.nonliteral(node)
            if key_node.type == "Identifier":
                key = key_node.name
            elif isinstance(key_node.value, str):
                key = key_node.value
                quote = key_node.raw[:1]
            elif isinstance(key_node.value, int) and not isinstance(key_node.value, bool):
                key = str(key_node.value)
            else:
                return self.nonliteral(node)
            if key == "__proto__":
                return self.nonliteral(node)  # sets the prototype, not a key
            record = Prop(
                start=prop.range[0],
                end=prop.range[1],
                key_start=key_node.range[0],
                key_end=key_node.range[1],
                value_start=prop.value.range[0],
                value_end=prop.value.range[1],
                key=key,
                key_quote=quote,
            )
            props.append(record)
            # A method (`f() {}`) is a function value like `f: function () {}`.
            value = self.nonliteral(prop) if prop.method else self.value(prop.value)
            existing = obj.entries.get(key)
            if existing is None:
                obj.entries[key] = Entry(value, [record])
            else:
                existing.value = value
                existing.writers.append(record)
        if props or not idiom:
            # An empty `x || {}` is better extended by statements next to the idiom than inside it.
            obj.literal = ObjLit(node.range[0], node.range[1], tuple(props))
        return obj

    def dynamic(self, node: Node) -> bool:
        """Whether nginx fills in part of ``node`` (an SSI directive lies in its range)."""
        return bool(self.served.disk) and self.served.touches(node.range[0], node.range[1])

    def literal(self, node: Node) -> JsValue:
        kind = node.type
        if self.dynamic(node):
            return self.nonliteral(node)
        if kind == "Literal":
            if getattr(node, "regex", None) is not None or getattr(node, "bigint", None) is not None:
                return self.nonliteral(node)
            value = node.value
            if isinstance(value, str):
                self.quotes[node.raw[:1]] += 1
                return value
            if value is None or isinstance(value, bool | int):
                return value
            if isinstance(value, float) and math.isfinite(value):
                return value
            return self.nonliteral(node)
        if kind == "UnaryExpression" and node.operator in "-+" and node.argument.type == "Literal":
            number = node.argument.value
            if isinstance(number, int | float) and not isinstance(number, bool):
                return -number if node.operator == "-" else number
        elif kind == "ArrayExpression":
            items: list[JsValue] = []
            for element in node.elements:
                if element is None or element.type == "SpreadElement":
                    return self.nonliteral(node)
                items.append(to_plain(self.value(element)))
            return items
        elif kind == "TemplateLiteral" and not node.expressions:
            cooked = node.quasis[0].value.cooked
            if isinstance(cooked, str):
                return cooked
        return self.nonliteral(node)

    def nonliteral(self, node: Node) -> NonLiteral:
        return NonLiteral(self.text[node.range[0] : node.range[1]])

    # static tests -----------------------------------------------------------------------------

    def static_test(self, node: Node) -> bool | None:
        """The truth of an ``if`` test when it is known without running code, else None."""
        kind = node.type
        if kind == "Literal":
            if self.dynamic(node) or getattr(node, "bigint", None) is not None:
                return None
            return bool(node.value) if getattr(node, "regex", None) is None else True
        if kind == "Identifier":
            if node.name == "undefined":
                return False
            known = self.known_variables()
            return _truthy(known[node.name]) if node.name in known else None
        if kind == "UnaryExpression" and node.operator == "!":
            inner = self.static_test(node.argument)
            return None if inner is None else not inner
        if kind == "LogicalExpression" and node.operator in ("&&", "||"):
            left = self.static_test(node.left)
            right = self.static_test(node.right)
            if node.operator == "&&":
                if left is False or right is False:
                    return False
                return True if left and right else None
            if left or right:
                return True
            return False if left is False and right is False else None
        if kind == "CallExpression" and node.callee.type == "MemberExpression" and not node.callee.computed:
            callee = node.callee
            args = node.arguments
            if (
                callee.property.type == "Identifier"
                and callee.property.name == "hasOwnProperty"
                and len(args) == 1
                and args[0].type == "Literal"
                and isinstance(args[0].value, str)
            ):
                chain = self.chain(callee.object)
                if chain is not None:
                    target = self.lookup_object(chain)
                    if target is not None and (target is not self.root or self.opaque_root is None):
                        entry = target.entries.get(args[0].value)
                        if entry is not None:
                            self._guards.append(entry)
                        return entry is not None
        return None

    def known_variables(self) -> dict[str, JsValue]:
        """Variables declared once with a literal and never assigned again (``var enableJaaS = false``)."""
        if self._known is None:
            declared: Counter[str] = Counter()
            values: dict[str, JsValue] = {}
            assigned: set[str] = set()
            stack = [self.program]
            while stack:
                current = stack.pop()
                kind = current.type
                if kind == "VariableDeclarator" and current.id.type == "Identifier":
                    declared[current.id.name] += 1
                    if current.init is not None and current.init.type == "Literal":
                        values[current.id.name] = self.literal(current.init)
                elif kind in ("FunctionDeclaration", "FunctionExpression", "ClassDeclaration"):
                    if current.id is not None:
                        declared[current.id.name] += 2
                    for param in getattr(current, "params", ()):
                        if param.type == "Identifier":
                            declared[param.name] += 2
                elif kind == "AssignmentExpression" and current.left.type == "Identifier":
                    assigned.add(current.left.name)
                elif kind == "UpdateExpression" and current.argument.type == "Identifier":
                    assigned.add(current.argument.name)
                stack.extend(children(current))
            self._known = {
                name: value
                for name, value in values.items()
                if declared[name] == 1 and name not in assigned and not isinstance(value, NonLiteral)
            }
        return self._known


def _is_console(callee: Node) -> bool:
    """``console.log(config)`` and friends only read."""
    return bool(
        callee.type == "MemberExpression" and callee.object.type == "Identifier" and callee.object.name == "console"
    )


def _truthy(value: ObjNode | JsValue) -> bool | None:
    if isinstance(value, NonLiteral):
        return None
    if isinstance(value, ObjNode | list | dict):
        return True
    if isinstance(value, float) and math.isnan(value):
        return False
    return bool(value)
