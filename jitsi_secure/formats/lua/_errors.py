"""The Lua format's own error, in a leaf module: the sandboxed loader (:mod:`._loader`) raises it and
:mod:`jitsi_secure.formats.lua` re-exports it, so neither has to import the other."""

from __future__ import annotations

from jitsi_secure.errors import JitsiSecureError

__all__ = ["LuaEvaluationError"]


class LuaEvaluationError(JitsiSecureError):
    """Running the config failed the way it would fail in Prosody (a runtime error such as calling an
    undefined function, a missing Include), or it broke a sandbox limit (time, memory, forbidden API)."""
