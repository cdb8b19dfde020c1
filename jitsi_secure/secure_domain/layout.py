"""Where a deployment keeps its files: Debian's layout, every path overridable, all under a root.

The layouts live in :mod:`jitsi_secure._layout`, below both :mod:`jitsi_secure.deployment` (which reads
what they name) and this package (which changes it); this module is their public import path.
"""

from __future__ import annotations

from jitsi_secure._layout import DockerLayout, Layout, LayoutError, discover_domains

__all__ = ["DockerLayout", "Layout", "LayoutError", "discover_domains"]
