"""The second reading of an edited config.js, by esprima, compared with the document's own.

The document is built on tree-sitter; before jitsi-secure writes an edited config.js, esprima (another
parser, :mod:`._esprima`, imported only then) parses the same served text, the shared evaluator reads
its tree, and the two meanings must be equal. A bug in the tree-sitter front-end (a range, a value, a
node read wrongly) then stops the write instead of confirming itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jitsi_secure.errors import ParseError, VerificationError
from jitsi_secure.formats.js._esprima import parse_independently
from jitsi_secure.formats.js._meaning import build_model
from jitsi_secure.formats.js._model import JsValue, difference
from jitsi_secure.formats.js._ssi import serve

if TYPE_CHECKING:
    from jitsi_secure.formats.js._document import ConfigJsDocument

__all__ = ["read_independently"]


def read_independently(document: ConfigJsDocument) -> dict[str, JsValue]:
    """esprima's reading of ``document``'s text, which must equal :meth:`ConfigJsDocument.to_dict`.

    Raises:
        VerificationError: esprima cannot parse the text, or reads it differently (the message names
            the first path where the readings differ, never a value).
    """
    text, source = document.text, document.source
    try:
        served = serve(text, source=source)
        program = parse_independently(served, source=source, disk_text=text)
        theirs = build_model(text, program, document.name, served).plain()
    except (ParseError, RecursionError) as exc:
        raise VerificationError(
            f"{source}: the independent reader (esprima) cannot read the edited file: {exc}"
        ) from None
    where = difference(theirs, document.to_dict())
    if where is not None:
        raise VerificationError(
            f"{source}: the independent reader (esprima) reads the edited file differently at {where};"
            " nothing was written"
        )
    return theirs
