"""Checked by mypy in tests/formats/test_document_contract.py: every format document is a ``Document``."""

from __future__ import annotations

from jitsi_secure import load
from jitsi_secure.formats import Document, dotenv, hocon, js, lua, properties

documents: list[Document] = [
    properties.parse("a=1\n"),
    dotenv.parse("A=1\n"),
    hocon.parse("a = 1\n"),
    lua.parse("a = 1\n"),
    js.parse("var config = { a: 1 };\n"),
]
loaded: Document = load("jicofo.conf")
