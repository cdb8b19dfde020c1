"""What every check needs: the deployment, its files on disk, the policy, and ways to build a fix."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jitsi_secure import policy as access
from jitsi_secure._root import LayoutError, Root
from jitsi_secure.deployment import DEFAULT_PROSODY_VERSION, Deployment, Origin, ProsodyConfig, ProsodyHost
from jitsi_secure.doctor._finding import Edit
from jitsi_secure.errors import JitsiSecureError
from jitsi_secure.formats import Document
from jitsi_secure.secure_domain.layout import DockerLayout, Layout

__all__ = ["Context", "config_js", "dotenv_file", "lua_file", "removing_section", "setting"]


@dataclass(frozen=True)
class Context:
    """A deployment being diagnosed. ``layout`` is ``None`` for a deployment built by hand: then
    nothing beyond the loaded files is looked at and nothing can be fixed."""

    deployment: Deployment
    #: Planned texts that stand in for files on disk (a fix being verified).
    texts: Mapping[Path, str] = field(default_factory=dict)

    @property
    def layout(self) -> Layout | DockerLayout | None:
        """The files the deployment was read from."""
        return self.deployment.layout

    @property
    def root(self) -> Root | None:
        """The folder the deployment's paths are under, when known."""
        return Root(self.layout.root) if self.layout is not None else None

    @property
    def prosody(self) -> ProsodyConfig | None:
        """Prosody's configuration (``None`` for docker)."""
        return self.deployment.prosody

    @property
    def version(self) -> tuple[int, int]:
        """The Prosody version whose rules apply."""
        return self.prosody.version if self.prosody is not None else DEFAULT_PROSODY_VERSION

    @functools.cached_property
    def policy(self) -> access.AccessPolicy:
        """Who may log in, create rooms and join."""
        return access.compute(self.deployment)

    def disk(self, display: str) -> Path | None:
        """The file on disk for a path as the deployment sees it (``None``: not under the root)."""
        if self.root is None or not display.startswith("/"):
            return None
        try:
            return self.root.resolve(display)
        except LayoutError:
            return None

    def text(self, display: str) -> str | None:
        """A file's text, ``None`` when it cannot be read."""
        from jitsi_secure._core.write import read_text
        from jitsi_secure.errors import WriteError

        path = self.disk(display)
        if path is not None and path in self.texts:
            return self.texts[path]
        try:
            return read_text(path) if path is not None and path.is_file() else None
        except WriteError:  # what the safe reader raises for a file it cannot read
            return None

    def line_of(self, display: str | None, path: Any, read: Callable[[str, str], Document]) -> int:
        """The line of ``display`` that sets ``path``, as its document (``read(text, display)``, parsed
        once per file) knows it: 0 when nothing there sets it, or the file cannot be read or parsed."""
        document = self.document(display, read) if display is not None else None
        return (document.line_of(path) or 0) if document is not None else 0

    def document(self, display: str, read: Callable[[str, str], Document]) -> Document | None:
        """``display`` as its document (``read(text, display)``, parsed once per file); ``None`` when
        the file cannot be read or parsed."""
        if display not in self._documents:
            text = self.text(display)
            try:
                self._documents[display] = read(text, display) if text is not None else None
            except JitsiSecureError:  # a file that does not parse was reported by the reader already
                self._documents[display] = None
        return self._documents[display]

    @functools.cached_property
    def _documents(self) -> dict[str, Document | None]:
        return {}

    def edit(self, display: str | None, role: str, change: Callable[[str], str]) -> tuple[Edit, ...]:
        """The edit of ``display`` by ``change``; none when the file is not known on disk."""
        path = self.disk(display) if display else None
        if path is None or self.layout is None or display is None:
            return ()
        return (Edit(path, display, role, change, self.layout, self.version),)

    def link(self, display: str, target: str) -> tuple[Edit, ...]:
        """The creation of the symbolic link ``display`` (as the deployment sees it) leading to ``target``."""
        if self.root is None or self.layout is None:
            return ()
        path = self.root.under(display)
        return (Edit(path, display, "prosody", lambda text: text, self.layout, self.version, link_target=target),)

    def lua_edit(self, display: str | None, change: Callable[[Any], Any]) -> tuple[Edit, ...]:
        """The edit of a Prosody file by ``change``, a function of its :class:`LuaDocument`."""
        from jitsi_secure.formats import lua

        def run(text: str) -> str:
            rendered: str = change(lua.parse(text, source=display or "<prosody>")).render()
            return rendered

        return self.edit(display, "prosody", run)

    def host_file(self, host: ProsodyHost, option: str | None = None) -> str | None:
        """The file to edit ``option`` of ``host`` in: where the option is set, else where the host is defined."""
        if option is not None and option in host.origins:
            return host.origins[option].file
        return host.defined_at[0].file if host.defined_at else None

    def header(self, host: ProsodyHost) -> Origin | None:
        """The first line that opens ``host``."""
        return host.defined_at[0] if host.defined_at else None


def config_js(text: str, source: str) -> Document:
    """config.js (or interface_config.js, by its name) as a document."""
    from jitsi_secure.formats import js

    return js.parse(text, source=source, name=js.variable_for(source))


def lua_file(text: str, source: str) -> Document:
    """A Prosody config file as a document."""
    from jitsi_secure.formats import lua

    return lua.parse(text, source=source)


def dotenv_file(text: str, source: str) -> Document:
    """A docker ``.env`` file as a document."""
    from jitsi_secure.formats import dotenv

    return dotenv.parse(text, source=source)


def setting(section: str, option: str, value: Any) -> Callable[[Any], Any]:
    """A Lua document edit: ``option`` of ``section`` (``"*"``: global) set to ``value``."""

    def change(document: Any) -> Any:
        return document.set((section, option), value)

    return change


def removing_section(name: str) -> Callable[[Any], Any]:
    """A Lua document edit: the ``VirtualHost``/``Component`` ``name`` removed."""

    def change(document: Any) -> Any:
        return document.remove_section(name)

    return change
