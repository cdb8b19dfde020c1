"""The two trivia rules every format follows, written once: which comments leave with a removed key,
and how a commented-out example of a key is uncommented to set it.

Both work on lines of the original text, so they apply alike to ``.properties``, ``.env``, HOCON, Lua
and config.js; each format says only what a comment line looks like in it and where its keys are.

**The comment rule.** A comment on the key's own line belongs to it (the whole line goes). A block of
full-line comments directly above the key (no blank line between) belongs to it when the key is alone
in its paragraph, and stays when the key shares the paragraph with other keys (the block may head the
group). A commented-out setting counts as a key, not as a comment about one. Blank lines are never
removed, so paragraphs do not merge. ``comment_out=True`` comments out the key's lines and keeps its
comments.

**The uncomment rule.** ``set`` of a key that is absent but present as a commented-out example of that
key at the place it would go uncomments the last such example in place: its indentation and key
spelling stay, the comment marker goes, and the value becomes the new one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from jitsi_secure._core.splice import Splice, apply_splices

__all__ = ["comment_out_splices", "commented_out_as", "line_span", "lines_between", "owned_span", "uncomment_splice"]


def line_span(text: str, pos: int) -> tuple[int, int]:
    """The line holding ``pos``: its start and the offset just past its line break (``\\n``, ``\\r\\n``
    or a lone ``\\r``), or the end of the text."""
    start = max(text.rfind("\n", 0, pos), text.rfind("\r", 0, pos)) + 1
    if start < pos and text[start - 1 : start + 1] == "\r\n":
        start += 1
    if 0 < start < len(text) and text[start - 1] == "\r" and text[start] == "\n":
        # ``pos`` sat between the CR and LF of one break: the line is the one before.
        return line_span(text, start - 1)
    end = start
    n = len(text)
    while end < n and text[end] not in "\r\n":
        end += 1
    if text.startswith("\r\n", end):
        end += 2
    elif end < n:
        end += 1
    return start, end


def lines_between(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The lines starting in ``[start, end)``, as ``(line start, end past its break)``."""
    pos = start
    while pos < end:
        line = line_span(text, pos)
        yield line
        if line[1] <= pos:
            return
        pos = line[1]


def _previous_line(text: str, line_start: int) -> tuple[int, int] | None:
    return line_span(text, line_start - 1) if line_start > 0 else None


def owned_span(
    text: str,
    start: int,
    end: int,
    *,
    is_comment: Callable[[str], bool],
    is_other_key: Callable[[int, int], bool],
) -> tuple[int, int]:
    """The span a removal of the key whose full lines are ``text[start:end]`` takes, by the comment rule.

    Args:
        start: the start of the key's first line.
        end: the end of its last line, past the line break.
        is_comment: whether a line's text (without its line break, stripped) is a full-line comment.
        is_other_key: whether the line ``text[a:b]`` holds another key, or a commented-out setting.
    """

    def blank(a: int, b: int) -> bool:
        return not text[a:b].strip()

    def comment(a: int, b: int) -> bool:
        return not blank(a, b) and is_comment(text[a:b].strip()) and not is_other_key(a, b)

    # Above: the comment block directly above, then what bounds it.
    block = start
    above = _previous_line(text, start)
    while above is not None and comment(*above):
        block = above[0]
        above = _previous_line(text, above[0])
    if block == start:
        return start, end
    if above is not None and not blank(*above) and is_other_key(*above):
        return start, end
    # Below: the rest of the paragraph must hold no other key.
    pos = end
    while pos < len(text):
        a, b = line_span(text, pos)
        if blank(a, b):
            break
        if is_other_key(a, b):
            return start, end
        if not comment(a, b):
            break  # structure (a closing brace, a section header) ends the paragraph
        pos = b
    return block, end


def comment_out_splices(
    text: str, start: int, end: int, marker: str, reason: str, *, at: Callable[[int], int] | None = None
) -> list[Splice]:
    """Comment out every line starting in ``[start, end)`` with ``marker`` (after its indentation, or at
    ``at(line_start)`` when given), keeping the lines and their comments."""
    splices = []
    for a, b in lines_between(text, start, end):
        if at is not None:
            where = at(a)
        else:
            where = a
            while where < b and text[where] in " \t":
                where += 1
        splices.append(Splice(where, where, marker, reason))
    return splices


def commented_out_as(
    text: str,
    span: tuple[int, int],
    replacements: Sequence[Splice],
    marker: str,
    *,
    reason: str,
    after_indentation: bool = True,
) -> Splice:
    """One splice that makes ``replacements`` (offsets of ``text``, inside ``span``) in the lines
    ``text[span[0]:span[1]]`` and then comments out every resulting line with ``marker`` (after its
    indentation, or at its start): a value replaced by a placeholder and commented out, even when the
    value spans lines that the marker would otherwise split."""
    start, end = span
    local = [Splice(s.start - start, s.end - start, s.new_text, s.reason) for s in replacements]
    fragment = apply_splices(text[start:end], local)
    at = None if after_indentation else _line_start
    markers = comment_out_splices(fragment, 0, len(fragment), marker, reason, at=at)
    return Splice(start, end, apply_splices(fragment, markers), reason)


def _line_start(line_start: int) -> int:
    return line_start


def uncomment_splice(
    text: str, marker_start: int, key_start: int, old_value: tuple[int, int], value: str, *, reason: str
) -> Splice:
    """The splice that turns a commented-out example into the setting: the marker and the blanks after
    it (``text[marker_start:key_start]``) go, the key spelling and separator stay, and the example's
    value (``text[old_value[0]:old_value[1]]``) becomes ``value``."""
    value_start, value_end = old_value
    return Splice(marker_start, value_end, text[key_start:value_start] + value, reason)
