"""A lossless Lua 5.4 lexer: every character of the text belongs to exactly one token.

Trivia (whitespace, newlines, comments) are ordinary tokens, so ``"".join(t.text for t in tokens) == text``
always holds, and the parser simply skips them. The lexer follows ``llex.c`` of Lua 5.4: the same
numeral scan (greedy, then validated, so ``3x`` is a malformed number as in Lua), every string escape
(``\\z``, ``\\x``, ``\\u{...}``, decimal, line continuations), long brackets of any level, and the same
error messages where it is practical.
"""

from __future__ import annotations

import operator
import re
from array import array
from collections.abc import Callable
from itertools import islice, repeat
from typing import NamedTuple

from jitsi_secure.errors import ParseError

__all__ = [
    "KEYWORDS",
    "TRIVIA",
    "LexError",
    "Lexemes",
    "Spans",
    "Token",
    "decode_short_string",
    "lex",
    "tokenize",
    "trivia",
]

# Token kinds. Strings are kept short because the parser compares them in its hot loop.
NAME = "name"
KEYWORD = "kw"
NUMBER = "num"
STRING = "str"
LONGSTRING = "lstr"
OP = "op"
SPACE = "ws"
NEWLINE = "nl"
COMMENT = "comment"
EOF = "eof"

#: Kinds the parser never sees.
TRIVIA = frozenset({SPACE, NEWLINE, COMMENT})

KEYWORDS = frozenset(
    [
        "and",
        "break",
        "do",
        "else",
        "elseif",
        "end",
        "false",
        "for",
        "function",
        "goto",
        "if",
        "in",
        "local",
        "nil",
        "not",
        "or",
        "repeat",
        "return",
        "then",
        "true",
        "until",
        "while",
    ]
)


class LexError(ParseError):
    """A lexical error; ``token_start`` is where the offending token starts, so that a caller can look
    for an earlier syntax error (Lua reads tokens lazily and reports whichever comes first)."""

    token_start: int = 0


class Token(NamedTuple):
    """One lexeme: ``kind``, its exact ``text`` and its character offset ``start`` in the document."""

    kind: str
    text: str
    start: int

    @property
    def end(self) -> int:
        """Offset just past the token."""
        return self.start + len(self.text)


# Lua's whitespace set is " \f\n\r\t\v"; newlines get their own token so lines are easy to find.
_NEWLINE = re.compile(r"\r\n|\n\r|\r|\n")
_LINE_END = re.compile(r"[\r\n]")
_LONG_OPEN = re.compile(r"\[(=*)\[")
# Longest operators first, as llex.c reads them.
_OPERATOR = re.compile(r"\.\.\.|\.\.|==|~=|<=|>=|<<|>>|//|::|[-+*/%^#&~|<>=(){}\[\];:,.]")
_NUMERAL_HEX = re.compile(r"0[xX](?:[pP][-+]?|[0-9a-fA-F.])*")
_NUMERAL_DEC = re.compile(r"(?:[eE][-+]?|[0-9a-fA-F.])*")
# Unambiguous on purpose: with "[0-9]+\.?[0-9]*" a long malformed numeral ("9" * 100_000 + "x")
# backtracked over every split of its digits, minutes of CPU for a 100 KB file.
_VALID_HEX = re.compile(r"0[xX](?:[0-9a-fA-F]+(?:\.[0-9a-fA-F]*)?|\.[0-9a-fA-F]+)(?:[pP][-+]?[0-9]+)?")
_VALID_DEC = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_LETTER = re.compile(r"[A-Za-z_]")
_HEX2 = re.compile(r"[0-9a-fA-F]{2}")
_DEC3 = re.compile(r"[0-9]{1,3}")
_UTF8_ESC = re.compile(r"\{([0-9a-fA-F]+)\}")
_Z_SKIP = re.compile(r"[ \t\f\v\r\n]*")
_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def tokenize(text: str, *, source: str = "<string>") -> list[Token]:
    """Split ``text`` into tokens ending with one empty ``eof`` token; raise :class:`ParseError` on a
    lexical error (unfinished string or comment, malformed number, invalid escape, stray character)."""
    tokens: list[Token] = []
    pos = 0
    try:
        pos = _scan(text, source, tokens)
    except ParseError as error:
        start = tokens[-1].end if tokens else 0
        lex_error = LexError(
            error.message, source=error.source, line=error.line, column=error.column, excerpt=error.excerpt
        )
        lex_error.token_start = start
        raise lex_error from None
    tokens.append(Token(EOF, "", pos))
    return tokens


# The common tokens in one match, tried first at every position: space, line breaks, names, line
# comments, strings without escapes, plain decimal integers and the operators that cannot start
# anything longer. What it does not take (long brackets and comments, strings with escapes or line
# breaks, other numerals, ``.5``, errors) goes through the exact scanners below, so the tokens are the
# same either way; only the common case is faster.
_FAST = re.compile(
    r"([ \t\f\v]+)"
    r"|(\r\n|\n\r|\r|\n)"
    r"|([A-Za-z_][A-Za-z0-9_]*)"
    r"|(--(?!\[=*\[)[^\r\n]*)"
    r"|(\"[^\"\\\r\n]*\"|'[^'\\\r\n]*')"
    r"|([0-9]+(?![0-9A-Za-z_.]))"
    r"|(\.\.\.|\.\.|==|~=|<=|>=|<<|>>|//|::|[+*/%^#&~|<>=(){}\];:,]|-(?!-)|\.(?![0-9])|\[(?![\[=]))"
    r"|(.)",  # anything else: the exact scanners take over from here
    re.DOTALL,
)
_FAST_KINDS = (None, SPACE, NEWLINE, NAME, COMMENT, STRING, NUMBER, OP, None)
_new_token = tuple.__new__  # Token(...) without the Python-level __new__ of a NamedTuple


def _scan(text: str, source: str, tokens: list[Token]) -> int:
    append = tokens.append
    kinds = _FAST_KINDS
    keywords = KEYWORDS
    new = _new_token
    pos = 0
    n = len(text)
    while pos < n:
        for m in _FAST.finditer(text, pos):
            kind = kinds[m.lastindex]  # type: ignore[index]
            if kind is None:
                pos = m.start()
                break
            word = m.group()
            if kind is NAME and word in keywords:
                kind = KEYWORD
            append(new(Token, (kind, word, m.start())))
        else:
            return n
        pos = _scan_exact(text, pos, source, append)
    return pos


class Lexemes(NamedTuple):
    """The tokens the parser reads (no trivia), as parallel lists ending with the end of input:
    ``keys`` as the grammar sees them (operators and keywords by their text, else ``name``, ``num``,
    ``str``, ``lstr``, and ``<eof>`` last), their ``texts`` and ``starts``. Trivia is what lies between
    one token's end and the next one's start; :func:`tokenize` gives it as tokens where a caller needs it."""

    keys: list[str]
    texts: list[str]
    starts: list[int]


class Spans(NamedTuple):
    """Where the tokens of :class:`Lexemes` start and end (the last is the end of input): what lies
    between one token's end and the next one's start is trivia. Arrays of numbers, not lists, because
    the document keeps them: the cyclic garbage collector has nothing in them to scan."""

    starts: array[int]
    ends: array[int]

    @classmethod
    def of(cls, lexemes: Lexemes) -> Spans:
        """The spans of ``lexemes``."""
        starts = lexemes.starts
        return cls(array("q", starts), array("q", map(operator.add, starts, map(len, lexemes.texts))))


# lex()'s one pattern: trivia (spaces, line breaks, comments) then one token, with the text between
# tokens consumed inside the regular expression so that Python code runs once per token, not per
# lexeme. Group 3 is a token taken as it stands; group 5 a token to check with the exact scanners
# (strings with escapes, numerals other than plain integers); the last group anything else, up to the
# end (a lexical error, or a shape the pattern does not know): then tokenize() decides, with its
# errors. Long brackets match their closing bracket through a back-reference (groups 2 and 4), as
# _long_bracket_end finds it.
_LEXEME = re.compile(
    r"((?:[ \t\f\v\r\n]+|--(?!\[=*\[)[^\r\n]*|--\[(=*)\[.*?\]\2\])*)"
    r"(?:([A-Za-z_][A-Za-z0-9_]*|\"[^\"\\\r\n]*\"|'[^'\\\r\n]*'|[0-9]+(?![0-9A-Za-z_.])"
    r"|\.\.\.|\.\.|==|~=|<=|>=|<<|>>|//|::|[+*/%^#&~|<>=(){}\];:,]|-(?!-)|\.(?![0-9])|\[(?![\[=])"
    r"|\[(=*)\[.*?\]\4\]|\Z)"
    r"|(\"(?:[^\"\\\r\n]|\\(?:z[ \t\f\v\r\n]*|\r\n|\n\r|.))*\"|'(?:[^'\\\r\n]|\\(?:z[ \t\f\v\r\n]*|\r\n|\n\r|.))*'"
    r"|(?:0[xX](?:[pP][-+]?|[0-9a-fA-F.])*|(?=\.?[0-9])(?:[eE][-+]?|[0-9a-fA-F.])*)[A-Za-z_]?)"
    r"|(.+))",
    re.DOTALL,
)
_PLAIN, _CHECKED = 3, 5
_BATCH = 2048
_OPERATORS = ("...", "..", "==", "~=", "<=", ">=", "<<", ">>", "//", "::", *"+-*/%^#&~|<>=(){}[];:,.")
_KEY_OF_TEXT = {k: k for k in (*KEYWORDS, *_OPERATORS)}
# The key of any other token follows from its first character.
_KEY_OF_FIRST = (
    dict.fromkeys("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_", NAME)
    | dict.fromkeys("0123456789.", NUMBER)
    | {'"': STRING, "'": STRING, "[": LONGSTRING}
)
_group = re.Match.group
_start = re.Match.start
_first = operator.itemgetter(0)


def lex(text: str, *, source: str = "<string>") -> Lexemes:
    """The tokens of ``text`` the parser reads, without trivia; the same tokens, errors included, as
    :func:`tokenize` gives without its trivia, at a fraction of the cost (a config file is mostly
    comments and space)."""
    texts: list[str] = []
    starts: list[int] = []
    found = _LEXEME.finditer(text)
    # In batches: all match objects of a large file at once would be megabytes, freshly taken from
    # the system, for a few milliseconds.
    while batch := list(islice(found, _BATCH)):
        offset = len(texts)
        texts += map(_group, batch, repeat(_PLAIN))
        starts += map(_start, batch, repeat(_PLAIN))
        if None in texts[offset:]:
            for k, m in enumerate(batch, offset):
                if texts[k] is None:
                    checked = m.group(_CHECKED)
                    if checked is None or not _checked(text, m.start(_CHECKED), checked, source):
                        return _lexemes(tokenize(text, source=source))
                    texts[k] = checked
                    starts[k] = m.start(_CHECKED)
    # The end of input matches once or twice (after the last trivia, then empty): one <eof> stands for it.
    while texts and not texts[-1]:
        texts.pop()
        starts.pop()
    keys = list(map(_KEY_OF_TEXT.get, texts, map(_KEY_OF_FIRST.get, map(_first, texts))))
    keys.append("<eof>")
    texts.append("")
    starts.append(len(text))
    return Lexemes(keys, texts, starts)


# One trivia token: space, a line break, a long comment, a line comment (as _scan reads them).
_TRIVIA_TOKEN = re.compile(r"([ \t\f\v]+)|(\r\n|\n\r|\r|\n)|(--\[(=*)\[.*?\]\4\]|--[^\r\n]*)", re.DOTALL)
_TRIVIA_KINDS = ("", SPACE, NEWLINE, COMMENT, COMMENT)


def trivia(text: str, start: int, end: int) -> list[Token]:
    """The tokens of ``text[start:end]``, which must lie between two tokens of :func:`lex` (only space,
    line breaks and comments): what :func:`tokenize` gives there, found without lexing the rest."""
    return [
        Token(_TRIVIA_KINDS[m.lastindex], m.group(), m.start())  # type: ignore[index]
        for m in _TRIVIA_TOKEN.finditer(text, start, end)
    ]


def _checked(text: str, pos: int, token: str, source: str) -> bool:
    """Whether the exact scanner reads the same valid token at ``pos`` (it raises on an invalid one)."""
    try:
        end = _short_string_end(text, pos, source) if token[0] in "\"'" else _numeral_end(text, pos, source)
    except ParseError:
        return False
    return end == pos + len(token)


def _lexemes(tokens: list[Token]) -> Lexemes:
    """:class:`Lexemes` of a token list (trivia dropped)."""
    keys: list[str] = []
    texts: list[str] = []
    starts: list[int] = []
    for kind, token_text, start in tokens:
        if kind in TRIVIA:
            continue
        keys.append(token_text if kind in (OP, KEYWORD) else ("<eof>" if kind == EOF else kind))
        texts.append(token_text)
        starts.append(start)
    return Lexemes(keys, texts, starts)


def _scan_exact(text: str, pos: int, source: str, append: Callable[[Token], None]) -> int:
    """Scan the one token at ``pos`` that the fast pattern left to the exact scanners; return its end.

    Space, line breaks and names never come here: the fast pattern takes all of them.
    """
    n = len(text)
    ch = text[pos]
    if ch == "-" and text.startswith("--", pos):
        end = _comment_end(text, pos, source)
        append(Token(COMMENT, text[pos:end], pos))
    elif ch in "\"'":
        end = _short_string_end(text, pos, source)
        append(Token(STRING, text[pos:end], pos))
    elif (ch.isdigit() and ch.isascii()) or (ch == "." and pos + 1 < n and text[pos + 1] in "0123456789"):
        end = _numeral_end(text, pos, source)
        append(Token(NUMBER, text[pos:end], pos))
    elif ch == "[" and pos + 1 < n and text[pos + 1] in "[=":
        end = _long_bracket_end(text, pos, source, "string")
        append(Token(LONGSTRING, text[pos:end], pos))
    else:
        m = _OPERATOR.match(text, pos)
        if m is None:
            raise ParseError.at(text, pos, f"unexpected symbol near {_near(ch)}", source=source)
        append(Token(OP, m.group(), pos))
        end = m.end()
    return end


def _near(ch: str) -> str:
    if ch.isprintable() and not ch.isspace():
        return f"'{ch}'"
    return f"'<\\{ord(ch)}>'"


def _comment_end(text: str, pos: int, source: str) -> int:
    body = pos + 2
    if text.startswith("[", body):
        m = _LONG_OPEN.match(text, body)
        if m is not None:
            return _long_bracket_end(text, body, source, "comment", error_at=pos)
    # A line comment stops before the line break, which stays a token of its own.
    m = _LINE_END.search(text, body)
    return m.start() if m else len(text)


def _long_bracket_end(text: str, pos: int, source: str, what: str, *, error_at: int | None = None) -> int:
    m = _LONG_OPEN.match(text, pos)
    if m is None:
        # "[=" not followed by more "=" and "[": Lua 5.4 rejects it rather than reading "[" then "=".
        raise ParseError.at(text, pos, "invalid long string delimiter near '[='", source=source)
    close = "]" + m.group(1) + "]"
    end = text.find(close, m.end())
    if end == -1:
        start = pos if error_at is None else error_at
        raise ParseError.at(text, start, f"unfinished long {what} (starting here) near <eof>", source=source)
    return end + len(close)


def _numeral_end(text: str, pos: int, source: str) -> int:
    hex_match = _NUMERAL_HEX.match(text, pos)
    m = hex_match if hex_match is not None else _NUMERAL_DEC.match(text, pos)
    assert m is not None
    end = m.end()
    # llex.c swallows one trailing letter so that "3x" or "0x1g" is reported as one malformed numeral.
    if end < len(text) and _LETTER.match(text, end):
        end += 1
    numeral = text[pos:end]
    valid = _VALID_HEX if hex_match is not None else _VALID_DEC
    if not valid.fullmatch(numeral):
        raise ParseError.at(text, pos, f"malformed number near '{numeral}'", source=source)
    return end


def _short_string_end(text: str, pos: int, source: str) -> int:
    return _scan_short_string(text, pos, source, None)


def decode_short_string(token_text: str) -> str:
    """The value of a quoted Lua string token (already validated by :func:`tokenize`).

    Lua strings are bytes; escapes that produce bytes which are not UTF-8 (``"\\255"``) are decoded with
    ``surrogateescape`` so nothing is lost.
    """
    out: list[str] = []
    _scan_short_string(token_text, 0, "<string>", out)
    raw = "".join(out)
    # Escapes were collected as code points 0..255 standing for bytes mixed with real characters;
    # re-encode each piece so that "\195\169" becomes "é" as Lua would print it.
    return raw.encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape")


def _scan_short_string(text: str, pos: int, source: str, out: list[str] | None) -> int:
    """Scan the string starting at ``pos``; return its end. When ``out`` is given, collect its value.

    Byte escapes (``\\ddd``, ``\\xXX``) are collected as surrogate-escaped bytes (U+DC80..U+DCFF) or
    ASCII, so that :func:`decode_short_string` can reassemble multi-byte UTF-8 sequences.
    """
    quote = text[pos]
    i = pos + 1
    n = len(text)
    while True:
        if i >= n:
            raise ParseError.at(text, pos, "unfinished string near <eof>", source=source)
        ch = text[i]
        if ch == quote:
            return i + 1
        if ch in "\r\n":
            raise ParseError.at(text, pos, f"unfinished string near '{text[pos:i]}'", source=source)
        if ch != "\\":
            j = i + 1
            while j < n and text[j] not in "\\\r\n" and text[j] != quote:
                j += 1
            if out is not None:
                out.append(text[i:j])
            i = j
            continue
        i = _scan_escape(text, i, pos, source, out)


def _byte(value: int) -> str:
    return chr(value) if value < 0x80 else chr(0xDC00 + value)


def _scan_escape(text: str, i: int, string_start: int, source: str, out: list[str] | None) -> int:
    """Scan the escape at ``text[i] == "\\\\"``; return the offset after it."""
    n = len(text)
    if i + 1 >= n:
        raise ParseError.at(text, string_start, "unfinished string near <eof>", source=source)
    e = text[i + 1]
    if e in _SIMPLE_ESCAPES or e in "\\\"'":
        if out is not None:
            out.append(_SIMPLE_ESCAPES.get(e, e))
        return i + 2
    if e in "\r\n":
        m = _NEWLINE.match(text, i + 1)
        assert m is not None
        if out is not None:
            out.append("\n")
        return m.end()
    if e == "z":
        m = _Z_SKIP.match(text, i + 2)
        assert m is not None
        return m.end()
    if e == "x":
        m = _HEX2.match(text, i + 2)
        if m is None:
            raise ParseError.at(text, i, "hexadecimal digit expected", source=source)
        if out is not None:
            out.append(_byte(int(m.group(), 16)))
        return m.end()
    if e == "u":
        m = _UTF8_ESC.match(text, i + 2)
        if m is None:
            raise ParseError.at(text, i, "missing '{' or '}' in \\u{xxxx}", source=source)
        value = int(m.group(1), 16)
        if value >= 0x80000000:
            raise ParseError.at(text, i, "UTF-8 value too large", source=source)
        if out is not None:
            out.extend(_byte(b) for b in _utf8_bytes(value))
        return m.end()
    if e.isdigit() and e.isascii():
        m = _DEC3.match(text, i + 1)
        assert m is not None
        value = int(m.group())
        if value > 255:
            raise ParseError.at(text, i, "decimal escape too large", source=source)
        if out is not None:
            out.append(_byte(value))
        return m.end()
    raise ParseError.at(text, i, "invalid escape sequence", source=source)


def _utf8_bytes(value: int) -> bytes:
    """Lua's ``luaO_utf8esc``: the extended (up to 6 byte) UTF-8 encoding, surrogates included."""
    if value < 0x80:
        return bytes([value])
    out: list[int] = []
    mfb = 0x3F
    while True:
        out.append(0x80 | (value & 0x3F))
        value >>= 6
        mfb >>= 1
        if value <= mfb:
            break
    out.append(((~mfb << 1) & 0xFF) | value)
    return bytes(reversed(out))
