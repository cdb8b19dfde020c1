"""MkDocs hook: pages that other parts of the project add are put in the navigation when they exist.

The docs are built with ``--strict``; a page listed in ``nav`` that is missing fails the build, and so
does a page that exists but is left out of ``nav``. Pages owned elsewhere (docker-jitsi-meet, the
dotenv format, Ansible, safety) are therefore listed here and inserted only when their file is present.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: (section path in the nav, title, page), inserted in this order when the page exists.
OPTIONAL = [
    (("How-to guides",), "docker-jitsi-meet", "docker.md"),
    (("How-to guides",), "Ansible", "ansible.md"),
    (("Reference", "Format documents"), ".env (docker-jitsi-meet)", "formats/dotenv.md"),
    (("Explanation",), "How files are kept safe", "safety.md"),
]


def _section(nav: list[Any], path: tuple[str, ...]) -> list[Any] | None:
    for name in path:
        for item in nav:
            if isinstance(item, dict) and name in item and isinstance(item[name], list):
                nav = item[name]
                break
        else:
            return None
    return nav


def _listed(nav: list[Any], page: str) -> bool:
    for item in nav:
        values = item.values() if isinstance(item, dict) else [item]
        for value in values:
            if value == page or (isinstance(value, list) and _listed(value, page)):
                return True
    return False


def on_config(config: Any, **_: Any) -> Any:
    docs = Path(config["docs_dir"])
    nav = config["nav"]
    for path, title, page in OPTIONAL:
        section = _section(nav, path)
        if section is not None and (docs / page).is_file() and not _listed(nav, page):
            section.append({title: page})
    return config
