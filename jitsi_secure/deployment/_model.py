"""The deployment's values as its programs read them, each with the file and line that decides it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from jitsi_secure._layout import DockerLayout, Layout

__all__ = [
    "JICOFO_DEFAULTS",
    "Deployment",
    "JicofoConfig",
    "MeetConfig",
    "Origin",
    "ProsodyConfig",
    "ProsodyHost",
    "Setting",
]


@dataclass(frozen=True)
class Origin:
    """Where a value is decided: a file as the deployment sees it (``/etc/...``) and a 1-based line
    (0 when the line is not known)."""

    file: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Setting:
    """A value and where it comes from; ``origin`` is ``None`` for a program's built-in default."""

    value: Any
    origin: Origin | None = None


@dataclass(frozen=True)
class ProsodyHost:
    """One ``VirtualHost`` or ``Component`` as Prosody loads it, merged over every file that defines it.

    Attributes:
        name: the host name after Prosody's nameprep (lower case).
        kind: ``"VirtualHost"`` or ``"Component"``.
        module: a component's module (``"muc"``, ``"speakerstats_component"``...), ``None`` for a VirtualHost.
        options: the host's own options (without the global fallback), the last assignment winning.
        origins: the assignment that decides each own option.
        defined_at: every header line that opens the host, in load order.
    """

    name: str
    kind: Literal["VirtualHost", "Component"]
    module: str | None
    options: Mapping[str, Any]
    origins: Mapping[str, Origin]
    defined_at: tuple[Origin, ...]

    @property
    def enabled(self) -> bool:
        """Whether Prosody starts the host (``enabled = false`` turns it off)."""
        return self.options.get("enabled") is not False

    @property
    def files(self) -> tuple[str, ...]:
        """The files that define the host, in load order, each once."""
        return tuple(dict.fromkeys(origin.file for origin in self.defined_at))

    @property
    def order_warning(self) -> str | None:
        """What it means that the host is defined in more than one loaded file, naming each header
        (``file:line``); ``None`` when one file defines it.

        Prosody merges the definitions, and where they set an option differently the file read last
        wins: for ``Include "conf.d/*.cfg.lua"`` that is the order the directory lists its entries in
        (Prosody does not sort them), which a restore, an rsync or another file system can change.
        """
        if len(self.files) < 2:
            return None
        places = ", ".join(str(origin) for origin in self.defined_at)
        return (
            f"{self.kind} {self.name} is defined in {len(self.files)} loaded files ({places}): where they "
            "differ, the one Prosody reads last wins, for conf.d/*.cfg.lua in unsorted directory order, "
            "which a restore or rsync can change"
        )


@dataclass(frozen=True)
class ProsodyConfig:
    """Prosody's configuration after its loader ran the main config and every file it includes.

    Attributes:
        main: the main config as the deployment sees it, or ``None`` when the tree has none and only the
            host files the layout names were read (then :attr:`notes` says so).
        files: every file loaded, in Prosody's order.
        globals: the global section's options.
        global_origins: where each global option is decided.
        hosts: every host and component by name.
        version: the Prosody ``(major, minor)`` whose loader rules were used.
        notes: what a reader should know about how the configuration was read.
        warnings: the loader's warnings (``Duplicate option 'x'``...), each as ``(origin, message)``.
        files_read: for each section (``"*"`` for the global one) and option whose value Prosody 13 reads
            from a file of its own (``app_secret = FileContents("/etc/prosody/certs/x")``; also
            ``FileLine``, ``FileLines``), that file as the deployment sees it.
    """

    main: str | None
    files: tuple[str, ...]
    globals: Mapping[str, Any]
    global_origins: Mapping[str, Origin]
    hosts: Mapping[str, ProsodyHost]
    version: tuple[int, int]
    notes: tuple[str, ...] = ()
    warnings: tuple[tuple[Origin, str], ...] = ()
    files_read: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def host(self, name: str) -> ProsodyHost | None:
        """The host or component ``name`` (any case), or ``None`` when Prosody does not define it."""
        return self.hosts.get(name.lower())

    def get(self, host: str, option: str) -> Setting | None:
        """``option`` as ``host`` reads it: its own value, else the global one (configmanager's fallback).

        ``None`` when neither sets it (Prosody's built-in default applies).
        """
        found = self.host(host)
        if found is not None and option in found.options:
            return Setting(found.options[option], found.origins.get(option))
        if option in self.globals:
            return Setting(self.globals[option], self.global_origins.get(option))
        return None

    def read_from(self, host: str, option: str) -> str | None:
        """The file ``option``'s value (as :meth:`get` finds it) is read from, or ``None`` when the config
        writes the value itself (or nothing sets it)."""
        found = self.host(host)
        section = found.name if found is not None and option in found.options else "*"
        return self.files_read.get(section, {}).get(option)


#: Jicofo's built-in values (reference.conf) of the settings beside ``authentication.enabled``, as the
#: :class:`JicofoConfig` and policy fields that hold them are named (``auto_login``, ``auth_lifetime``,
#: ``auto_owner``); read-only.
JICOFO_DEFAULTS: Mapping[str, Setting] = MappingProxyType(
    {
        "auto_login": Setting(True),
        "auth_lifetime": Setting("24 hours"),
        "auto_owner": Setting(True),
    }
)


@dataclass(frozen=True)
class JicofoConfig:
    """Jicofo's authentication settings as Jicofo reads them: jicofo.conf with its includes, then the
    legacy ``sip-communicator.properties``, whose ``org.jitsi.jicofo.auth.URL`` wins.

    Attributes:
        files: every file read (jicofo.conf, what it includes, the legacy file).
        enabled, type, login_url: the effective ``jicofo.authentication`` values; their origin is
            ``None`` for Jicofo's defaults (disabled, ``XMPP``, no login URL).
        legacy_url: the legacy ``org.jitsi.jicofo.auth.URL`` when set.
        notes: includes that could not be followed, and such.
        auto_login, auth_lifetime: ``jicofo.authentication.enable-auto-login`` and
            ``authentication-lifetime`` (defaults ``True`` and ``"24 hours"``).
        auto_owner: ``jicofo.conference.enable-auto-owner`` (default ``True``: the first to join owns the room).
    """

    files: tuple[str, ...]
    enabled: Setting
    type: Setting
    login_url: Setting
    legacy_url: Setting | None = None
    notes: tuple[str, ...] = ()
    auto_login: Setting = JICOFO_DEFAULTS["auto_login"]
    auth_lifetime: Setting = JICOFO_DEFAULTS["auth_lifetime"]
    auto_owner: Setting = JICOFO_DEFAULTS["auto_owner"]


@dataclass(frozen=True)
class MeetConfig:
    """The ``config`` object the browser ends up with after every statement of config.js."""

    file: str
    config: Mapping[str, Any]

    def get(self, path: str) -> Any:
        """The value at a dotted ``path`` (``hosts.anonymousdomain``), ``None`` when absent."""
        node: Any = self.config
        for key in path.split("."):
            if not isinstance(node, Mapping) or key not in node:
                return None
            node = node[key]
        return node


@dataclass(frozen=True)
class Deployment:
    """One Jitsi Meet deployment as Prosody, Jicofo and the browser read it.

    Attributes:
        domain: the main XMPP domain.
        prosody: Prosody's configuration over every loaded file.
        meet: config.js's ``config``, ``None`` for a docker deployment (its containers render it).
        jicofo: Jicofo's authentication, ``None`` for a docker deployment.
        env: a docker deployment's ``.env`` variables (empty otherwise).
        layout: the files it was read from (``None`` when built by hand); what ``doctor`` looks at
            beyond the loaded files (``conf.avail`` without its link, plugin folders) is found from it.
    """

    domain: str
    prosody: ProsodyConfig | None
    meet: MeetConfig | None
    jicofo: JicofoConfig | None
    env: Mapping[str, str] = field(default_factory=dict)
    env_file: str | None = None
    layout: Layout | DockerLayout | None = field(default=None, compare=False, repr=False)

    @property
    def notes(self) -> tuple[str, ...]:
        """Every note of every part."""
        parts = (self.prosody, self.jicofo)
        return tuple(note for part in parts if part is not None for note in part.notes)
