"""The meaning of a value: compose's ``$VAR`` / ``${VAR...}`` interpolation, as ``compose-go/template``
reads it.

Kept apart from the document so that the document can tell literal values from templates without
knowing the substitution rules. A template is the text compose holds after undoing quotes and escapes:
``$$`` is a literal dollar, ``$NAME`` and ``${NAME}`` are references, ``${NAME:-word}``,
``${NAME-word}``, ``${NAME:+word}``, ``${NAME+word}``, ``${NAME:?message}`` and ``${NAME?message}``
are references with a fallback (``word`` is itself a template). A ``$`` followed by anything else
(a digit, a space, the end) is literal; ``${`` that does not start one of the forms above is an error
in compose (``Invalid template``), so it is one here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Reference", "TemplateError", "display", "references", "substitute"]

# compose-go's pattern is case-insensitive ASCII: ``(?i:[_a-z][_a-z0-9]*)``.
_NAME = re.compile(r"[_a-zA-Z][_a-zA-Z0-9]*")
_OPERATOR = re.compile(r":?[-+?]")


class TemplateError(ValueError):
    """A template compose refuses: ``index`` is where in the template the faulty ``$`` is."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.message = message


@dataclass(frozen=True)
class Reference:
    """One ``$NAME`` or ``${NAME<operator>word}`` in a template (``start``/``end`` index the template)."""

    start: int
    end: int
    name: str
    operator: str = ""
    word: str = ""


def _tokens(template: str) -> list[str | Reference]:
    """The template as literal text pieces and references, ``$$`` already reduced to ``$``."""
    out: list[str | Reference] = []
    pos = 0
    while True:
        dollar = template.find("$", pos)
        if dollar < 0:
            out.append(template[pos:])
            return out
        out.append(template[pos:dollar])
        after = dollar + 1
        if template.startswith("$", after):
            out.append("$")
            pos = after + 1
        elif template.startswith("{", after):
            ref = _braced(template, dollar)
            out.append(ref)
            pos = ref.end
        elif name := _NAME.match(template, after):
            out.append(Reference(dollar, name.end(), name.group()))
            pos = name.end()
        else:
            out.append("$")
            pos = after


def _braced(template: str, dollar: int) -> Reference:
    name = _NAME.match(template, dollar + 2)
    if name is None:
        raise TemplateError(dollar, "invalid interpolation: ${ must be followed by a variable name")
    if template.startswith("}", name.end()):
        return Reference(dollar, name.end() + 1, name.group())
    operator = _OPERATOR.match(template, name.end())
    if operator is None:
        raise TemplateError(dollar, "invalid interpolation: expected }, :-, -, :+, +, :? or ? after the name")
    # The word may hold nested ${...}: the reference ends at the brace that balances the opening one
    # (compose's getFirstBraceClosingIndex).
    depth = 1
    index = operator.end()
    while index < len(template):
        char = template[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                word = template[operator.end() : index]
                return Reference(dollar, index + 1, name.group(), operator.group(), word)
        index += 1
    raise TemplateError(dollar, "invalid interpolation: unclosed ${")


def references(template: str) -> list[Reference]:
    """Every reference in ``template``, outermost only; raises :class:`TemplateError` where compose would."""
    return [token for token in _tokens(template) if isinstance(token, Reference)]


def display(template: str) -> str:
    """The template with ``$$`` reduced to ``$`` and every reference kept as written (nothing substituted)."""
    return "".join(
        token if isinstance(token, str) else template[token.start : token.end] for token in _tokens(template)
    )


def substitute(template: str, lookup: Callable[[str], str | None]) -> str:
    """Substitute every reference, ``lookup`` giving a variable's value or ``None`` when it is unset.

    An unset variable without a fallback reads as the empty string (compose warns and does the same).
    ``${NAME:?message}`` of an unset or empty variable raises :class:`TemplateError` with the message.
    """
    pieces: list[str] = []
    for token in _tokens(template):
        if isinstance(token, str):
            pieces.append(token)
            continue
        found = lookup(token.name)
        value = found or ""
        op = token.operator
        # With a colon an empty value counts as unset, as in the shell.
        is_set = found is not None and (found != "" or not op.startswith(":"))
        if op in (":+", "+"):
            pieces.append(substitute(token.word, lookup) if is_set else "")
        elif op in (":?", "?") and not is_set:
            message = substitute(token.word, lookup) or "is missing a value"
            raise TemplateError(token.start, f"required variable {token.name} {message}")
        elif op in (":-", "-") and not is_set:
            pieces.append(substitute(token.word, lookup))
        else:
            pieces.append(value)
    return "".join(pieces)
