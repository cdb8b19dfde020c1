"""jitsi-secure: lock down a Jitsi Meet server by editing its configuration files losslessly.

- :func:`load` / :func:`save`: any of the five formats from a path, edited, and written back safely.
- :mod:`jitsi_secure.formats`: the format documents (one module per format, all shaped alike).
- :mod:`jitsi_secure.secure_domain`: the Secure Domain recipes, plans and layouts.
- :mod:`jitsi_secure.deployment`, :mod:`jitsi_secure.policy`, :mod:`jitsi_secure.doctor`: the deployment
  as its programs read it, the access policy computed from it, and the checks of known breakages.

Every error raised on purpose derives from :class:`jitsi_secure.errors.JitsiSecureError`.

The public interface is what ``__all__`` lists here and in the public modules (``errors``, ``accounts``,
``cli``, ``demo``, ``formats.*``, ``secure_domain.*``, ``deployment``, ``policy``, ``doctor``); modules
and names that start with an underscore are private and may change in any release. ``__version__`` is
the package's version, the one its metadata and ``jitsi-secure --version`` report.
"""

from __future__ import annotations

from jitsi_secure._core.splice import Splice, apply_splices
from jitsi_secure._core.style import TextStyle, detect_style
from jitsi_secure._core.write import WriteResult, read_text, write_text
from jitsi_secure._documents import Document, load, save
from jitsi_secure.errors import (
    EditError,
    JitsiSecureError,
    ParseError,
    ReadError,
    VerificationError,
    WriteError,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "Document",
    "EditError",
    "JitsiSecureError",
    "ParseError",
    "ReadError",
    "Splice",
    "TextStyle",
    "VerificationError",
    "WriteError",
    "WriteResult",
    "__version__",
    "apply_splices",
    "detect_style",
    "load",
    "read_text",
    "save",
    "write_text",
]
