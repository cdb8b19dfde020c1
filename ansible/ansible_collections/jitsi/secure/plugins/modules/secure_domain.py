#!/usr/bin/python
# Copyright: jitsi-secure contributors
# Apache License 2.0 (see the jitsi-secure project)
"""Ansible module ``jitsi.secure.secure_domain``: ``jitsi-secure apply``/``revert`` on a managed host."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: secure_domain
short_description: Make a Jitsi Meet server a Secure Domain (or revert it)
version_added: "0.1.0"
description:
  - Does what C(jitsi-secure apply) (O(state=present)) or C(jitsi-secure revert) (O(state=absent)) does on
    the managed host. Registered users create rooms on the main domain; guests join anonymously on the
    guest domain.
  - Edits the Prosody host file, C(config.js), C(jicofo.conf), Jicofo's legacy C(sip-communicator.properties)
    and Jigasi's C(sip-communicator.properties) with the smallest textual change. Each new text is checked
    by an independent reader of its format before anything is written, and all files are planned before
    any is written.
  - Reports C(changed) only when bytes on disk change (or would, in check mode). Returns the services to
    restart, for a handler.
  - Needs the C(jitsi-secure) Python package on the managed host, for the Python Ansible runs modules with.
author:
  - jitsi-secure contributors
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - jitsi.secure.deployment
options:
  state:
    description:
      - V(present) secures the domain (C(jitsi-secure apply)); V(absent) reverts it (C(jitsi-secure revert)).
    type: str
    choices: [present, absent]
    default: present
  guest_domain:
    description:
      - The anonymous guest domain. Defaults to C(guest.<domain>).
    type: str
  guests:
    description:
      - Whether there is a guest domain. V(false) means everyone needs an account (C(--no-guests)).
    type: bool
    default: true
  auth:
    description:
      - How registered users log in. V(internal) uses Prosody accounts, V(jwt) JSON Web Tokens and V(ldap)
        an LDAP directory through Cyrus SASL.
      - When not given, Prosody accounts; but a main host that lets in token holders or directory users
        now is not switched to accounts without O(auth) naming the mode (the task fails, nothing changes).
    type: str
    choices: [internal, jwt, ldap]
  app_id:
    description:
      - With O(auth=jwt), the tokens' app id (Prosody's C(app_id)).
    type: str
  app_secret:
    description:
      - With O(auth=jwt), the shared app secret. It is never logged or shown in a diff.
      - Mutually exclusive with O(asap_key_server) and O(jwks_url).
    type: str
  secret_source:
    description:
      - With O(app_secret), where the secret goes. V(config) writes it into the host file; V(file)
        (Prosody 13 and newer) writes C(app_secret = FileContents("<secret_path>")) there and the secret
        into O(secret_path) (mode 0640, owner root, group prosody), which O(state=absent) deletes.
    type: str
    choices: [config, file]
    default: config
  secret_path:
    description:
      - With O(secret_source=file), the secret file's path as the deployment sees it.
      - Defaults to C(/etc/prosody/certs/<domain>.app_secret).
    type: str
  asap_key_server:
    description:
      - With O(auth=jwt), the base URL of the token issuer's public keys.
    type: str
  jwks_url:
    description:
      - With O(auth=jwt), the issuer's JSON Web Key Set (Prosody's C(cache_keys_url)).
    type: str
  accepted_issuers:
    description:
      - With O(auth=jwt), the accepted C(iss) claims (C(asap_accepted_issuers)).
    type: list
    elements: str
  accepted_audiences:
    description:
      - With O(auth=jwt), the accepted C(aud) claims (C(asap_accepted_audiences)).
    type: list
    elements: str
  wait_for_host:
    description:
      - Rooms wait for a host (C(muc_wait_for_host) on the conference MUC; with tokens also
        C(wait_for_host_disable_auto_owners)).
    type: bool
    default: false
  token_moderators:
    description:
      - With O(auth=jwt), the token decides who is moderator (C(token_affiliation), Jicofo's
        C(enable-auto-owner=false)).
    type: bool
    default: false
  auto_login:
    description:
      - Secure Domain, Jicofo's C(enable-auto-login); left as it is when unset.
    type: bool
  auth_lifetime:
    description:
      - Secure Domain, Jicofo's C(authentication-lifetime), a duration like V(24 hours).
    type: str
  allow_empty_token:
    description:
      - With O(auth=jwt), let clients without a token in.
    type: bool
    default: false
  jicofo_auth:
    description:
      - With O(auth=jwt), whether Jicofo stays out of authentication (V(off), the default, upstream's
        token guide) or asks for a JWT login (V(jwt), the older advice).
    type: str
    choices: [jwt, "off"]
  prosody_version:
    description:
      - The Prosody version the host file is for, as V(X.Y) or a bare major, for example V(0.12), V(13.0)
        or V(13). Version 13 and newer also get C(disable_sasl_mechanisms) on a password host.
      - By default asked of C(prosodyctl about) when O(root=/), as the command line does.
    type: str
  jigasi_user:
    description:
      - The account Jigasi logs in with (C(user@domain)). Goes with O(jigasi_password).
    type: str
  jigasi_password:
    description:
      - Jigasi's password. It is never logged or shown in a diff.
    type: str
  prosody_config:
    description:
      - The Prosody host file. Default C(/etc/prosody/conf.avail/<domain>.cfg.lua).
    type: path
  meet_config:
    description:
      - The jitsi-meet C(config.js). Default C(/etc/jitsi/meet/<domain>-config.js).
    type: path
  jicofo_config:
    description:
      - The C(jicofo.conf). Default C(/etc/jitsi/jicofo/jicofo.conf).
    type: path
  jicofo_legacy_config:
    description:
      - Jicofo's legacy C(sip-communicator.properties). Used at its default place when it exists there.
    type: path
  jigasi_config:
    description:
      - Jigasi's C(sip-communicator.properties). Used at its default place when it exists there.
    type: path
  backup:
    description:
      - Keep a C(.bak) copy of every file that is changed, as C(jitsi-secure apply --backup) does. A copy
        that still holds a secret the change removed (a revert's Jigasi password, say) is named in a warning.
    type: bool
    default: false
notes:
  - Paths given as absolute paths are read as seen from inside O(root).
  - The restart is left to a handler that restarts the returned RV(services).
seealso:
  - module: jitsi.secure.prosody_user
"""

EXAMPLES = r"""
- name: Secure the Jitsi Meet domain
  jitsi.secure.secure_domain:
    domain: meet.example.com
    jigasi_user: jigasi@meet.example.com
    jigasi_password: "{{ vault_jigasi_password }}"
  register: secured
  notify: Restart Jitsi

- name: Token authentication, Jicofo staying out of it
  jitsi.secure.secure_domain:
    auth: jwt
    app_id: my-app
    app_secret: "{{ vault_jwt_secret }}"
    jicofo_auth: "off"

- name: Undo the Secure Domain setup
  jitsi.secure.secure_domain:
    state: absent

# The handler, in the play's handlers section.
- name: Restart Jitsi
  ansible.builtin.systemd_service:
    name: "{{ item }}"
    state: restarted
  loop: "{{ secured.services }}"
"""

RETURN = r"""
domain:
  description: The main domain that was secured or reverted.
  returned: success
  type: str
  sample: meet.example.com
guest_domain:
  description: The guest domain, or null when guests are turned off or the domain was reverted.
  returned: success
  type: str
  sample: guest.meet.example.com
files:
  description: The files that changed (or would change, in check mode), as seen from inside O(root).
  returned: success
  type: list
  elements: str
  sample: ["/etc/prosody/conf.avail/meet.example.com.cfg.lua", "/etc/jitsi/jicofo/jicofo.conf"]
services:
  description:
    - The services to restart because files changed (or would change, in check mode); empty when nothing
      changed.
  returned: success
  type: list
  elements: str
  sample: ["prosody", "jicofo", "jitsi-videobridge2"]
findings:
  description: Every setting that was not as wanted before the change.
  returned: success
  type: list
  elements: dict
  contains:
    file:
      description: The file, as seen from inside O(root).
      type: str
    setting:
      description: The setting.
      type: str
    current:
      description: Its value before the change.
      type: str
    wanted:
      description: The value wanted.
      type: str
    message:
      description: The finding in words.
      type: str
backup_files:
  description: The C(.bak) copies made with O(backup=true).
  returned: success
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.jitsi.secure.plugins.module_utils.runner import run_module

#: The suffix of ``backup: true`` copies: the one ``jitsi-secure apply --backup`` uses.
BACKUP_SUFFIX = ".bak"


def argument_spec():
    """The module's options; ``no_log`` on every secret so Ansible masks them in every output too."""
    return dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        root=dict(type="path", default="/"),
        domain=dict(type="str"),
        guest_domain=dict(type="str"),
        guests=dict(type="bool", default=True),
        auth=dict(type="str", choices=["internal", "jwt", "ldap"]),
        app_id=dict(type="str"),
        app_secret=dict(type="str", no_log=True),
        secret_source=dict(type="str", choices=["config", "file"], default="config"),
        secret_path=dict(type="str"),
        asap_key_server=dict(type="str"),
        jwks_url=dict(type="str"),
        accepted_issuers=dict(type="list", elements="str"),
        accepted_audiences=dict(type="list", elements="str"),
        wait_for_host=dict(type="bool", default=False),
        token_moderators=dict(type="bool", default=False),
        auto_login=dict(type="bool"),
        auth_lifetime=dict(type="str"),
        allow_empty_token=dict(type="bool", default=False),
        jicofo_auth=dict(type="str", choices=["jwt", "off"]),
        prosody_version=dict(type="str"),
        jigasi_user=dict(type="str"),
        jigasi_password=dict(type="str", no_log=True),
        prosody_config=dict(type="path"),
        meet_config=dict(type="path"),
        jicofo_config=dict(type="path"),
        jicofo_legacy_config=dict(type="path"),
        jigasi_config=dict(type="path"),
        backup=dict(type="bool", default=False),
    )


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(),
        supports_check_mode=True,
        mutually_exclusive=[("app_secret", "asap_key_server", "jwks_url")],
        required_together=[("jigasi_user", "jigasi_password")],
    )
    run_module(module, run)


def run(module):
    """Plan, and apply unless in check mode; the module's result.

    Outside check mode the deployment lock is held from before the files are read, so two plays (or a
    play and a package hook) on one host queue instead of failing with "changed on disk".
    """
    import contextlib

    from jitsi_secure.secure_domain.layout import Layout
    from jitsi_secure.secure_domain.plan import deployment_lock

    params = module.params
    layout = Layout.debian(
        root=params["root"],
        domain=params["domain"],
        prosody=params["prosody_config"],
        meet=params["meet_config"],
        jicofo=params["jicofo_config"],
        jicofo_legacy=params["jicofo_legacy_config"],
        jigasi=params["jigasi_config"],
    )
    with contextlib.nullcontext() if module.check_mode else deployment_lock(layout):
        return _plan_and_apply(module, layout)


def _plan_and_apply(module, layout):
    from jitsi_secure.secure_domain.plan import apply_plan, build_plan

    params = module.params
    plan = build_plan(layout, spec_from(params, layout.domain), revert=params["state"] == "absent")
    from jitsi_secure.secure_domain.options import OptionNames, require_login_kept

    require_login_kept(plan, params["auth"], names=OptionNames(flags=False))
    changes = plan.changes
    result = dict(
        changed=bool(changes),
        domain=plan.spec.domain,
        guest_domain=None if plan.revert else plan.spec.guest_domain,
        files=[change.display for change in changes],
        services=list(plan.services),
        # The library words a secret as "the given secret"; masking again costs nothing and keeps it so.
        findings=[
            {key: plan.mask(getattr(f, key)) for key in ("file", "setting", "current", "wanted", "message")}
            for f in plan.findings
        ],
        backup_files=[],
    )
    if module._diff:
        # plan.diff masks every spelling of every secret; Ansible prints "prepared" as it is.
        result["diff"] = [
            dict(before_header=change.display, after_header=change.display, prepared=plan.diff(change))
            for change in changes
        ]
    for warning in plan.warnings:
        module.warn(plan.mask(warning))
    if module.check_mode or not changes:
        return result
    written = apply_plan(plan, backup_suffix=BACKUP_SUFFIX if params["backup"] else None)
    for warning in plan.backup_warnings(written):
        module.warn(plan.mask(warning))
    changed = [w for w in written if w.changed]
    # The safe writer compares bytes: a file identical on disk is not written and not reported.
    result["changed"] = bool(changed)
    result["files"] = [layout.display(w.path) for w in changed]
    result["services"] = list(plan.services) if changed else []
    result["backup_files"] = [layout.display(w.backup) for w in changed if w.backup is not None]
    return result


def spec_from(params, domain):
    """The :class:`SecureDomain` the options describe, by the command line's own rule and in its order
    (``spec_from_options``), the messages naming the options as this module does (``auth: jwt``)."""
    from jitsi_secure.secure_domain.options import OptionNames, SpecOptions, spec_from_options
    from jitsi_secure.secure_domain.spec import Secret

    options = SpecOptions(
        domain=domain,
        root=params["root"],
        guest_domain=params["guest_domain"],
        no_guests=not params["guests"],
        auth=params["auth"],
        app_id=params["app_id"],
        app_secret=Secret(params["app_secret"]) if params["app_secret"] else None,
        # The default keeps the secret in the config, as the command line without --secret-source does.
        secret_source="file" if params["secret_source"] == "file" else None,
        secret_path=params["secret_path"],
        asap_key_server=params["asap_key_server"],
        jwks_url=params["jwks_url"],
        accepted_issuers=tuple(params["accepted_issuers"] or ()),
        accepted_audiences=tuple(params["accepted_audiences"] or ()),
        allow_empty_token=params["allow_empty_token"],
        jicofo_auth=params["jicofo_auth"],
        prosody_version=params["prosody_version"],
        jigasi_user=params["jigasi_user"],
        jigasi_password=None if params["jigasi_password"] is None else Secret(params["jigasi_password"]),
        wait_for_host=params["wait_for_host"],
        token_moderators=params["token_moderators"],
        auto_login=params["auto_login"],
        auth_lifetime=params["auth_lifetime"],
    )
    return spec_from_options(options, names=OptionNames(flags=False))


if __name__ == "__main__":
    main()
