"""The HOCON syntax tree: objects, fields, values and includes as offsets into the text.

The grammar is Lightbend Config's ``ConfigDocumentParser`` (the reference implementation): newlines and
comments may sit between a key and its separator and between the separator and the value; a value is a
concatenation of simple values, objects, arrays and substitutions on one line; members are separated by a
comma or a newline, and one trailing comma is allowed. Nodes are named tuples (cheap to build, immutable);
whitespace and comments are not nodes, they are the text between nodes.
"""

from __future__ import annotations

from typing import NamedTuple, TypeAlias

from jitsi_secure.errors import EditError, ParseError
from jitsi_secure.formats.hocon._lexer import (
    COLON,
    COMMA,
    COMMENT,
    EQUALS,
    LBRACE,
    LBRACKET,
    NEWLINE,
    PLUS_EQUALS,
    RBRACE,
    RBRACKET,
    STRING,
    SUBST,
    TSTRING,
    WORD,
    WS,
    Token,
    decode_string,
    tokenize,
)

__all__ = [
    "MAX_DEPTH",
    "Arr",
    "Atom",
    "Field",
    "Include",
    "Key",
    "Member",
    "Obj",
    "Part",
    "Subst",
    "Syntax",
    "Value",
    "parse_path",
    "parse_syntax",
]

#: Deepest nesting of objects and arrays accepted. The parser and the readers recurse once or twice per
#: level, so this keeps them far from Python's recursion limit; real configs nest fewer than ten levels.
MAX_DEPTH = 200


class Key(NamedTuple):
    """A field's key: ``text[start:end]`` spells the path ``path``."""

    start: int
    end: int
    path: tuple[str, ...]


class Atom(NamedTuple):
    """A simple value token (quoted or unquoted string, number, keyword) or whitespace inside a concatenation."""

    kind: int
    start: int
    end: int


class Subst(NamedTuple):
    """A substitution ``${path}`` or ``${?path}``."""

    start: int
    end: int
    path: tuple[str, ...]
    optional: bool


class Value(NamedTuple):
    """A field's value or an array element: one part, or a concatenation of parts on one line."""

    start: int
    end: int
    parts: tuple[Part, ...]


class Field(NamedTuple):
    """``key sep value``; ``sep`` is a token kind (COLON, EQUALS, PLUS_EQUALS) or -1 before a bare ``{``."""

    start: int
    end: int
    key: Key
    sep: int
    sep_start: int
    value: Value


class Include(NamedTuple):
    """``include "name"``, ``include file("name")``, ``url(...)``, ``classpath(...)``, ``required(...)``."""

    start: int
    end: int
    kind: str
    name: str
    required: bool


class Obj(NamedTuple):
    """An object; the brace-less root spans the whole text with ``braced`` false."""

    start: int
    end: int
    braced: bool
    members: tuple[Member, ...]


class Arr(NamedTuple):
    """An array ``[ ... ]``."""

    start: int
    end: int
    items: tuple[Value, ...]


Part: TypeAlias = Atom | Subst | Obj | Arr
Member: TypeAlias = Field | Include


class Syntax(NamedTuple):
    """A parsed text: its tokens and its root object."""

    tokens: list[Token]
    root: Obj


_VALUE_KINDS = frozenset({STRING, TSTRING, WORD, SUBST, LBRACE, LBRACKET})
_KEY_KINDS = frozenset({STRING, TSTRING, WORD})
_TRIVIA = frozenset({WS, NEWLINE, COMMENT})
_INCLUDE_KINDS = {"url(": "url", "file(": "file", "classpath(": "classpath"}
_KIND_NAMES = {
    LBRACE: "'{'",
    RBRACE: "'}'",
    LBRACKET: "'['",
    RBRACKET: "']'",
    COMMA: "','",
    COLON: "':'",
    EQUALS: "'='",
    PLUS_EQUALS: "'+='",
    NEWLINE: "a newline",
}


class _Parser:
    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.tokens = tokenize(text, source=source)
        self.n = len(self.tokens)

    def error(self, index: int, message: str) -> ParseError:
        offset = self.tokens[index].start if index < self.n else len(self.text)
        return ParseError.at(self.text, offset, message, source=self.source)

    def describe(self, index: int) -> str:
        if index >= self.n:
            return "end of file"
        token = self.tokens[index]
        return _KIND_NAMES.get(token.kind) or repr(self.text[token.start : token.end])

    def skip_trivia(self, i: int) -> int:
        tokens, n = self.tokens, self.n
        while i < n and tokens[i].kind in _TRIVIA:
            i += 1
        return i

    def parse(self) -> Obj:
        i = self.skip_trivia(0)
        if i < self.n and self.tokens[i].kind == LBRACE:
            root, i = self.parse_object(i + 1, True, 1)
            i = self.skip_trivia(i)
            if i < self.n:
                raise self.error(i, f"unexpected {self.describe(i)} after the root object's closing '}}'")
            return root
        if i < self.n and self.tokens[i].kind == LBRACKET:
            raise self.error(i, "a HOCON document must have an object at its root, not an array")
        root, _ = self.parse_object(0, False, 0)
        return Obj(0, len(self.text), False, root.members)

    def parse_object(self, i: int, braced: bool, depth: int) -> tuple[Obj, int]:
        """Members from token ``i`` (just after ``{`` when braced) to the closing brace or the end."""
        if depth > MAX_DEPTH:
            raise self.error(i - 1, f"nesting too deep (more than {MAX_DEPTH} levels)")
        tokens, n = self.tokens, self.n
        open_start = tokens[i - 1].start if braced else 0
        members: list[Member] = []
        while True:
            j = self.skip_trivia(i)
            if j >= n:
                if braced:
                    raise self.error(j, "expecting '}' to close the object, got end of file")
                return Obj(open_start, len(self.text), False, tuple(members)), j
            token = tokens[j]
            if token.kind == RBRACE:
                if not braced:
                    raise self.error(j, "unbalanced '}' with no open '{'")
                return Obj(open_start, token.end, True, tuple(members)), j + 1
            member: Member
            if token.kind == WORD and self.text[token.start : token.end] == "include":
                member, i = self.parse_include(j)
            else:
                member, i = self.parse_field(j, depth)
            members.append(member)
            i, separated = self.element_separator(i)
            if not separated:
                j = self.skip_trivia(i)
                if j < n and tokens[j].kind == RBRACE:
                    if not braced:
                        raise self.error(j, "unbalanced '}' with no open '{'")
                    return Obj(open_start, tokens[j].end, True, tuple(members)), j + 1
                if j >= n and not braced:
                    return Obj(open_start, len(self.text), False, tuple(members)), j
                expected = "'}' or a comma or newline" if braced else "end of file, a comma or a newline"
                raise self.error(j, f"expecting {expected} after a field, got {self.describe(j)}")

    def element_separator(self, i: int) -> tuple[int, bool]:
        """Skip same-line trivia, newlines and one comma; report whether a comma or newline was seen."""
        tokens, n = self.tokens, self.n
        seen = False
        while i < n:
            kind = tokens[i].kind
            if kind in (WS, COMMENT):
                i += 1
            elif kind == NEWLINE:
                seen = True
                i += 1
            elif kind == COMMA:
                return i + 1, True
            else:
                break
        return i, seen

    def parse_field(self, j: int, depth: int) -> tuple[Field, int]:
        key, i = self.parse_key(j)
        k = self.skip_trivia(i)
        if k < self.n and self.tokens[k].kind == LBRACE:
            obj, i = self.parse_object(k + 1, True, depth + 1)
            value = Value(obj.start, obj.end, (obj,))
            return Field(key.start, value.end, key, -1, k, value), i
        if k >= self.n or self.tokens[k].kind not in (COLON, EQUALS, PLUS_EQUALS):
            shown = self.text[key.start : key.end]
            raise self.error(k, f"key {shown!r} must be followed by ':', '=', '+=' or '{{', got {self.describe(k)}")
        sep = self.tokens[k].kind
        v = self.skip_trivia(k + 1)
        value, i = self.parse_value(v, depth)
        return Field(key.start, value.end, key, sep, self.tokens[k].start, value), i

    def parse_key(self, j: int) -> tuple[Key, int]:
        tokens, n = self.tokens, self.n
        i = j
        while i < n:
            kind = tokens[i].kind
            if kind in _KEY_KINDS or (kind == WS and i + 1 < n and tokens[i + 1].kind in _KEY_KINDS):
                i += 1
            else:
                break
        if i == j:
            raise self.error(j, f"expecting a key or '}}', got {self.describe(j)}")
        path = self.key_path(j, i)
        return Key(tokens[j].start, tokens[i - 1].end, path), i

    def key_path(self, j: int, i: int) -> tuple[str, ...]:
        try:
            return _path_from_tokens(self.text, self.tokens[j:i])
        except ValueError as exc:
            raise self.error(j, str(exc)) from None

    def parse_value(self, j: int, depth: int) -> tuple[Value, int]:
        """A value or concatenation starting at token ``j`` (trivia already skipped)."""
        tokens, n = self.tokens, self.n
        parts: list[Part] = []
        i = j
        while i < n:
            token = tokens[i]
            kind = token.kind
            if kind in (WORD, STRING, TSTRING):
                parts.append(Atom(kind, token.start, token.end))
                i += 1
            elif kind == SUBST:
                parts.append(self.parse_subst(i))
                i += 1
            elif kind == LBRACE:
                obj, i = self.parse_object(i + 1, True, depth + 1)
                parts.append(obj)
            elif kind == LBRACKET:
                arr, i = self.parse_array(i + 1, depth + 1)
                parts.append(arr)
            elif kind == WS and parts and i + 1 < n and tokens[i + 1].kind in _VALUE_KINDS:
                parts.append(Atom(WS, token.start, token.end))
                i += 1
            else:
                break
        if not parts:
            raise self.error(j, f"expecting a value, got {self.describe(j)}")
        return Value(parts[0].start, parts[-1].end, tuple(parts)), i

    def parse_array(self, i: int, depth: int) -> tuple[Arr, int]:
        if depth > MAX_DEPTH:
            raise self.error(i - 1, f"nesting too deep (more than {MAX_DEPTH} levels)")
        tokens, n = self.tokens, self.n
        open_start = tokens[i - 1].start
        items: list[Value] = []
        j = self.skip_trivia(i)
        while True:
            if j < n and tokens[j].kind == RBRACKET:
                return Arr(open_start, tokens[j].end, tuple(items)), j + 1
            if j >= n or tokens[j].kind not in _VALUE_KINDS:
                what = "a first element or ']'" if not items else "an element or ']'"
                raise self.error(j, f"expecting {what} in the array, got {self.describe(j)}")
            value, i = self.parse_value(j, depth)
            items.append(value)
            i, separated = self.element_separator(i)
            j = self.skip_trivia(i)
            if not separated and not (j < n and tokens[j].kind == RBRACKET):
                raise self.error(j, f"expecting ',' or ']' after an array element, got {self.describe(j)}")

    def parse_subst(self, index: int) -> Subst:
        token = self.tokens[index]
        optional = self.text.startswith("${?", token.start)
        body_start = token.start + (3 if optional else 2)
        body = self.text[body_start : token.end - 1]
        try:
            inner = tokenize(body, source=self.source)
        except ParseError:
            raise self.error(index, "invalid path in substitution") from None
        while inner and inner[0].kind == WS:
            inner.pop(0)
        while inner and inner[-1].kind == WS:
            inner.pop()
        if not inner:
            raise self.error(index, "substitution ${} has an empty path")
        if any(t.kind not in (WS, WORD, STRING, TSTRING) for t in inner):
            raise self.error(index, "a substitution may contain only a path expression")
        try:
            path = _path_from_tokens(body, inner)
        except ValueError as exc:
            raise self.error(index, str(exc)) from None
        return Subst(token.start, token.end, path, optional)

    def parse_include(self, j: int) -> tuple[Include, int]:
        tokens, text = self.tokens, self.text
        start = tokens[j].start
        i = self.skip_trivia(j + 1)
        required = False
        kind = "heuristic"
        closers = 0
        pending = ""
        if i < self.n and tokens[i].kind == WORD:
            pending = text[tokens[i].start : tokens[i].end]
            if pending.startswith("required("):
                required, closers, pending = True, 1, pending[len("required(") :]
                if not pending:
                    i = self.skip_trivia(i + 1)
                    pending = text[tokens[i].start : tokens[i].end] if i < self.n and tokens[i].kind == WORD else ""
            if pending:
                if pending not in _INCLUDE_KINDS:
                    raise self.error(
                        i,
                        "include must be followed by a quoted name, file(...), url(...), classpath(...) "
                        "or required(...)",
                    )
                kind = _INCLUDE_KINDS[pending]
                closers += 1
                i = self.skip_trivia(i + 1)
        if i >= self.n or tokens[i].kind not in (STRING, TSTRING):
            raise self.error(i, f"include needs a quoted file name, got {self.describe(i)}")
        name = decode_string(text[tokens[i].start : tokens[i].end])
        end = tokens[i].end
        i += 1
        while closers:
            i = self.skip_trivia(i)
            word = text[tokens[i].start : tokens[i].end] if i < self.n and tokens[i].kind == WORD else ""
            if not word or word.strip(")") or len(word) > closers:
                raise self.error(i, f"expecting ')' to close the include, got {self.describe(i)}")
            closers -= len(word)
            end = tokens[i].end
            i += 1
        return Include(start, end, kind, name, required), i


_EMPTY_ELEMENT = "a path has a leading, trailing or doubled '.' (quote an empty element as \"\")"


def _path_from_tokens(text: str, tokens: list[Token]) -> tuple[str, ...]:
    elements: list[str] = []
    current: list[str] = []
    started = False
    for token in tokens:
        raw = text[token.start : token.end]
        if token.kind == WORD:
            for number, piece in enumerate(raw.split(".")):
                if number:
                    if not started:
                        raise ValueError(_EMPTY_ELEMENT)
                    elements.append("".join(current))
                    current, started = [], False
                if piece:
                    current.append(piece)
                    started = True
        elif token.kind == WS:
            current.append(raw)
            started = True
        else:
            current.append(decode_string(raw))
            started = True
    if not started:
        raise ValueError(_EMPTY_ELEMENT)
    elements.append("".join(current))
    return tuple(elements)


def parse_syntax(text: str, *, source: str = "<string>") -> Syntax:
    """Tokenize and parse ``text``; raises :class:`ParseError` for anything Lightbend Config would reject."""
    parser = _Parser(text, source)
    return Syntax(parser.tokens, parser.parse())


def parse_path(path: str) -> tuple[str, ...]:
    """The elements of a HOCON path expression such as ``jicofo.authentication."login-url"``."""
    try:
        tokens = tokenize(path)
    except ParseError as exc:
        raise ValueError(f"invalid path {path!r}: {exc.message}") from None
    if not tokens or tokens[0].kind == WS or tokens[-1].kind == WS:
        raise ValueError(f"invalid path {path!r}: empty or surrounded by whitespace")
    if any(t.kind not in (WS, WORD, STRING, TSTRING) for t in tokens):
        raise ValueError(f"invalid path {path!r}: only unquoted text, quoted strings and '.' may form a path")
    try:
        return _path_from_tokens(path, tokens)
    except ValueError as exc:
        raise ValueError(f"invalid path {path!r}: {exc}") from None


def key_path(path: object) -> tuple[str, ...]:
    """The keys ``path`` names (a path expression or a tuple of keys); :class:`EditError` if it is neither."""
    if isinstance(path, tuple):
        if not path or not all(isinstance(k, str) for k in path):
            raise EditError(f"a HOCON path is a string or a non-empty tuple of strings, not {path!r}")
        return path
    if not isinstance(path, str):
        raise EditError(f"a HOCON path is a string or a non-empty tuple of strings, not {path!r}")
    try:
        return parse_path(path)
    except ValueError as exc:
        raise EditError(str(exc)) from None
