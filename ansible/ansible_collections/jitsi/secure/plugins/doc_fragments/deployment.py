# Copyright: jitsi-secure contributors
# Apache License 2.0 (see the jitsi-secure project)
"""Documentation fragment ``jitsi.secure.deployment``: what the modules that read a whole Jitsi Meet
deployment (``secure_domain``, ``doctor``) share: where the deployment is, which domain, what they need
on the managed host and how they behave in check and diff mode."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
requirements:
  - python >= 3.11
  - jitsi-secure (C(pip install jitsi-secure) on the managed host)
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - The unified diff of each file that changes (or would change, in check mode), every secret masked.
  platform:
    platforms: posix
options:
  root:
    description:
      - Every path is resolved under this folder (an image, a container's root, a test tree).
    type: path
    default: /
  domain:
    description:
      - The main domain, for example V(meet.example.com).
      - Found automatically when the host has exactly one Jitsi Meet host configured.
    type: str
"""
