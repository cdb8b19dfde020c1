"""Prosody accounts for a secured domain: add, remove and list the users who may create rooms.

Two ways to reach the accounts:

* **through prosodyctl** (the default): ``prosodyctl adduser user@D`` / ``deluser user@D``. The
  password goes to prosodyctl on its standard input, twice (it asks twice), never in its arguments,
  so it cannot be read from the process list. ``prosodyctl`` can be replaced by any command prefix,
  e.g. ``["docker", "compose", "exec", "-T", "prosody", "prosodyctl", "--config", "/config/prosody.cfg.lua"]``.
  Prosody 0.12's prosodyctl writes the account itself; 13's ``adduser``/``passwd``/``deluser`` ask the
  running server through its admin shell (``mod_admin_shell``), so Prosody must be running: when it is
  not, the error says so (use the offline way then, which writes what 13's ``prosodyctl register`` does).
* **offline**, for installers that build an image without a running Prosody: the account file that
  Prosody's ``internal_hashed`` backend reads is written directly, as Prosody itself writes it::

      <data_path>/<host, every non-alphanumeric byte as %xx>/accounts/<user, escaped the same way>.dat

  holding ``salt`` (a UUID string), ``iteration_count`` (10000 by default), ``stored_key`` and
  ``server_key`` (SCRAM-SHA-1, or SCRAM-SHA-256 when the host's ``password_hash`` says ``"SHA-256"``),
  with mode 0640 in folders of mode 0750, owned by the data folder's owner when run as root.

Example::

    from jitsi_secure.accounts import add_user, list_users
    from jitsi_secure.secure_domain.spec import Secret

    add_user("alice", "meet.example.com", Secret("s3cret"))                 # prosodyctl adduser
    add_user("bob", "meet.example.com", Secret("pw"), offline_data_path="/img/var/lib/prosody")
    list_users("meet.example.com", offline_data_path="/var/lib/prosody")   # ['alice', 'bob']
    check_password("bob", "meet.example.com", Secret("pw"), offline_data_path="/img/var/lib/prosody")  # True
    set_password("alice", "meet.example.com", Secret("new"))                # prosodyctl passwd

The package's parts: the user name and password rules (``_names``), the offline SCRAM store
(``_store``), the prosodyctl runner (``_prosodyctl``), where things are under a root (``_where``) and
the operations that pick one of the two ways (``_operations``); everything public is here.

User names are checked with Prosody's rules (XMPP *nodeprep*: case-folded, no ``@ / " & ' : < >``,
spaces or control characters, at most 1023 bytes) before anything runs; passwords with SASLprep
(what Prosody applies before hashing), so a password that could never log in is refused up front.
"""

from __future__ import annotations

from jitsi_secure.accounts._errors import (
    AccountError,
    AccountExistsError,
    AccountMissingError,
    AccountUnreadableError,
)
from jitsi_secure.accounts._names import saslprep, validate_password, validate_username
from jitsi_secure.accounts._operations import AccountResult, add_user, remove_user, set_password
from jitsi_secure.accounts._prosodyctl import DEFAULT_PROSODYCTL
from jitsi_secure.accounts._store import (
    DEFAULT_ITERATION_COUNT,
    PASSWORD_HASHES,
    PasswordHash,
    ScramCredentials,
    account_file,
    check_password,
    list_users,
    password_hash_of,
    path_decode,
    path_encode,
    scram_credentials,
    serialize_account,
    user_exists,
)
from jitsi_secure.accounts._where import (
    deployment_root,
    path_under_root,
    prosody_host_file,
    require_prosodyctl_reach,
    single_domain,
)

__all__ = [
    "DEFAULT_ITERATION_COUNT",
    "DEFAULT_PROSODYCTL",
    "PASSWORD_HASHES",
    "AccountError",
    "AccountExistsError",
    "AccountMissingError",
    "AccountResult",
    "AccountUnreadableError",
    "PasswordHash",
    "ScramCredentials",
    "account_file",
    "add_user",
    "check_password",
    "deployment_root",
    "list_users",
    "password_hash_of",
    "path_decode",
    "path_encode",
    "path_under_root",
    "prosody_host_file",
    "remove_user",
    "require_prosodyctl_reach",
    "saslprep",
    "scram_credentials",
    "serialize_account",
    "set_password",
    "single_domain",
    "user_exists",
    "validate_password",
    "validate_username",
]
