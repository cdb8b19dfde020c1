"""Which files a deployment's change touches, and how each kind is read, declared and checked.

A :class:`Program` ties a format (its parser and independent reader) to the recipe that declares
what such a file must say; it is generic in the document type, so mypy checks that each recipe takes
the document its format parses. :func:`files` lists a deployment's files with their programs, each
Prosody file told which hosts it holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from jitsi_secure import _verify
from jitsi_secure import policy as access
from jitsi_secure._core.document import Document
from jitsi_secure._root import Root
from jitsi_secure.deployment import Deployment
from jitsi_secure.formats import dotenv, hocon, js, lua, properties
from jitsi_secure.secure_domain import docker, jicofo, jigasi, meet
from jitsi_secure.secure_domain import prosody as prosody_recipe
from jitsi_secure.secure_domain._engine import Declaration, Declare
from jitsi_secure.secure_domain._intent import SettingPath
from jitsi_secure.secure_domain.layout import DockerLayout, Layout
from jitsi_secure.secure_domain.spec import SecureDomain

__all__ = ["Program", "files"]

D = TypeVar("D", bound=Document)
D_co = TypeVar("D_co", covariant=True)
D_contra = TypeVar("D_contra", contravariant=True)


class Parse(Protocol[D_co]):
    def __call__(self, text: str, *, source: str = ...) -> D_co: ...


class Warn(Protocol[D_contra]):
    def __call__(self, document: D_contra, spec: SecureDomain, *, file: str) -> list[str]: ...


def _no_warnings(document: object, spec: SecureDomain, *, file: str) -> list[str]:
    return []


def _own_meaning(document: Document) -> Mapping[str, Any]:
    return document.to_dict()


@dataclass(frozen=True)
class Program(Generic[D]):
    """How one kind of file is read, changed and checked; the plan treats all alike."""

    role: str
    title: str
    encoding: str
    parse: Parse[D]
    #: The independent reader: given the document, its text and source name, the meaning as a dict.
    read: Callable[[D, str, str], dict[str, Any]]
    declare: Declare[D]
    describe: Callable[[SettingPath], str]
    warnings: Warn[D] = _no_warnings
    #: What an audit (``check``) reads: the document's own meaning, which is all the intent's settings
    #: need; the independent reader is for verifying an edit, and importing it costs ``check`` time.
    audit_read: Callable[[D], Mapping[str, Any]] = _own_meaning


def _by_text(reader: Callable[[str, str], dict[str, Any]]) -> Callable[[Any, str, str], dict[str, Any]]:
    """A reader that parses the text itself (pyhocon, jproperties, python-dotenv)."""
    return lambda document, text, source: reader(text, source)


def _by_document(reader: Callable[[D], dict[str, Any]]) -> Callable[[D, str, str], dict[str, Any]]:
    """A reader of the document already parsed (lupa runs its text; an edited config.js is read again by
    esprima, an unedited one is taken as the document reads it)."""
    return lambda document, text, source: reader(document)


_MEET = Program(
    "meet", "jitsi-meet config.js", "utf-8", js.parse, _by_document(_verify.read_js), meet.declare, meet.describe
)
_JICOFO = Program(
    "jicofo", "jicofo.conf", "utf-8", hocon.parse, _by_text(_verify.read_hocon), jicofo.declare, jicofo.describe
)
_JIGASI = Program(
    "jigasi", "Jigasi sip-communicator.properties", properties.ENCODING, properties.parse,
    _by_text(_verify.read_properties), jigasi.declare, jigasi.describe,
)  # fmt: skip
_DOCKER = Program(
    "docker-env", "docker-jitsi-meet .env", "utf-8", dotenv.parse, _by_text(_verify.read_dotenv),
    docker.declare, docker.describe, docker.warnings,
)  # fmt: skip


def _jicofo_legacy(*, authoritative: bool) -> Program[properties.PropertiesDocument]:
    """Jicofo's legacy file; ``authoritative`` for an older Jicofo with no jicofo.conf, where the legacy
    file is where its authentication is set."""

    def declare(document: properties.PropertiesDocument, spec: SecureDomain, *, revert: bool = False) -> Declaration:
        return jicofo.declare_legacy(document, spec, revert=revert, authoritative=authoritative and not revert)

    return Program(
        "jicofo-legacy", "Jicofo legacy sip-communicator.properties", properties.ENCODING, properties.parse,
        _by_text(_verify.read_properties), declare, jicofo.describe, jicofo.legacy_warnings,
    )  # fmt: skip


def _prosody(placement: prosody_recipe.Placement, spec: SecureDomain) -> Program[lua.LuaDocument]:
    """A Prosody file with what it holds of the deployment, read with the spec's Prosody version's
    loader rules (13's ``FileContents`` is no call of an unknown name)."""

    def read(document: lua.LuaDocument) -> dict[str, Any]:
        return _verify.read_lua(document, prosody_version=spec.prosody_version)

    def declare(document: lua.LuaDocument, spec: SecureDomain, *, revert: bool = False) -> Declaration:
        return prosody_recipe.declare(document, spec, revert=revert, placement=placement)

    return Program(
        "prosody", "Prosody host file", "utf-8", lua.parse, _by_document(read), declare, prosody_recipe.describe,
        prosody_recipe.warnings if placement.main else _no_warnings,
        # Host names after nameprep and the loader's bookkeeping, as the intent names them.
        read,
    )  # fmt: skip


def files(
    layout: Layout | DockerLayout,
    deployment: Deployment,
    now: access.AccessPolicy,
    spec: SecureDomain,
    *,
    revert: bool,
) -> Iterator[tuple[Program[Any], Path]]:
    """Every file to plan, with its program; Prosody's files each told which hosts they hold."""
    if isinstance(layout, DockerLayout):
        yield _DOCKER, layout.env_file
        return
    yield from _prosody_files(layout, deployment, now, spec, revert=revert)
    if layout.meet is not None:
        yield _MEET, layout.meet
    if layout.jicofo is not None:
        yield _JICOFO, layout.jicofo
    if layout.jicofo_legacy is not None:
        yield _jicofo_legacy(authoritative=layout.jicofo is None), layout.jicofo_legacy
    if layout.jigasi is not None:
        yield _JIGASI, layout.jigasi


def _prosody_files(
    layout: Layout, deployment: Deployment, now: access.AccessPolicy, spec: SecureDomain, *, revert: bool
) -> Iterator[tuple[Program[Any], Path]]:
    """The main host file, and every other loaded file that defines a host the change must touch.

    The guest host is edited where it is defined, never defined a second time; with ``--no-guests``
    every live host of the domain that lets anyone in goes, in whichever file defines it.
    """
    prosody = deployment.prosody
    assert prosody is not None
    root = Root(layout.root)
    guest = prosody.host(spec.guest_domain) if spec.guest_domain else None
    removals: dict[Path, list[str]] = {}
    if not spec.guests and not revert:
        for host in now.guests:
            for file in prosody.hosts[host.name].files:
                removals.setdefault(root.resolve(file), []).append(host.name)
    guest_files = {root.resolve(file) for file in guest.files} if guest is not None else set()
    module = _anonymous_module_of(deployment, spec)
    main_placement = prosody_recipe.Placement(
        main=True,
        guest_elsewhere=bool(guest_files - {layout.prosody}),
        removals=tuple(removals.get(layout.prosody, ())),
        anonymous_module=module,
    )
    yield _prosody(main_placement, spec), layout.prosody
    others = [root.resolve(f) for f in prosody.files]
    for path in dict.fromkeys(p for p in others if p != layout.prosody):
        if path in guest_files or path in removals:
            placement = prosody_recipe.Placement(
                main=False, removals=tuple(removals.get(path, ())), anonymous_module=module
            )
            yield _prosody(placement, spec), path


def _anonymous_module_of(deployment: Deployment, spec: SecureDomain) -> str | None:
    """The anonymous module the deployment uses on its main or guest host, wherever they are defined."""
    prosody = deployment.prosody
    assert prosody is not None
    for host in (spec.domain, spec.guest_domain):
        setting = prosody.get(host, "authentication") if host and prosody.host(host) else None
        if setting is not None and setting.value in prosody_recipe.ANONYMOUS_MODULES:
            return str(setting.value)
    return None
