#!/usr/bin/python
# Copyright: jitsi-secure contributors
# Apache License 2.0 (see the jitsi-secure project)
"""Ansible module ``jitsi.secure.prosody_user``: ``jitsi-secure user add``/``remove``, idempotently."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: prosody_user
short_description: Manage the Prosody accounts that may create rooms on a secured Jitsi Meet domain
version_added: "0.1.0"
description:
  - Adds, updates or removes an account on the main domain of a secured Jitsi Meet server, as
    C(jitsi-secure user add) and C(jitsi-secure user remove) do.
  - Through C(prosodyctl) (the default), with the password on its standard input and never in a process's
    arguments, or O(offline=true) by writing the account file Prosody's C(internal_hashed) backend reads,
    for images without a running Prosody.
  - Idempotent. Whether the account exists and whether its password is already the given one are read
    from Prosody's data folder (O(data_path)), by recomputing the stored SCRAM keys with the stored salt.
    The password itself is never stored or compared in clear.
  - Needs the C(jitsi-secure) Python package on the managed host.
author:
  - jitsi-secure contributors
requirements:
  - python >= 3.11
  - jitsi-secure (C(pip install jitsi-secure) on the managed host)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Through C(prosodyctl) with a data folder that cannot be read, the module cannot tell whether the
        account exists; check mode then reports a change and warns.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  user:
    description:
      - The user name (the part before C(@)). Stored as Prosody stores it (XMPP nodeprep, so lower case).
    type: str
    required: true
  domain:
    description:
      - The main domain the account belongs to. Found automatically when O(root) has exactly one Jitsi Meet
        host configured.
    type: str
  state:
    description:
      - V(present) makes sure the account exists; V(absent) removes it and the data Prosody keeps for it.
    type: str
    choices: [present, absent]
    default: present
  password:
    description:
      - The account's password. Required with O(state=present). It is never logged.
    type: str
  update_password:
    description:
      - V(always) sets the password when the stored one differs; V(on_create) sets it only when the
        account is created.
    type: str
    choices: [always, on_create]
    default: always
  root:
    description:
      - Every path is resolved under this folder (an image, a test tree).
    type: path
    default: /
  offline:
    description:
      - Write or remove the account file under O(data_path) directly, for an image without a running
        Prosody.
    type: bool
    default: false
  data_path:
    description:
      - Prosody's C(data_path), as seen from inside O(root). Read to tell whether the account exists and
        whether its password changed; written with O(offline=true).
    type: path
    default: /var/lib/prosody
  prosodyctl:
    description:
      - The prosodyctl command prefix, for example V([docker, compose, exec, -T, prosody, prosodyctl]).
        Default V([prosodyctl]). Not with O(offline=true).
      - Under a O(root) other than V(/), give it or O(offline=true), because the machine's own prosodyctl
        would change the accounts of the Prosody this machine runs, not the deployment's; it is refused.
    type: list
    elements: str
  prosody_config:
    description:
      - With O(offline=true), the Prosody host file whose C(password_hash) a new account follows.
        Default C(/etc/prosody/conf.avail/<domain>.cfg.lua) when it exists.
    type: path
  password_hash:
    description:
      - With O(offline=true), the SCRAM hash of a new account file. Default the host file's
        C(password_hash), else V(SHA-1).
    type: str
    choices: [SHA-1, SHA-256]
notes:
  - Prosody 0.12's prosodyctl cannot list accounts, so idempotency through prosodyctl relies on reading
    O(data_path) (C(/var/lib/prosody) on Debian, readable by root). When it cannot be read, adding an
    existing account and removing a missing one are still reported as no change, but V(always) resets
    the password every run.
seealso:
  - module: jitsi.secure.secure_domain
"""

EXAMPLES = r"""
- name: The people who may create rooms
  jitsi.secure.prosody_user:
    user: "{{ item.name }}"
    password: "{{ item.password }}"
    domain: meet.example.com
  loop: "{{ jitsi_users }}"
  loop_control:
    label: "{{ item.name }}"

- name: Create the account once; people change their password themselves
  jitsi.secure.prosody_user:
    user: alice
    password: "{{ initial_password }}"
    update_password: on_create

- name: Remove an account
  jitsi.secure.prosody_user:
    user: bob
    state: absent

- name: An account in an image being built (no running Prosody)
  jitsi.secure.prosody_user:
    root: /srv/image
    offline: true
    user: admin
    password: "{{ vault_admin_password }}"
"""

RETURN = r"""
user:
  description: The user name as Prosody stores it.
  returned: success
  type: str
  sample: alice
domain:
  description: The domain of the account.
  returned: success
  type: str
  sample: meet.example.com
jid:
  description: The account's address.
  returned: success
  type: str
  sample: alice@meet.example.com
action:
  description: What was done (or would be, in check mode).
  returned: success
  type: str
  choices: [added, password_updated, removed, none]
  sample: added
method:
  description: How the accounts were reached.
  returned: success
  type: str
  choices: [prosodyctl, offline]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.jitsi.secure.plugins.module_utils.runner import run_module


def argument_spec():
    """The module's options; the password is ``no_log`` so Ansible masks it in every output too."""
    return dict(
        user=dict(type="str", required=True),
        domain=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        password=dict(type="str", no_log=True),
        update_password=dict(type="str", choices=["always", "on_create"], default="always", no_log=False),
        root=dict(type="path", default="/"),
        offline=dict(type="bool", default=False),
        data_path=dict(type="path", default="/var/lib/prosody"),
        prosodyctl=dict(type="list", elements="str"),
        prosody_config=dict(type="path"),
        password_hash=dict(type="str", choices=["SHA-1", "SHA-256"], no_log=False),
    )


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(),
        supports_check_mode=True,
        required_if=[("state", "present", ("password",))],
    )
    run_module(module, run)


class _Target:
    """Where the account is and how to reach it, from the options (the command line's rules)."""

    def __init__(self, params):
        from jitsi_secure import accounts
        from jitsi_secure.secure_domain.spec import validate_domain

        self.params = params
        # The same public helpers `jitsi-secure user` uses, so paths and messages are the command line's.
        self.root = accounts.deployment_root(params["root"])
        domain = params["domain"]
        self.domain = validate_domain(domain) if domain else accounts.single_domain(self.root)
        self.node = accounts.validate_username(params["user"])
        self.data_path = accounts.path_under_root(self.root, params["data_path"], what="data folder")
        self.offline = params["offline"]
        # Checked here rather than with mutually_exclusive, which would also refuse an explicit offline: false.
        if self.offline and params["prosodyctl"] is not None:
            raise accounts.AccountError("give either prosodyctl or offline: true, not both")
        if self.offline and not self.data_path.is_dir():
            raise accounts.AccountError(
                f"the Prosody data folder {self.data_path} does not exist (Debian: /var/lib/prosody)"
            )
        self.prosodyctl = params["prosodyctl"]
        if not self.offline:
            accounts.require_prosodyctl_reach(self.root, self.prosodyctl)
        self.jid = f"{self.node}@{self.domain}"

    def ways(self):
        """The keyword arguments that pick prosodyctl or the offline account file."""
        return dict(prosodyctl=self.prosodyctl, offline_data_path=self.data_path if self.offline else None)

    def host_file(self):
        """The host file whose ``password_hash`` an offline account follows, if any."""
        from jitsi_secure import accounts

        return accounts.prosody_host_file(self.root, self.domain, prosody_config=self.params["prosody_config"])


def run(module):
    """Decide what to do from the data folder, then do it unless in check mode; the module's result."""
    from jitsi_secure import accounts
    from jitsi_secure.secure_domain.spec import Secret

    params = module.params
    target = _Target(params)
    # Checked before anything is read, so a bad password fails the same way whatever the account's state.
    password = accounts.validate_password(Secret(params["password"])) if params["state"] == "present" else None
    try:
        exists = accounts.user_exists(target.node, target.domain, offline_data_path=target.data_path)
    except accounts.AccountUnreadableError:
        exists = None  # the folder cannot be read (not root, or a container's own volume): not known
        module.warn(f"cannot read {target.data_path}: whether {target.jid} exists is not known beforehand")
    if params["state"] == "absent":
        action = _remove(module, target, exists)
    elif not exists:
        action = _add(module, target, exists, password)
    elif params["update_password"] == "on_create" or accounts.check_password(
        target.node, target.domain, password, offline_data_path=target.data_path
    ):
        action = "none"
    else:
        action = "password_updated"
        if not module.check_mode:
            _set_password(target, password)
    return dict(
        changed=action != "none",
        user=target.node,
        domain=target.domain,
        jid=target.jid,
        action=action,
        method="offline" if target.offline else "prosodyctl",
    )


def _remove(module, target, exists):
    from jitsi_secure import accounts

    if exists is False:
        return "none"
    if module.check_mode:
        return "removed"
    try:
        done = accounts.remove_user(target.node, target.domain, **target.ways())
    except accounts.AccountMissingError:
        # Only reachable when the data folder could not be read: absent already, nothing changed.
        return "none"
    _warn(module, done.warnings)
    return "removed"


def _add(module, target, exists, password):
    from jitsi_secure import accounts

    if module.check_mode:
        return "added"
    offline_hash = target.params["password_hash"] if target.offline else None
    try:
        done = accounts.add_user(
            target.node,
            target.domain,
            password,
            password_hash=offline_hash,
            prosody_config=target.host_file() if target.offline and not offline_hash else None,
            **target.ways(),
        )
    except accounts.AccountExistsError:
        if exists is not None:
            raise  # created by someone else since the data folder was read: say so
        if target.params["update_password"] == "on_create":
            return "none"
        # It exists after all and its password cannot be compared: set it, as "always" asks.
        accounts.set_password(target.node, target.domain, password, prosodyctl=target.prosodyctl)
        return "password_updated"
    _warn(module, done.warnings)
    return "added"


def _set_password(target, password):
    """``prosodyctl passwd`` (the password on its standard input only), or offline a rewritten account
    file with a fresh salt and the account's other entries kept: both done by the library."""
    from jitsi_secure import accounts

    if target.offline:
        accounts.set_password(
            target.node,
            target.domain,
            password,
            offline_data_path=target.data_path,
            password_hash=target.params["password_hash"],
            prosody_config=target.host_file(),
        )
    else:
        accounts.set_password(target.node, target.domain, password, prosodyctl=target.prosodyctl)


def _warn(module, warnings):
    for warning in warnings:
        module.warn(warning)


if __name__ == "__main__":
    main()
