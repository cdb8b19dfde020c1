#!/usr/bin/python
# Copyright: jitsi-secure contributors
# Apache License 2.0 (see the jitsi-secure project)
"""Ansible module ``jitsi.secure.doctor``: ``jitsi-secure doctor`` (and ``--fix``) on a managed host."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: doctor
short_description: Find the known ways Jitsi authentication breaks, and fix what can be fixed
version_added: "0.2.0"
description:
  - Does what C(jitsi-secure doctor) does on the managed host and returns the findings, each with its id,
    severity, message, file, line, upstream reference and whether it is fixable.
  - With O(fix=true), repairs the fixable findings through one verified plan written all or nothing, like
    C(jitsi-secure doctor --fix). In check mode nothing is written and RV(changed) says whether it would be.
author:
  - jitsi-secure contributors
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - jitsi.secure.deployment
options:
  prosody_version:
    description:
      - Judge with this Prosody version's rules (V(0.12), V(13)). By default asked of C(prosodyctl about) when
        O(root=/), else 0.12.
    type: str
  fix:
    description:
      - Repair the fixable findings.
    type: bool
    default: false
  backup:
    description:
      - With O(fix=true), keep a C(.bak) copy of every file changed.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Find authentication breakages
  jitsi.secure.doctor:
  register: doctor

- name: Fail on warnings and errors
  ansible.builtin.assert:
    that: doctor.findings | rejectattr('severity', 'equalto', 'info') | list | length == 0

- name: Repair what can be repaired
  jitsi.secure.doctor:
    fix: true
"""

RETURN = r"""
findings:
  description: Every finding (after the fix, with O(fix=true) outside check mode).
  returned: success
  type: list
  elements: dict
files:
  description: The files the fix changed (or would change, in check mode).
  returned: success
  type: list
  elements: str
services:
  description: The services to restart because files changed.
  returned: success
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.jitsi.secure.plugins.module_utils.runner import run_module


def argument_spec():
    """The module's options."""
    return dict(
        root=dict(type="path", default="/"),
        domain=dict(type="str"),
        prosody_version=dict(type="str"),
        fix=dict(type="bool", default=False),
        backup=dict(type="bool", default=False),
    )


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    run_module(module, run)


def run(module):
    """Examine, and fix unless in check mode; the module's result."""
    from jitsi_secure.doctor import examine, fixes
    from jitsi_secure.secure_domain.layout import Layout
    from jitsi_secure.secure_domain.plan import apply_plan
    from jitsi_secure.secure_domain.spec import resolve_prosody_version

    params = module.params
    layout = Layout.debian(root=params["root"], domain=params["domain"])
    version = resolve_prosody_version(params["prosody_version"], root=params["root"], auth="internal")
    found = examine(layout, prosody_version=version)
    result = dict(changed=False, findings=[f.to_json() for f in found], files=[], services=[])
    if not params["fix"] or not any(f.fixable for f in found):
        return result
    plan = fixes(found)
    changes = plan.changes
    result.update(changed=bool(changes), files=[c.display for c in changes], services=list(plan.services))
    if module._diff:
        result["diff"] = [dict(before_header=c.display, after_header=c.display, prepared=plan.diff(c)) for c in changes]
    if module.check_mode or not changes:
        return result
    written = apply_plan(plan, backup_suffix=".bak" if params["backup"] else None)
    changed = [w for w in written if w.changed]
    result["changed"] = bool(changed)
    result["files"] = [layout.display(w.path) for w in changed]
    result["services"] = list(plan.services) if changed else []
    result["findings"] = [f.to_json() for f in examine(layout, prosody_version=version)]
    return result


if __name__ == "__main__":
    main()
