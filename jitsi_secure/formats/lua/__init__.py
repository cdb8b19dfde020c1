"""Prosody's Lua configuration as a lossless document.

A Prosody config is a Lua script. ``VirtualHost "x"`` and ``Component "x" "module"`` lines start
sections; every plain assignment after such a line belongs to that section until the next one, and
assignments before the first belong to the global section::

    doc = parse(text, source="/etc/prosody/conf.avail/meet.example.com.cfg.lua")
    doc.get("meet.example.com", "authentication")          # 'jitsi-anonymous'
    doc = doc.set("meet.example.com", "authentication", "internal_hashed")
    doc = doc.add_section("VirtualHost", "guest.example.com",
                          {"authentication": "anonymous", "c2s_require_encryption": False},
                          after="meet.example.com")
    doc.render()                                            # the edited text, everything else as it was
    doc.evaluate()                                          # {"*": {...}, "meet.example.com": {...}, ...}

:func:`parse` accepts exactly the valid Lua 5.4 chunks (and raises :class:`ParseError` with line and
column for anything else); ``render()`` gives the text back byte for byte. Edits are splices of the
original text, re-parsed and checked before a new document is returned. ``get`` reads literal values
from the syntax; :meth:`LuaDocument.evaluate` runs the file in a sandbox with Prosody's config API for
the authoritative meaning.
"""

from __future__ import annotations

from jitsi_secure.formats.lua._data import ReturnedField, returned_table
from jitsi_secure.formats.lua._document import LuaDocument, load_file, parse
from jitsi_secure.formats.lua._errors import LuaEvaluationError
from jitsi_secure.formats.lua._layout import LuaPath
from jitsi_secure.formats.lua._loader import LuaEvaluateOptions, LuaEvaluation, LuaLocation, LuaWarning
from jitsi_secure.formats.lua._loader import evaluate as run_config
from jitsi_secure.formats.lua._meaning import LuaExpression
from jitsi_secure.formats.lua._model import Option, Section, SectionKind
from jitsi_secure.formats.lua._render import render_string as string_literal
from jitsi_secure.formats.lua._render import secret_spellings

__all__ = [
    "LuaDocument",
    "LuaEvaluateOptions",
    "LuaEvaluation",
    "LuaEvaluationError",
    "LuaExpression",
    "LuaLocation",
    "LuaPath",
    "LuaWarning",
    "Option",
    "ReturnedField",
    "Section",
    "SectionKind",
    "load_file",
    "parse",
    "returned_table",
    "run_config",
    "secret_spellings",
    "string_literal",
]
