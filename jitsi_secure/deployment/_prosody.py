"""Prosody's configuration as its loader reads it: the main config, then every ``Include``, in order.

The files run in the sandboxed loader (:func:`jitsi_secure.formats.lua.run_config`) with Prosody's rules:
``Include`` globs relative to the including file, hosts merged when defined twice, options falling back
to the global section. Every path the loader asks for is a path as the deployment sees it, mapped under
the root by :class:`~jitsi_secure._root.Root` (so Debian's absolute ``conf.d`` links stay inside an
image), and a planned text can stand in for a file's text on disk, so a plan's result is judged before
anything is written.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from jitsi_secure._file_readers import file_read, mentions_reader
from jitsi_secure._root import LayoutError, Root
from jitsi_secure.deployment._model import Origin, ProsodyConfig, ProsodyHost
from jitsi_secure.errors import ParseError
from jitsi_secure.formats.lua import LuaEvaluation, LuaEvaluationError, LuaLocation

__all__ = ["read_prosody"]

_SYNTHETIC_MAIN = "<host files>"
_CONF_D = "/etc/prosody/conf.d"
_MAX_INSTRUCTIONS = 10_000_000
_MAX_MEMORY = 64 * 1024 * 1024
_BOOKKEEPING = frozenset({"defined", "component_module", "load_global_modules"})


def read_prosody(
    root: Root,
    *,
    main: Path | None,
    host_files: Sequence[Path],
    version: tuple[int, int],
    texts: Mapping[Path, str],
) -> ProsodyConfig:
    """Run Prosody's configuration under ``root``.

    ``main`` is the main config on disk. Without one, the configuration is read as Debian's main
    config would load it: every ``/etc/prosody/conf.d/*.cfg.lua``, and each of ``host_files`` that no
    ``conf.d`` entry leads to. ``texts`` maps files on disk to a text that stands in for their content.
    """
    from jitsi_secure.formats import lua

    read_file = _reader(root, texts)
    notes: list[str] = []
    if main is not None:
        source = root.display(main)
        text = read_file(source).decode("utf-8", "surrogateescape")
    else:
        source = _SYNTHETIC_MAIN
        enabled = _conf_d_files(root)
        alone = [path for path in host_files if path not in enabled]
        includes = ([f"{_CONF_D}/*.cfg.lua"] if enabled else []) + [root.display(path) for path in alone]
        text = "".join(f"Include {lua.string_literal(name, chr(34))}\n" for name in includes)
        notes.append(
            "no Prosody main config (/etc/prosody/prosody.cfg.lua) under the root: read "
            + " and ".join(includes)
            + " as Debian's main config would"
        )
    try:
        run = lua.run_config(
            text,
            source,
            env={},
            follow_includes=True,
            max_instructions=_MAX_INSTRUCTIONS,
            max_memory=_MAX_MEMORY,
            prosody_version=version,
            read_file=read_file,
            list_folder=_lister(root),
        )
    except LuaEvaluationError as error:
        # Lua's own message is terse ("C stack overflow" has no place at all); our parser names the
        # line and column, quotes it (the caller masks secrets) and says what was expected.
        suspects = [str(error).split(":", 1)[0], *(root.display(p) for p in ([main] if main else host_files))]
        for path in dict.fromkeys(s for s in suspects if s.startswith("/")):
            lua.parse(_text_of(read_file, path), source=path)
        raise
    # Places are named by the file a link leads to (conf.avail, not the conf.d link): the file to edit.
    real = functools.cache(lambda name: name if name == _SYNTHETIC_MAIN else root.display(_inside(root, name)))

    def origin(location: LuaLocation) -> Origin:
        return Origin(real(location.file), location.line or 0)

    hosts = {
        name: _host(name, options, run.origins.get(name, {}), run.headers.get(name, ()), origin)
        for name, options in run.config.items()
        if name != "*"
    }
    global_origins = {key: origin(where) for key, where in run.origins.get("*", {}).items()}
    return ProsodyConfig(
        main=None if main is None else source,
        files=tuple(real(f) for f in run.files if f != _SYNTHETIC_MAIN),
        globals=dict(run.config.get("*", {})),
        global_origins=global_origins,
        hosts=hosts,
        version=version,
        notes=tuple(notes),
        warnings=tuple((origin(w.location), w.message) for w in run.warnings),
        files_read=_files_read(run, read_file),
    )


def _files_read(run: LuaEvaluation, read_file: Callable[[str], bytes]) -> dict[str, dict[str, str]]:
    """For each section and option whose value the loader read from a file of its own, that file.

    The loader gives values, not how they were computed: the file that decides an option says it, as a
    :class:`~jitsi_secure.formats.Computed` value. Only a file that names a reader at all is parsed again.
    """
    from jitsi_secure.formats import lua

    documents: dict[str, lua.LuaDocument | None] = {}

    def document(file: str) -> lua.LuaDocument | None:
        if file not in documents:
            try:
                text = read_file(file).decode("utf-8", "surrogateescape")
                documents[file] = lua.parse(text, source=file) if mentions_reader(text) else None
            except (OSError, ParseError):  # the synthetic main config, or a file that changed meanwhile
                documents[file] = None
        return documents[file]

    found: dict[str, dict[str, str]] = {}
    for section, origins in run.origins.items():
        for option, where in origins.items():
            read = document(where.file)
            path = file_read(read.get((section, option)), where.file) if read is not None else None
            if path is not None:
                found.setdefault(section, {})[option] = path
    return found


def _inside(root: Root, path: str) -> Path:
    """The file on disk for a path Prosody asks for; a path leaving the root reads as unreadable."""
    if not path.startswith("/"):
        raise FileNotFoundError(2, "not an absolute path", path)
    try:
        return root.resolve(PurePosixPath(path))
    except LayoutError as error:
        raise PermissionError(1, str(error), path) from None


def _lister(root: Root) -> Callable[[str], list[str]]:
    return lambda folder: root.listdir(_inside(root, folder))


def _conf_d_files(root: Root) -> set[Path]:
    """The files the ``conf.d/*.cfg.lua`` entries lead to (what Debian's main config includes)."""
    folder = root.under(_CONF_D)
    if not folder.is_dir():
        return set()
    found = set()
    for name in root.listdir(folder):
        if name.endswith(".cfg.lua") and not name.startswith("."):
            try:
                found.add(root.resolve(f"{_CONF_D}/{name}"))
            except LayoutError:
                continue  # Prosody would fail on it; the layout reports such a link where it matters
    return found


def _text_of(read_file: Callable[[str], bytes], path: str) -> str:
    try:
        return read_file(path).decode("utf-8", "surrogateescape")
    except OSError:
        return ""


def _reader(root: Root, texts: Mapping[Path, str]) -> Callable[[str], bytes]:
    """The loader's ``read_file``: each path read once per run (the loader, then the search for
    values read from files, ask for the same files)."""

    @functools.cache
    def read(path: str) -> bytes:
        real = _inside(root, path)
        if real in texts:
            return texts[real].encode("utf-8", "surrogateescape")
        with open(real, "rb") as handle:
            return handle.read()

    return read


def _host(
    name: str,
    options: Mapping[str, Any],
    origins: Mapping[str, LuaLocation],
    headers: Sequence[LuaLocation],
    origin: Callable[[LuaLocation], Origin],
) -> ProsodyHost:
    module = options.get("component_module")
    return ProsodyHost(
        name=name,
        kind="Component" if module is not None else "VirtualHost",
        module=str(module) if module is not None else None,
        options={k: v for k, v in options.items() if k not in _BOOKKEEPING},
        origins={k: origin(where) for k, where in origins.items()},
        defined_at=tuple(origin(where) for where in headers),
    )
