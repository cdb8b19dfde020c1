"""The scope rules ``lparser.c`` checks while it parses: ``break`` outside a loop, ``goto`` without a
visible label or jumping into the scope of a local, duplicate labels, ``...`` outside a vararg function,
and assignments to ``<const>``/``<close>`` locals. The parser calls these as it opens and closes
functions and blocks; they raise :class:`ParseError` where Lua would."""

from __future__ import annotations

from dataclasses import dataclass, field

from jitsi_secure.errors import ParseError
from jitsi_secure.formats.lua._tree import Node

__all__ = ["Scopes"]


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


class Scopes:
    """The functions and blocks open at the parser's position, with their locals, labels and pending gotos."""

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.functions: list[_Function] = []

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

    def declare_label(self, name: str, at: int, at_block_end: bool) -> None:
        fn = self.fn
        for block in fn.blocks:
            if name in block.labels:
                raise ParseError.at(self.text, at, f"label '{name}' already defined", source=self.source)
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
