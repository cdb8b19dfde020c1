"""HOCON tokens: every byte of the text belongs to exactly one token, so tokens concatenate back to the text.

The rules follow Lightbend Config's ``Tokenizer`` (the reference implementation), not the prose spec where
the two differ: only ``\\n`` ends a line (``\\r`` is whitespace, so CRLF files work and a lone CR does not
end a comment), a number is read greedily from ``[0-9eE+.-]`` and becomes unquoted text when it does not
parse (a ``+`` in such a run is an error), and a ``true``/``false``/``null`` that starts unquoted text is
a token of its own, so a number run may start right after it: ``null1+=x`` is ``null``, ``1+`` (an
error), ``=x`` to Lightbend, while ``a.null1+=x`` is one unquoted run before ``+=``. The value of a word
is decided by :func:`classify_word` on the whole word, which gives what Lightbend's concatenation gives.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from jitsi_secure.errors import ParseError

__all__ = [
    "COLON",
    "COMMA",
    "COMMENT",
    "EQUALS",
    "LBRACE",
    "LBRACKET",
    "NEWLINE",
    "PLUS_EQUALS",
    "RBRACE",
    "RBRACKET",
    "STRING",
    "SUBST",
    "TSTRING",
    "WORD",
    "WS",
    "Token",
    "classify_word",
    "decode_string",
    "tokenize",
]

# Token kinds are small ints: the lexer makes one tuple per token and large files have many.
WS, NEWLINE, COMMENT, LBRACE, RBRACE, LBRACKET, RBRACKET, COMMA, COLON, EQUALS, PLUS_EQUALS = range(11)
STRING, TSTRING, WORD, SUBST = range(11, 15)

#: Java's ``Character.isWhitespace`` plus the extra characters Lightbend's ``ConfigImplUtil.isWhitespace``
#: accepts (no-break spaces and the BOM), minus ``\\n`` which is a token of its own.
WS_CHARS = (
    " \t\x0b\x0c\r\x1c\x1d\x1e\x1f\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_WS_CLASS = re.escape(WS_CHARS)
#: Characters that may not appear in unquoted text (Lightbend's ``notInUnquotedText``).
FORBIDDEN = '$"{}[]:=,+#`^?!@*&\\'
_FORBIDDEN_CLASS = re.escape(FORBIDDEN)


class Token(NamedTuple):
    """One token: its kind and ``text[start:end]``."""

    kind: int
    start: int
    end: int


_UNQUOTED_CHAR = rf"(?:[^{_FORBIDDEN_CLASS}{_WS_CLASS}\n/]|/(?!/))"
# A word is the run of Lightbend tokens with nothing between them: keywords and number runs, in any order,
# then at most one plain unquoted run (which ends only at whitespace, a comment or a reserved character,
# so nothing can follow it). A plain run starts neither with a number character nor with a keyword.
_KEYWORD = "true|false|null"
_NUMBER_RUN_PATTERN = r"[0-9-][0-9eE+.\-]*"
_PLAIN_RUN = rf"(?!{_KEYWORD})(?:[^{_FORBIDDEN_CLASS}{_WS_CLASS}\n/0-9\-]|/(?!/)){_UNQUOTED_CHAR}*"
_WORD = rf"(?:{_KEYWORD}|{_NUMBER_RUN_PATTERN})+(?:{_PLAIN_RUN})?|{_PLAIN_RUN}"
#: The Lightbend tokens of one word, to find its number runs (only words with a '+' need it).
_WORD_PART = re.compile(rf"(?P<keyword>{_KEYWORD})|(?P<number>{_NUMBER_RUN_PATTERN})|{_PLAIN_RUN}")
_MASTER = re.compile(
    rf"""
    (?P<ws>[{_WS_CLASS}]+)
  | (?P<nl>\n)
  | (?P<comment>(?:\#|//)[^\n]*)
  | (?P<tstring>\"\"\"[\s\S]*?\"{{3,}})
  | (?P<string>"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{{4}})*")
  | (?P<subst>\$\{{(?:"(?:[^"\\\n]|\\[^\n])*"|[^}}"\n])*\}})
  | (?P<word>{_WORD})
  | (?P<punct>[{{}}\[\],:=]|\+=)
    """,
    re.VERBOSE,
)
_PUNCT = {
    "{": LBRACE,
    "}": RBRACE,
    "[": LBRACKET,
    "]": RBRACKET,
    ",": COMMA,
    ":": COLON,
    "=": EQUALS,
    "+=": PLUS_EQUALS,
}
_SIMPLE_KINDS = {"ws": WS, "nl": NEWLINE, "comment": COMMENT, "tstring": TSTRING, "string": STRING, "subst": SUBST}
_NUMBER_RUN = re.compile(_NUMBER_RUN_PATTERN)
_LONG = re.compile(r"-?[0-9]+")
# Each digit can belong to one place only: with ``[0-9]+\.?[0-9]*`` a long run of digits that fails
# to match later split every way and took minutes to refuse.
_DOUBLE = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1


def tokenize(text: str, *, source: str = "<string>") -> list[Token]:
    """Split ``text`` into tokens; raises :class:`ParseError` at the first character no token can start with."""
    tokens: list[Token] = []
    append = tokens.append
    match = _MASTER.match
    pos = 0
    length = len(text)
    while pos < length:
        m = match(text, pos)
        if m is None:
            raise _lex_error(text, pos, source)
        group = m.lastgroup
        end = m.end()
        if group == "punct":
            append(Token(_PUNCT[m.group()], pos, end))
        elif group == "word":
            if "+" in m.group():
                _check_number_runs(text, pos, end, source)
            append(Token(WORD, pos, end))
        elif group == "string" and text.startswith('"""', pos):
            # `""` followed by `"` is an unterminated triple quote, not an empty string and another string.
            raise ParseError.at(text, pos, 'unterminated triple-quoted string (no closing """)', source=source)
        else:
            assert group is not None
            append(Token(_SIMPLE_KINDS[group], pos, end))
        pos = end
    return tokens


def _check_number_runs(text: str, start: int, end: int, source: str) -> None:
    """Refuse a '+' in a number run of ``text[start:end]`` that is no number, as Lightbend does.

    Only a number run can hold a '+' (it is reserved everywhere else), and Lightbend reads the whole
    run as one number: ``1e+5`` is fine, ``1+`` (as in ``null1+=x``) is an error.
    """
    for part in _WORD_PART.finditer(text, start, end):
        run = part.group("number")
        if run is not None and "+" in run and not _is_number(run):
            raise ParseError.at(
                text,
                part.start() + run.index("+"),
                "reserved character '+' is not allowed outside quotes",
                source=source,
            )


def _lex_error(text: str, pos: int, source: str) -> ParseError:
    ch = text[pos]
    if ch == '"':
        if text.startswith('"""', pos):
            return ParseError.at(text, pos, 'unterminated triple-quoted string (no closing """)', source=source)
        return ParseError.at(text, _string_problem(text, pos), _string_message(text, pos), source=source)
    if ch == "$":
        if text.startswith("${", pos):
            return ParseError.at(text, pos, "unterminated or malformed substitution ${...}", source=source)
        return ParseError.at(text, pos, "'$' is only allowed in a substitution ${...} or quoted", source=source)
    if ch == "+":
        return ParseError.at(text, pos, "'+' not followed by '=' (quote it to use it in a string)", source=source)
    return ParseError.at(text, pos, f"reserved character {ch!r} is not allowed outside quotes", source=source)


def _string_problem(text: str, pos: int) -> int:
    i = pos + 1
    while i < len(text):
        ch = text[i]
        if ch == '"':
            return i
        if ch == "\\":
            return i
        if ch < " ":
            return i
        i += 1
    return pos


def _string_message(text: str, pos: int) -> str:
    i = _string_problem(text, pos)
    if i == pos:
        return "unterminated quoted string"
    ch = text[i]
    if ch == "\\":
        return 'invalid escape in quoted string (allowed: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)'
    if ch == "\n":
        return "newline in quoted string (use \\n or a triple-quoted string)"
    return f"unescaped control character U+{ord(ch):04X} in quoted string"


_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPE_RE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|(.))")


def decode_string(token_text: str) -> str:
    """The value of a quoted (``"..."``) or triple-quoted (``\"\"\"...\"\"\"``) string token."""
    if token_text.startswith('"""'):
        return token_text[3:-3]
    body = token_text[1:-1]
    if "\\" not in body:
        return body
    value = _ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else _ESCAPES[m.group(2)], body)
    if _SURROGATE.search(value):
        # Java strings are UTF-16: an escaped surrogate pair is one character (a lone one stays as it is).
        value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return value


def _is_number(text: str) -> bool:
    if _LONG.fullmatch(text):
        return _as_long(text) is not None
    return _DOUBLE.fullmatch(text) is not None


def _as_long(text: str) -> int | None:
    """``text`` (which matches ``_LONG``) as Java's ``Long.parseLong`` reads it, or ``None`` if it overflows.

    The digits are counted before ``int()`` sees them: Python refuses to convert more than 4,300
    digits, and nothing that long fits in a Long anyway (leading zeros aside).
    """
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-").lstrip("0") or "0"
    if len(digits) > 19:
        return None
    value = sign * int(digits)
    return value if _LONG_MIN <= value <= _LONG_MAX else None


def classify_word(text: str) -> bool | int | float | str | None:
    """The value of a lone unquoted word: a keyword, a number (as Java's Long/Double read it) or the text."""
    if text == "true":
        return True
    if text == "false":
        return False
    if text == "null":
        return None
    first = text[0]
    if first == "-" or "0" <= first <= "9":
        run = _NUMBER_RUN.match(text)
        if run is not None and run.end() == len(text):
            if _LONG.fullmatch(text):
                value = _as_long(text)
                return text if value is None else value
            if _DOUBLE.fullmatch(text):
                return float(text)
    return text
