"""jitsi-secure: lock down a Jitsi Meet server by editing its configuration files losslessly.

The format documents live in :mod:`jitsi_secure.formats` (one module per format, all shaped alike);
every error raised on purpose derives from :class:`jitsi_secure.errors.JitsiSecureError`.
"""

from __future__ import annotations

from jitsi_secure._core.splice import Splice, apply_splices
from jitsi_secure._core.style import TextStyle, detect_style
from jitsi_secure._core.write import WriteResult, read_text, write_text
from jitsi_secure.errors import EditError, JitsiSecureError, ParseError, VerificationError, WriteError

__version__ = "0.1.0.dev0"

__all__ = [
    "EditError",
    "JitsiSecureError",
    "ParseError",
    "Splice",
    "TextStyle",
    "VerificationError",
    "WriteError",
    "WriteResult",
    "__version__",
    "apply_splices",
    "detect_style",
    "read_text",
    "write_text",
]
