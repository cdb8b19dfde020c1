"""The deployment as its programs read it: Prosody, Jicofo and the browser, across every file they load.

A Jitsi Meet server is not one file. Prosody runs its main config and follows ``Include`` into
``conf.d/``, host options fall back to the global section and a host defined in two files is merged;
Jicofo merges jicofo.conf's includes and lets the legacy properties win; the browser runs every
statement of config.js. :func:`read_deployment` reads all of it the way those programs do and
remembers which file and line decides each value; :mod:`jitsi_secure.policy` computes from it who may
log in and create rooms. ``check`` and a plan's final verification judge that, never the lines alone.

Example::

    from jitsi_secure.deployment import read_deployment
    from jitsi_secure.secure_domain import Layout

    deployment = read_deployment(Layout.debian(root="/mnt/image"))
    guest = deployment.prosody.host("guest.meet.example.com")
    print(guest.files, deployment.prosody.get(guest.name, "authentication"))
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from jitsi_secure._root import Root
from jitsi_secure.deployment._jicofo import LEGACY_AUTH_URL, NotJicofoConfigError, check_is_jicofo_config
from jitsi_secure.deployment._model import (
    JICOFO_DEFAULTS,
    Deployment,
    JicofoConfig,
    MeetConfig,
    Origin,
    ProsodyConfig,
    ProsodyHost,
    Setting,
)

if TYPE_CHECKING:
    from jitsi_secure._layout import DockerLayout, Layout

__all__ = [
    "DEFAULT_PROSODY_VERSION",
    "JICOFO_DEFAULTS",
    "LEGACY_AUTH_URL",
    "Deployment",
    "JicofoConfig",
    "MeetConfig",
    "NotJicofoConfigError",
    "Origin",
    "ProsodyConfig",
    "ProsodyHost",
    "Setting",
    "check_is_jicofo_config",
    "read_deployment",
    "read_jicofo",
]

#: The loader rules used when the Prosody version is not known.
DEFAULT_PROSODY_VERSION = (0, 12)


def read_deployment(
    layout: Layout | DockerLayout,
    *,
    prosody_version: tuple[int, int] | None = None,
    texts: Mapping[Path, str] | None = None,
    links: Mapping[Path, str] | None = None,
) -> Deployment:
    """Read the deployment ``layout`` names, as its programs will.

    ``prosody_version`` picks the loader rules (0.12 when ``None``; the Prosody notes then say so).
    ``texts`` maps files on disk to texts that stand in for them, and ``links`` symbolic links to create
    (path on disk to target) that are followed as if they were there: a plan reads its planned result
    this way before writing anything.

    Raises :class:`~jitsi_secure.errors.ParseError` for a file that does not parse,
    :class:`~jitsi_secure.formats.lua.LuaEvaluationError` when Prosody's loader would fail (a missing
    ``Include``), and :class:`NotJicofoConfigError` for a jicofo.conf that is not one.
    """
    from jitsi_secure._layout import DockerLayout

    overlay = dict(texts or {})
    if isinstance(layout, DockerLayout):
        return _read_docker(layout, overlay)
    from jitsi_secure.deployment._jicofo import read_jicofo_under
    from jitsi_secure.deployment._prosody import read_prosody

    root = Root(layout.root, dict(links or {}))
    version = prosody_version or DEFAULT_PROSODY_VERSION
    prosody = read_prosody(root, main=layout.prosody_main, host_files=[layout.prosody], version=version, texts=overlay)
    if prosody_version is None:
        prosody = _with_note(prosody, "Prosody version unknown: read with Prosody 0.12's loader rules")
    jicofo = read_jicofo_under(root, conf=layout.jicofo, legacy=layout.jicofo_legacy, texts=overlay)
    return Deployment(layout.domain, prosody, _read_meet(root, layout.meet, overlay), jicofo, layout=layout)


def read_jicofo(layout: Layout, *, legacy: bool = True, texts: Mapping[Path, str] | None = None) -> JicofoConfig:
    """Jicofo's authentication under ``layout``, as :func:`read_deployment` reads it: jicofo.conf with
    its includes, then the legacy ``sip-communicator.properties``.

    ``legacy=False`` leaves the legacy file out: what jicofo.conf alone says, which is what Jicofo
    reads once that file's ``org.jitsi.jicofo.auth.URL`` is gone (``doctor`` compares the two).
    ``texts`` stand in for files on disk, as for :func:`read_deployment`.

    Raises :class:`~jitsi_secure.errors.ParseError` for a file that does not parse (or a missing
    ``required(...)`` include) and :class:`NotJicofoConfigError` for a jicofo.conf that is not one.
    """
    from jitsi_secure.deployment._jicofo import read_jicofo_under

    legacy_file = layout.jicofo_legacy if legacy else None
    return read_jicofo_under(Root(layout.root), conf=layout.jicofo, legacy=legacy_file, texts=dict(texts or {}))


def _with_note(prosody: ProsodyConfig, note: str) -> ProsodyConfig:
    from dataclasses import replace

    return replace(prosody, notes=(*prosody.notes, note))


def _read_meet(root: Root, path: Path, texts: Mapping[Path, str]) -> MeetConfig:
    from jitsi_secure._core.write import read_text
    from jitsi_secure.formats import js

    display = root.display(path)
    text = texts[path] if path in texts else read_text(path)
    return MeetConfig(display, js.parse(text, source=display, name=js.variable_for(path)).to_dict())


def _read_docker(layout: DockerLayout, texts: Mapping[Path, str]) -> Deployment:
    from jitsi_secure._core.write import read_text
    from jitsi_secure._layout import xmpp_domain
    from jitsi_secure.formats import dotenv

    display = layout.display(layout.env_file)
    text = texts[layout.env_file] if layout.env_file in texts else read_text(layout.env_file)
    document = dotenv.parse(text, source=display)
    env = {key: str(value) for key, value in document.to_dict().items()}
    return Deployment(xmpp_domain(document), None, None, None, env, display, layout=layout)
