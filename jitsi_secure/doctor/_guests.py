"""``guest-host-not-loaded`` and ``anonymousdomain-unknown-host``: the guest domain config.js announces."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from pathlib import PurePosixPath

from jitsi_secure import policy as access
from jitsi_secure.deployment import Origin
from jitsi_secure.doctor._context import Context, config_js
from jitsi_secure.doctor._finding import Finding, make
from jitsi_secure.errors import JitsiSecureError

__all__ = ["check"]

PROSODY_FOLDER = "/etc/prosody"
CONF_D_INCLUDE = 'Include "conf.d/*.cfg.lua"'


def check(ctx: Context) -> Iterator[Finding]:
    """The announced guest domain must be a loaded, anonymous VirtualHost."""
    meet, prosody = ctx.deployment.meet, ctx.prosody
    if meet is None or prosody is None:
        return
    announced = meet.get("hosts.anonymousdomain")
    if not isinstance(announced, str) or not announced:
        return
    host = prosody.host(announced)
    if host is not None and host.kind == "VirtualHost" and host.enabled:
        auth = prosody.get(host.name, "authentication")
        login = access.login_of(auth.value if auth else None)
        if ctx.policy.guest(host.name) is None:
            yield make(
                "anonymousdomain-unknown-host",
                f"config.js announces guest domain {announced}, but that host lets in {login} users, not "
                f"anyone (authentication = {auth.value if auth else access.DEFAULT_AUTHENTICATION!r})",
                auth.origin if auth and auth.origin else ctx.header(host),
            )
        return
    unloaded = _unloaded_definition(ctx, announced.lower())
    if unloaded is None:
        state = "is disabled (enabled = false)" if host is not None and host.kind == "VirtualHost" else "is not defined"
        where = Origin(meet.file, ctx.line_of(meet.file, "hosts.anonymousdomain", config_js))
        yield make("anonymousdomain-unknown-host", f"config.js announces guest domain {announced}, which {state} "
                   "in Prosody's configuration", where)  # fmt: skip
        return
    yield _not_loaded(ctx, announced, unloaded)


def _not_loaded(ctx: Context, announced: str, unloaded: Origin) -> Finding:
    prosody = ctx.prosody
    assert prosody is not None and prosody.main is not None
    main_text = ctx.text(prosody.main) or ""
    loads_conf_d = any(f.startswith(f"{PROSODY_FOLDER}/conf.d/") for f in prosody.files) or _includes_conf_d(main_text)
    if not loads_conf_d:
        return make(
            "guest-host-not-loaded",
            f"guest host {announced} is defined in {unloaded}, but {prosody.main} has no "
            f"`{CONF_D_INCLUDE}` (a Prosody upgrade replaced it), so Prosody loads none of conf.d",
            Origin(prosody.main),
            edits=ctx.edit(prosody.main, "prosody", _add_include),
        )
    name = PurePosixPath(unloaded.file).name
    link = f"{PROSODY_FOLDER}/conf.d/{name}"
    return make(
        "guest-host-not-loaded",
        f"guest host {announced} is defined in {unloaded.file}, which Prosody does not load: link it "
        f"with `ln -s {unloaded.file} {link}`",
        unloaded,
        # Relative (Debian's postinst makes it absolute): it leads to the same file on the server and
        # inside an image mounted elsewhere, whoever follows it.
        edits=ctx.link(link, posixpath.relpath(unloaded.file, posixpath.dirname(link))),
    )


def _includes_conf_d(text: str) -> bool:
    from jitsi_secure.formats import lua

    try:
        includes = lua.parse(text).includes()
    except JitsiSecureError:  # a main config that does not parse was reported by the reader already
        return False
    return any(isinstance(i, str) and "conf.d" in i for i in includes)


def _add_include(text: str) -> str:
    from jitsi_secure.formats import lua

    newline = "\r\n" if "\r\n" in text else "\n"
    lead = "" if not text or text.endswith(("\n", "\r")) else newline
    new = f"{text}{lead}{CONF_D_INCLUDE}{newline}"
    if "conf.d/*.cfg.lua" not in [i for i in lua.parse(new).includes() if isinstance(i, str)]:
        raise AssertionError("the added Include does not parse as one")  # pragma: no cover - a parser bug
    return new


def _unloaded_definition(ctx: Context, name: str) -> Origin | None:
    """Where a Prosody file that Prosody does not load defines VirtualHost ``name``."""
    from jitsi_secure.formats import lua

    prosody = ctx.prosody
    if ctx.root is None or prosody is None or prosody.main is None:
        return None
    loaded = {ctx.disk(f) for f in prosody.files}
    loaded_real = {p.resolve() for p in loaded if p is not None}
    for folder in ("conf.avail", "conf.d"):
        disk = ctx.disk(f"{PROSODY_FOLDER}/{folder}")
        if disk is None or not disk.is_dir():
            continue
        for path in sorted(disk.glob("*.cfg.lua")):
            display = f"{PROSODY_FOLDER}/{folder}/{path.name}"
            if not path.is_file() or path.resolve() in loaded_real:
                continue
            text = ctx.text(display)
            try:
                document = lua.parse(text or "", source=display)
            except JitsiSecureError:  # a file Prosody does not load cannot break it
                continue
            for section in document.sections():
                if section.kind == "VirtualHost" and (section.name or "").lower() == name:
                    return Origin(display, document.text.count("\n", 0, section.header_start) + 1)
    return None
