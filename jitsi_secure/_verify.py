"""Independent readers: each format read by a program other than our own lossless parser.

Verification compares what these readers see before and after an edit. They are deliberately not
our parsers: a bug in a lossless document must not be able to confirm itself.

- Lua: the text run by real Lua 5.4 (lupa) with Prosody's config API stubbed (``LuaDocument.evaluate``).
- config.js: the document is built on tree-sitter; an edited one is read again by esprima, and the two
  readings must agree.
- HOCON: pyhocon.
- .properties: jproperties.
- .env: python-dotenv (without interpolation, as values are compared the way they are written).
"""

from __future__ import annotations

import contextlib
import datetime
import io
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from jitsi_secure.errors import VerificationError

if TYPE_CHECKING:
    from jitsi_secure.formats.js import ConfigJsDocument
    from jitsi_secure.formats.lua import LuaDocument

__all__ = ["read_dotenv", "read_hocon", "read_js", "read_lua", "read_properties"]


def read_lua(document: LuaDocument, *, prosody_version: tuple[int, int] | None = None) -> dict[str, Any]:
    """Prosody's view of a config: ``{"*": globals, host: options}``, from running it in Lua with the
    loader rules of ``prosody_version`` (0.12's when ``None``). Files are not followed: Prosody 13's
    ``FileContents(...)`` reads as ``"<FileContents>"`` (the deployment model reads through it)."""
    if prosody_version is None:
        return dict(document.evaluate())
    return dict(document.evaluate(prosody_version=prosody_version))


def read_js(document: ConfigJsDocument) -> dict[str, Any]:
    """The value of ``config`` after the file's statements.

    A document as read from disk is taken at its word (tree-sitter's tree, :meth:`ConfigJsDocument.to_dict`),
    so ``check`` never imports esprima. A document made by an edit is read by esprima as well, and the
    readings must be equal (:class:`VerificationError` otherwise): that is the reading a write relies on.
    """
    if document.edited:
        from jitsi_secure.formats.js import read_independently

        return dict(read_independently(document))
    return dict(document.to_dict())


def read_hocon(text: str, source: str) -> dict[str, Any]:
    """pyhocon's reading of a HOCON text, as plain Python values."""
    import pyparsing
    from pyhocon import ConfigFactory, ConfigTree
    from pyhocon.config_tree import ConfigSubstitution, ConfigValues
    from pyhocon.exceptions import ConfigException

    try:
        with _includes_not_followed():
            tree = ConfigFactory.parse_string(text, resolve=False)
    except (ConfigException, pyparsing.ParseBaseException, AttributeError, RecursionError) as exc:
        raise VerificationError(f"{source}: pyhocon cannot read this file: {exc}") from None

    def plain(value: Any) -> Any:
        if isinstance(value, ConfigTree):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        if isinstance(value, ConfigSubstitution):
            # Left unresolved on purpose: compare substitutions by what they say, not by identity.
            return f"${{{'?' if value.optional else ''}{value.variable}}}"
        if isinstance(value, ConfigValues):
            return ("<concatenation>", *(plain(token) for token in value.tokens))
        if isinstance(value, datetime.timedelta):
            # pyhocon turns "30 seconds" into a timedelta; keep it comparable, not re-emitted.
            return f"<duration {value.total_seconds()}s>"
        return value

    result = plain(tree)
    assert isinstance(result, dict)
    return result


_PYHOCON_PATCH = threading.Lock()


@contextlib.contextmanager
def _includes_not_followed() -> Iterator[None]:
    """Make pyhocon read ``include`` as an empty object instead of opening files and URLs.

    Verification compares a file's own meaning before and after an edit; following includes would read
    other files (relative to the current directory, not the file) and, for ``include url(...)``, go to
    the network. pyhocon has no switch for this, so its two loaders are swapped out for the call.
    """
    from pyhocon import ConfigTree, config_parser

    def empty(cls: Any, *args: Any, **kwargs: Any) -> ConfigTree:
        return ConfigTree()

    factory = config_parser.ConfigFactory
    with _PYHOCON_PATCH:
        saved = factory.__dict__["parse_file"], factory.__dict__["parse_URL"]
        factory.parse_file = classmethod(empty)
        factory.parse_URL = classmethod(empty)
        try:
            yield
        finally:
            factory.parse_file, factory.parse_URL = saved


def read_properties(text: str, source: str) -> dict[str, Any]:
    """jproperties' reading of a ``.properties`` text (ISO-8859-1, as Java reads it)."""
    import jproperties

    props = jproperties.Properties()
    try:
        props.load(io.BytesIO(text.encode("iso-8859-1", errors="surrogateescape")), encoding="iso-8859-1")
    except (jproperties.PropertyError, UnicodeError, ValueError) as exc:
        raise VerificationError(f"{source}: jproperties cannot read this file: {exc}") from None
    return {key: value.data for key, value in props.items()}


def read_dotenv(text: str, source: str) -> dict[str, Any]:
    """python-dotenv's reading of a ``.env`` text, references kept as written."""
    from dotenv import dotenv_values

    try:
        values = dotenv_values(stream=io.StringIO(text), interpolate=False)
    except (ValueError, UnicodeError) as exc:
        raise VerificationError(f"{source}: python-dotenv cannot read this file: {exc}") from None
    # A bare KEY line reads as None in python-dotenv; compose takes it from the environment, so it is
    # not part of the file's own meaning.
    return {key: value for key, value in values.items() if value is not None}
