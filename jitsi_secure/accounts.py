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

User names are checked with Prosody's rules (XMPP *nodeprep*: case-folded, no ``@ / " & ' : < >``,
spaces or control characters, at most 1023 bytes) before anything runs; passwords with SASLprep
(what Prosody applies before hashing), so a password that could never log in is refused up front.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import stringprep
import subprocess
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

from jitsi_secure._core.write import create_text, write_text
from jitsi_secure.errors import JitsiSecureError, WriteError
from jitsi_secure.secure_domain.spec import Secret, validate_domain

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
    "saslprep",
    "scram_credentials",
    "serialize_account",
    "set_password",
    "single_domain",
    "user_exists",
    "validate_password",
    "validate_username",
]

#: SCRAM iteration count Prosody 0.12 uses for new accounts (``default_iteration_count``).
DEFAULT_ITERATION_COUNT = 10000
#: The command run when no other prosodyctl is given.
DEFAULT_PROSODYCTL: tuple[str, ...] = ("prosodyctl",)

#: Hash names ``password_hash`` may take in Prosody 0.12's ``mod_auth_internal_hashed``.
PasswordHash = Literal["SHA-1", "SHA-256"]
PASSWORD_HASHES: dict[str, str] = {"SHA-1": "sha1", "SHA-256": "sha256"}

_NODE_MAX_BYTES = 1023
# nodeprep's own prohibited characters (RFC 3920 appendix A.5), on top of the stringprep tables.
_NODE_PROHIBITED = frozenset("\"&'/:<>@")
# prosodyctl's output decorations around its password prompts (ANSI "hidden"/"reset").
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_PROSODYCTL_TIMEOUT = 120.0
# Where Debian keeps the Prosody host files, in the order they are looked for.
_PROSODY_HOST_FOLDERS = (PurePosixPath("/etc/prosody/conf.avail"), PurePosixPath("/etc/prosody/conf.d"))
# One entry of an account file as Prosody's util.serialization writes it: ["key"] = value;
_ENTRY = re.compile(r'\s*\["([^"\\]+)"\]\s*=\s*(.*?);?\s*\Z')
_SCRAM_KEYS = ("iteration_count", "salt", "server_key", "stored_key")
# The hex length of a stored key tells the hash the account was made with.
_HASH_BY_KEY_LENGTH: dict[int, PasswordHash] = {40: "SHA-1", 64: "SHA-256"}


class AccountError(JitsiSecureError):
    """An account operation that could not be done: a bad user name or password, prosodyctl failing,
    an unusable data folder. The message never contains the password."""


class AccountExistsError(AccountError):
    """``add_user`` for a user that already has an account."""


class AccountMissingError(AccountError):
    """``remove_user``, ``check_password`` or ``set_password`` for a user that has no account."""


class AccountUnreadableError(AccountError):
    """Whether an account exists cannot be told from the data folder: it does not exist here or cannot
    be read (not root, or the accounts live in a container's own volume)."""


@dataclass(frozen=True)
class AccountResult:
    """What :func:`add_user` or :func:`remove_user` did.

    Attributes:
        user: the user name as Prosody stores it (nodeprep'd, so lower-case).
        domain: the XMPP host of the account.
        method: ``"prosodyctl"`` or ``"offline"``.
        path: the account file written or removed (offline only).
        warnings: what prosodyctl warned about although it succeeded (e.g. a host it does not know).
    """

    user: str
    domain: str
    method: Literal["prosodyctl", "offline"]
    path: Path | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def jid(self) -> str:
        """``user@domain``."""
        return f"{self.user}@{self.domain}"


@dataclass(frozen=True)
class ScramCredentials:
    """What ``internal_hashed`` stores for one account (keys as lower-case hex)."""

    salt: str
    iteration_count: int
    stored_key: str
    server_key: str


# ---------------------------------------------------------------------------------------- validation


def validate_username(user: str) -> str:
    """``user`` as Prosody stores it (XMPP nodeprep: case-folded, NFKC), else :class:`AccountError`.

    Refused: an empty name, ``@ / " & ' : < >``, any space or control character, characters nodeprep
    prohibits or that Unicode 3.2 does not assign, mixed right-to-left text, and more than 1023 bytes.
    """
    if not isinstance(user, str) or not user:
        raise AccountError("the user name is empty")
    shown = _shown(user)
    mapped = "".join(stringprep.map_table_b2(c) for c in user if not stringprep.in_table_b1(c))
    prepared = unicodedata.ucd_3_2_0.normalize("NFKC", mapped)
    for char in prepared:
        if char in _NODE_PROHIBITED:
            raise AccountError(f"the user name {shown} may not contain {char!r}")
        if char.isspace() or stringprep.in_table_c11(char) or _prohibited(char) or stringprep.in_table_a1(char):
            raise AccountError(
                f"the user name {shown} contains a character XMPP does not allow in a user name "
                f"(U+{ord(char):04X}: spaces, control and unassigned characters are refused)"
            )
    _check_bidi(prepared, f"the user name {shown}")
    if not prepared:
        raise AccountError(f"the user name {shown} is empty once prepared")
    if len(prepared.encode("utf-8")) > _NODE_MAX_BYTES:
        raise AccountError(f"the user name is longer than {_NODE_MAX_BYTES} bytes")
    return prepared


def saslprep(password: str) -> str:
    """``password`` after SASLprep (RFC 4013), as Prosody prepares it before hashing.

    Like Prosody (and unlike the stored-strings profile), code points Unicode 3.2 did not assign yet,
    such as emoji, are allowed.

    Raises :class:`AccountError` (without showing the password) when SASLprep refuses it.
    """
    # Non-ASCII spaces become a space before B.1 removes anything: U+200B is in both tables, and
    # libidn (Prosody) maps it to a space.
    mapped = "".join(
        " " if stringprep.in_table_c12(c) else c
        for c in password
        if stringprep.in_table_c12(c) or not stringprep.in_table_b1(c)
    )
    prepared = unicodedata.ucd_3_2_0.normalize("NFKC", mapped)
    for char in prepared:
        if _prohibited(char):
            raise AccountError(
                f"the password contains a character XMPP does not allow in passwords (U+{ord(char):04X}: "
                "control, private-use and non-character code points are refused)"
            )
    _check_bidi(prepared, "the password")
    return prepared


def validate_password(password: Secret) -> Secret:
    """``password`` if Prosody can store it and a client can log in with it, else :class:`AccountError`.

    It must be a :class:`Secret`, not empty, on one line (prosodyctl reads lines) and pass SASLprep.
    """
    if not isinstance(password, Secret):
        raise AccountError("the password must be given as a Secret")
    value = password.reveal()
    if not value:
        raise AccountError("the password is empty")
    if "\n" in value or "\r" in value:
        raise AccountError("the password contains a line break")
    if not saslprep(value):
        raise AccountError("the password is empty once prepared (SASLprep)")
    return password


def _prohibited(char: str) -> bool:
    # The stringprep tables both nodeprep and SASLprep prohibit; nodeprep also prohibits ASCII space
    # (C.1.1), which SASLprep allows.
    return (
        stringprep.in_table_c12(char)
        or stringprep.in_table_c21_c22(char)
        or stringprep.in_table_c3(char)
        or stringprep.in_table_c4(char)
        or stringprep.in_table_c5(char)
        or stringprep.in_table_c6(char)
        or stringprep.in_table_c7(char)
        or stringprep.in_table_c8(char)
        or stringprep.in_table_c9(char)
    )


def _check_bidi(text: str, what: str) -> None:
    # RFC 3454 section 6: right-to-left text may not mix with left-to-right text and must start and
    # end with a right-to-left character.
    if any(stringprep.in_table_d1(c) for c in text) and (
        any(stringprep.in_table_d2(c) for c in text)
        or not stringprep.in_table_d1(text[0])
        or not stringprep.in_table_d1(text[-1])
    ):
        raise AccountError(f"{what} mixes right-to-left and left-to-right text")


def _shown(user: str) -> str:
    return repr(user if len(user) <= 64 else user[:64] + "...")


# ------------------------------------------------------------------------------- offline account file


def path_encode(text: str) -> str:
    """A host or user name as Prosody's datamanager names files: every byte that is not an ASCII
    letter or digit becomes ``%xx`` (lower-case hex), so ``meet.example.com`` is ``meet%2eexample%2ecom``."""
    return "".join(
        chr(byte) if chr(byte).isascii() and chr(byte).isalnum() else f"%{byte:02x}" for byte in text.encode("utf-8")
    )


def path_decode(name: str) -> str:
    """The inverse of :func:`path_encode` (``%xx`` back to bytes, decoded as UTF-8)."""
    raw = re.sub(rb"%([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), name.encode("utf-8"))
    return raw.decode("utf-8", errors="replace")


def account_file(data_path: str | os.PathLike[str], user: str, domain: str) -> Path:
    """Where Prosody's ``internal`` storage keeps the account of ``user@domain`` under ``data_path``."""
    node = validate_username(user)
    host = validate_domain(domain)
    path = Path(data_path) / path_encode(host) / "accounts" / f"{path_encode(node)}.dat"
    _check_inside(Path(data_path), path.parent)
    return path


def _check_inside(data_path: Path, folder: Path) -> None:
    """Refuse an account folder that a symlink leads out of the data folder (and so out of --root)."""
    real_data = data_path.resolve()
    real = folder.resolve()
    if real != real_data and real_data not in real.parents:
        raise AccountError(f"{folder} leads outside the data folder {data_path} (to {real}); refusing to touch it")


def scram_credentials(
    password: Secret,
    *,
    password_hash: PasswordHash = "SHA-1",
    iteration_count: int = DEFAULT_ITERATION_COUNT,
    salt: str | None = None,
) -> ScramCredentials:
    """The SCRAM keys ``mod_auth_internal_hashed`` stores for ``password`` (RFC 5802, as Prosody 0.12).

    ``SaltedPassword = PBKDF2(H, SASLprep(password), salt, i)``, ``stored_key = H(HMAC(SaltedPassword,
    "Client Key"))``, ``server_key = HMAC(SaltedPassword, "Server Key")``; the salt is a fresh UUID
    string unless given.
    """
    validate_password(password)
    if password_hash not in PASSWORD_HASHES:
        raise AccountError(f"unknown password_hash {password_hash!r} (Prosody 0.12 knows SHA-1 and SHA-256)")
    if not isinstance(iteration_count, int) or iteration_count < 4096:
        # RFC 7677 asks for at least 4096; Prosody's default is 10000.
        raise AccountError(f"the iteration count must be an integer of at least 4096, not {iteration_count!r}")
    name = PASSWORD_HASHES[password_hash]
    salt = str(uuid.uuid4()) if salt is None else salt
    salted = hashlib.pbkdf2_hmac(
        name, saslprep(password.reveal()).encode("utf-8"), salt.encode("utf-8"), iteration_count
    )
    client_key = hmac.new(salted, b"Client Key", name).digest()
    server_key = hmac.new(salted, b"Server Key", name).hexdigest()
    return ScramCredentials(salt, iteration_count, hashlib.new(name, client_key).hexdigest(), server_key)


def serialize_account(credentials: ScramCredentials) -> str:
    """The account file's text, in the form Prosody's ``util.serialization`` writes it."""
    if not re.fullmatch(r"[0-9A-Za-z-]+", credentials.salt):
        # A UUID never needs escaping; anything else would need Lua string escapes we do not write.
        raise AccountError("the salt must consist of letters, digits and '-'")
    return (
        "return {\n"
        f'\t["iteration_count"] = {credentials.iteration_count:d};\n'
        f'\t["salt"] = "{credentials.salt}";\n'
        f'\t["server_key"] = "{credentials.server_key}";\n'
        f'\t["stored_key"] = "{credentials.stored_key}";\n'
        "};\n"
    )


def password_hash_of(prosody_config: str | os.PathLike[str], domain: str) -> PasswordHash:
    """The ``password_hash`` a Prosody host file sets for ``domain`` (its VirtualHost, else its global
    section), ``"SHA-1"`` (Prosody's default) when it sets none.

    Raises :class:`AccountError` when the value is not a literal SHA-1/SHA-256, so that a file is never
    written with keys the server would not accept: pass ``password_hash`` explicitly then.
    """
    from jitsi_secure._core.write import read_text
    from jitsi_secure.formats.lua import parse

    document = parse(read_text(prosody_config), source=str(prosody_config))
    host = validate_domain(domain)
    value: object = None
    # No VirtualHost for the domain in this file, or no option there: the global value counts.
    value = document.get((host, "password_hash"))
    if value is None:
        value = document.get(("*", "password_hash"))
    if value is None:
        return "SHA-1"
    if value == "SHA-1":
        return "SHA-1"
    if value == "SHA-256":
        return "SHA-256"
    raise AccountError(
        f'{prosody_config}: password_hash is {value!s}, not "SHA-1" or "SHA-256"; give the hash explicitly'
    )


# --------------------------------------------------------------------------- where the accounts are
#
# The rules ``jitsi-secure user`` and the Ansible module share for finding the deployment's domain, the
# data folder and the host file under a root (an image, a test tree, or ``/``).


def deployment_root(root: str | os.PathLike[str] = "/") -> Path:
    """``root`` resolved (symlinks followed), the folder every other path is found under.

    Raises :class:`AccountError` when it is not a folder.
    """
    base = Path(root).resolve()
    if not base.is_dir():
        raise AccountError(f"the root {root} is not a folder")
    return base


def single_domain(root: str | os.PathLike[str] = "/") -> str:
    """The one Jitsi Meet host configured under ``root`` (``/etc/jitsi/meet/<host>-config.js``).

    Raises :class:`AccountError` listing what was found when there is none or more than one; the
    message tells the command line's user to give ``--domain``.
    """
    from jitsi_secure.secure_domain.layout import discover_domains

    base = Path(root).resolve()
    found = discover_domains(base)
    if len(found) == 1:
        return validate_domain(found[0])
    where = f" under {base}" if base != Path("/") else ""
    if not found:
        raise AccountError(f"no Jitsi Meet host found{where} (no /etc/jitsi/meet/<host>-config.js); give --domain")
    raise AccountError(f"several Jitsi Meet hosts found{where}: {', '.join(found)}; choose one with --domain")


def path_under_root(root: str | os.PathLike[str], path: str | os.PathLike[str], *, what: str = "path") -> Path:
    """``path`` as seen from inside ``root``: an absolute path is taken under the root, a relative one
    from the current folder (it is the user's own, as on any command line).

    An absolute path that leads out of the root (through a symlink or ``..``) raises
    :class:`AccountError`, naming it as ``what`` (e.g. ``"data folder"``). The path need not exist.
    """
    base = Path(root).resolve()
    text = os.fspath(path)
    candidate = base / PurePosixPath(text).relative_to("/") if os.path.isabs(text) else Path.cwd() / text
    real = candidate.resolve()
    if os.path.isabs(text) and real != base and base not in real.parents:
        raise AccountError(f"the {what} {text} leads outside the root {base} (to {real}); refusing to use it")
    return candidate


def prosody_host_file(
    root: str | os.PathLike[str], domain: str, *, prosody_config: str | os.PathLike[str] | None = None
) -> Path | None:
    """The Prosody host file of ``domain`` under ``root``, whose ``password_hash`` an offline account
    follows (pass it to :func:`add_user` or :func:`set_password` as ``prosody_config``).

    ``prosody_config`` if given (seen from inside the root; it must exist, else :class:`AccountError`),
    else ``/etc/prosody/conf.avail/<domain>.cfg.lua`` or ``/etc/prosody/conf.d/<domain>.cfg.lua`` when
    one exists; ``None`` when there is none.
    """
    if prosody_config is not None:
        path = path_under_root(root, prosody_config, what="Prosody config")
        if not path.is_file():
            raise AccountError(f"the Prosody config {os.fspath(prosody_config)} does not exist")
        return path
    for folder in _PROSODY_HOST_FOLDERS:
        candidate = path_under_root(root, str(folder / f"{domain}.cfg.lua"), what="Prosody config")
        if candidate.is_file():
            return candidate
    return None


# ------------------------------------------------------------------------------------ the operations


def add_user(
    user: str,
    domain: str,
    password: Secret,
    *,
    prosodyctl: Sequence[str] | None = None,
    offline_data_path: str | os.PathLike[str] | None = None,
    password_hash: PasswordHash | None = None,
    prosody_config: str | os.PathLike[str] | None = None,
    iteration_count: int = DEFAULT_ITERATION_COUNT,
) -> AccountResult:
    """Create the account ``user@domain`` with ``password``.

    Through ``prosodyctl`` (default ``["prosodyctl"]``) unless ``offline_data_path`` is given; then the
    account file is written under that data folder. Offline, the hash is ``password_hash`` if given,
    else the one ``prosody_config`` (the host file) sets, else SHA-1. An existing account raises
    :class:`AccountExistsError`; nothing is overwritten.
    """
    node = validate_username(user)
    host = validate_domain(domain)
    validate_password(password)
    if offline_data_path is not None:
        if prosodyctl is not None:
            raise AccountError("give either prosodyctl or offline_data_path, not both")
        chosen = password_hash or (password_hash_of(prosody_config, host) if prosody_config is not None else "SHA-1")
        credentials = scram_credentials(password, password_hash=chosen, iteration_count=iteration_count)
        path = _write_account(Path(offline_data_path), node, host, serialize_account(credentials))
        return AccountResult(node, host, "offline", path)
    # prosodyctl asks twice ("Enter new password", "Retype new password") and reads one line each time.
    secret = password.reveal()
    output = _run_prosodyctl(prosodyctl, "adduser", f"{node}@{host}", stdin=f"{secret}\n{secret}\n", secret=secret)
    return AccountResult(node, host, "prosodyctl", warnings=_warnings(output, host, adding=True))


def remove_user(
    user: str,
    domain: str,
    *,
    prosodyctl: Sequence[str] | None = None,
    offline_data_path: str | os.PathLike[str] | None = None,
) -> AccountResult:
    """Delete the account ``user@domain``, and (like Prosody) the data it kept for the user.

    Through ``prosodyctl deluser`` unless ``offline_data_path`` is given; offline, the account file
    and the user's file in every other store of the host (roster, vCard, ...) are removed, as Prosody's
    ``datamanager.purge`` does. A missing account raises :class:`AccountMissingError`.
    """
    node = validate_username(user)
    host = validate_domain(domain)
    if offline_data_path is not None:
        if prosodyctl is not None:
            raise AccountError("give either prosodyctl or offline_data_path, not both")
        path = account_file(_data_folder(Path(offline_data_path)), node, host)
        if not path.is_file():
            raise AccountMissingError(f"user {node}@{host} does not exist (no {path})")
        _purge(path.parent.parent, node)
        return AccountResult(node, host, "offline", path)
    output = _run_prosodyctl(prosodyctl, "deluser", f"{node}@{host}", stdin="", secret=None)
    return AccountResult(node, host, "prosodyctl", warnings=_warnings(output, host, adding=False))


def list_users(domain: str, *, offline_data_path: str | os.PathLike[str]) -> list[str]:
    """The users of ``domain``, sorted, read from the accounts folder under ``offline_data_path``.

    Prosody 0.12's prosodyctl has no command that lists accounts, so listing always reads the data
    folder (Debian: ``/var/lib/prosody``); a host without accounts gives an empty list.
    """
    host = validate_domain(domain)
    folder = _data_folder(Path(offline_data_path)) / path_encode(host) / "accounts"
    try:
        names = [entry.name for entry in folder.iterdir() if entry.name.endswith(".dat") and entry.is_file()]
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise AccountError(f"cannot read {folder}: {exc.strerror or exc}") from None
    return sorted(path_decode(name[: -len(".dat")]) for name in names)


def user_exists(user: str, domain: str, *, offline_data_path: str | os.PathLike[str]) -> bool:
    """Whether ``user@domain`` has an account, read from its account file under ``offline_data_path``.

    Like :func:`list_users` this reads the data folder (Debian: ``/var/lib/prosody``), as prosodyctl
    cannot tell. Raises :class:`AccountUnreadableError` when it cannot be told (the data folder does
    not exist here or cannot be read), and :class:`AccountError` when the file is not an account file
    as Prosody writes it.
    """
    node = validate_username(user)
    host = validate_domain(domain)
    return _read_entries(Path(offline_data_path), node, host) is not None


def check_password(user: str, domain: str, password: Secret, *, offline_data_path: str | os.PathLike[str]) -> bool:
    """Whether ``password`` is the one stored for ``user@domain`` under ``offline_data_path``.

    The SCRAM keys are recomputed with the account's own salt, iteration count and hash (told by the
    key length) and compared in constant time; the password itself is never stored or compared in
    clear. ``False`` also for an account that is not stored as SCRAM keys (plain text, or keys this
    module cannot read), so that setting the password stores it the hashed way.

    Raises :class:`AccountMissingError` without an account, :class:`AccountUnreadableError` when the
    data folder cannot be read.
    """
    node = validate_username(user)
    host = validate_domain(domain)
    validate_password(password)
    data_path = Path(offline_data_path)
    entries = _read_entries(data_path, node, host)
    if entries is None:
        raise AccountMissingError(f"user {node}@{host} does not exist (no {account_file(data_path, node, host)})")
    if not all(key in entries for key in _SCRAM_KEYS):
        return False  # an old plain-text or foreign account
    stored_key = _lua_string(entries["stored_key"])
    password_hash = _HASH_BY_KEY_LENGTH.get(len(stored_key or ""))
    salt = _lua_string(entries["salt"])
    iterations = _lua_count(entries["iteration_count"])
    if stored_key is None or password_hash is None or salt is None or iterations is None:
        return False
    computed = scram_credentials(password, password_hash=password_hash, iteration_count=iterations, salt=salt)
    server_key = _lua_string(entries["server_key"]) or ""
    # Constant time (both keys always compared): the comparison says nothing about the stored keys.
    same_stored = hmac.compare_digest(computed.stored_key.encode(), stored_key.encode())
    same_server = hmac.compare_digest(computed.server_key.encode(), server_key.encode())
    return same_stored and same_server


def set_password(
    user: str,
    domain: str,
    password: Secret,
    *,
    prosodyctl: Sequence[str] | None = None,
    offline_data_path: str | os.PathLike[str] | None = None,
    password_hash: PasswordHash | None = None,
    prosody_config: str | os.PathLike[str] | None = None,
    iteration_count: int = DEFAULT_ITERATION_COUNT,
) -> AccountResult:
    """Give the existing account ``user@domain`` the password ``password``.

    Through ``prosodyctl passwd user@domain`` (default ``["prosodyctl"]``), with the password on its
    standard input twice and never in its arguments, unless ``offline_data_path`` is given. Offline,
    the account file is rewritten as Prosody's ``set_password`` does: new keys with a fresh salt, every
    other entry of the account kept (a plain-text ``password`` is dropped, since it would still let the
    old password in), the file's mode and owner kept, replaced atomically. The hash is
    ``password_hash`` if given, else the one ``prosody_config`` sets, else the account's current one;
    the iteration count is the account's, but at least ``iteration_count``.

    A missing account raises :class:`AccountMissingError`; nothing is created.
    """
    node = validate_username(user)
    host = validate_domain(domain)
    validate_password(password)
    if offline_data_path is not None:
        if prosodyctl is not None:
            raise AccountError("give either prosodyctl or offline_data_path, not both")

        data_path = _data_folder(Path(offline_data_path))
        path = account_file(data_path, node, host)
        entries = _read_entries(data_path, node, host)
        if entries is None:
            raise AccountMissingError(f"user {node}@{host} does not exist (no {path})")
        old_key = _lua_string(entries.get("stored_key", "")) or ""
        # The hash the host asks for (as Prosody does), else the one the account already has.
        chosen: PasswordHash = (
            password_hash
            or (password_hash_of(prosody_config, host) if prosody_config is not None else None)
            or _HASH_BY_KEY_LENGTH.get(len(old_key), "SHA-1")
        )
        iterations = max(_lua_count(entries.get("iteration_count", "")) or 0, iteration_count)
        text = serialize_account(scram_credentials(password, password_hash=chosen, iteration_count=iterations))
        kept = [f'\t["{key}"] = {value};\n' for key, value in entries.items() if key not in (*_SCRAM_KEYS, "password")]
        # Same mode and owner, atomic replace: Prosody (another user) must still read it.
        write_text(path, text[: -len("};\n")] + "".join(kept) + "};\n")
        return AccountResult(node, host, "offline", path)
    # prosodyctl asks twice ("Enter new password", "Retype new password") and reads one line each time.
    secret = password.reveal()
    output = _run_prosodyctl(prosodyctl, "passwd", f"{node}@{host}", stdin=f"{secret}\n{secret}\n", secret=secret)
    return AccountResult(node, host, "prosodyctl", warnings=_warnings(output, host, adding=False))


# ---------------------------------------------------------------------------------------- internals


def _read_entries(data_path: Path, node: str, host: str) -> dict[str, str] | None:
    """The entries of an account file as ``{key: raw Lua value}``; ``None`` when there is no account.

    Raises :class:`AccountUnreadableError` when that cannot be told, :class:`AccountError` when the
    file is not an account file as Prosody's ``util.serialization`` writes it.
    """
    path = account_file(data_path, node, host)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if data_path.is_dir() and os.access(data_path, os.R_OK | os.X_OK):
            return None
        if not data_path.is_dir():
            raise AccountUnreadableError(
                f"the Prosody data folder {data_path} does not exist (Debian: /var/lib/prosody)"
            ) from None
        raise AccountUnreadableError(f"cannot read the Prosody data folder {data_path}") from None
    except PermissionError as exc:
        raise AccountUnreadableError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AccountError(f"cannot read {path}: {exc}") from None
    body = text.strip()
    if not (body.startswith("return {") and body.endswith("};")):
        raise AccountError(f"{path} is not an account file as Prosody writes it")
    entries = {}
    for line in body[len("return {") : -len("};")].splitlines():
        if not line.strip():
            continue
        match = _ENTRY.match(line)
        if match is None:
            raise AccountError(f"{path}: cannot read the line {line.strip()[:40]!r} of the account file")
        entries[match.group(1)] = match.group(2)
    return entries


def _lua_string(raw: str) -> str | None:
    """The text of a plain Lua string literal ``"..."`` (no escapes), else ``None``."""
    return raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] == '"' and "\\" not in raw else None


def _lua_count(raw: str) -> int | None:
    """The value of a plain decimal Lua integer, else ``None``."""
    return int(raw) if raw.isascii() and raw.isdigit() else None


def _data_folder(data_path: Path) -> Path:
    if not data_path.is_dir():
        raise AccountError(f"the Prosody data folder {data_path} does not exist (Debian: /var/lib/prosody)")
    return data_path


def _write_account(data_path: Path, node: str, host: str, text: str) -> Path:
    """Create the account file exclusively: complete (written and fsynced, then linked) or not at all."""
    owner = _owner_for(_data_folder(data_path))
    host_dir = data_path / path_encode(host)
    accounts = host_dir / "accounts"
    for folder in (host_dir, accounts):
        _make_folder(folder, owner)
    _check_inside(data_path, accounts)
    target = accounts / f"{path_encode(node)}.dat"
    if target.exists():
        raise AccountExistsError(f"user {node}@{host} already exists ({target})")
    try:
        # Prosody's umask 027, whatever ours is; a link never replaces a name: two concurrent adds cannot both win.
        created = create_text(target, text, mode=0o640, owner=owner)
    except WriteError as exc:
        raise AccountError(str(exc)) from None
    if not created:
        raise AccountExistsError(f"user {node}@{host} already exists ({target})")
    return target


def _owner_for(data_path: Path) -> tuple[int, int] | None:
    # Prosody runs as its own user (Debian: prosody) and must read what root writes here.
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    info = data_path.stat()
    return info.st_uid, info.st_gid


def _make_folder(folder: Path, owner: tuple[int, int] | None) -> None:
    try:
        folder.mkdir(mode=0o750)
    except FileExistsError:
        if not folder.is_dir():
            raise AccountError(f"{folder} exists but is not a folder") from None
        return
    except OSError as exc:
        raise AccountError(f"cannot create {folder}: {exc.strerror or exc}") from None
    os.chmod(folder, 0o750)  # mkdir's mode is cut by the umask
    if owner is not None:
        os.chown(folder, *owner)


def _purge(host_dir: Path, node: str) -> None:
    encoded = path_encode(node)
    errors = []
    for store in sorted(host_dir.iterdir()):
        if not store.is_dir():
            continue
        for name in (f"{encoded}.dat", f"{encoded}.list"):
            try:
                (store / name).unlink()
            except FileNotFoundError:
                pass
            except OSError as exc:
                errors.append(f"{store / name}: {exc.strerror or exc}")
    if errors:
        raise AccountError(f"cannot remove all data of {node}: {'; '.join(errors)}")


def _run_prosodyctl(prosodyctl: Sequence[str] | None, command: str, jid: str, *, stdin: str, secret: str | None) -> str:
    """Run ``prefix + [command, jid]`` with ``stdin``; its output (no line holding ``secret``) or an error."""
    prefix = list(DEFAULT_PROSODYCTL if prosodyctl is None else prosodyctl)
    if not prefix or not all(isinstance(part, str) and part for part in prefix):
        raise AccountError("the prosodyctl command is empty")
    try:
        completed = subprocess.run(
            [*prefix, command, jid],
            input=stdin.encode("utf-8"),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            check=False,
            timeout=_PROSODYCTL_TIMEOUT,
        )
    except FileNotFoundError:
        raise AccountError(
            f"cannot run {prefix[0]!r}: not found (is Prosody installed? give the command with --prosodyctl, "
            "or write the account file with --offline)"
        ) from None
    except subprocess.TimeoutExpired:
        raise AccountError(
            f"{' '.join(prefix)} {command} {jid} did not finish within {_PROSODYCTL_TIMEOUT:g} s"
        ) from None
    except OSError as exc:
        raise AccountError(f"cannot run {prefix[0]!r}: {exc.strerror or exc}") from None
    # Decide on the whole output first; only what is shown is filtered for the password.
    output = _ANSI.sub("", completed.stdout.decode("utf-8", errors="replace"))
    if completed.returncode == 0:
        return output
    lowered = output.lower()
    # Prosody 0.12 words first, then 13's admin shell ("Error: User exists", "Error: No such user").
    if "already exists" in lowered or "error: user exists" in lowered:
        raise AccountExistsError(f"user {jid} already exists")
    if "does not exist" in lowered or "error: no such user" in lowered:
        raise AccountMissingError(f"user {jid} does not exist")
    if "error: no such host" in lowered:
        raise AccountError(f"prosodyctl does not know the host of {jid} (not in its configuration, or not enabled)")
    if "unable to connect to server" in lowered:
        raise AccountError(
            f"{' '.join(prefix)} {command} needs the running Prosody: Prosody 13 changes accounts through the "
            "server's admin shell (mod_admin_shell). Start Prosody, or write the account file with --offline"
        )
    detail = " / ".join(_meaningful_lines(output, secret)[-6:]) or "no output"
    raise AccountError(f"{' '.join(prefix)} {command} {jid} failed (exit {completed.returncode}): {detail}")


def _meaningful_lines(output: str, secret: str | None) -> list[str]:
    # prosodyctl does not echo the password, but a replacement command might: a line holding it is left
    # out whole, since masking a short password inside words would garble (and hint at) the rest.
    prompts = ("Enter new password:", "Retype new password:")
    lines = [line.strip() for line in output.splitlines()]
    return [
        "(a line holding the password was left out)" if secret and secret in line else line
        for line in lines
        if line and line not in prompts
    ]


def _warnings(output: str, host: str, *, adding: bool) -> tuple[str, ...]:
    # prosodyctl succeeds for a host it does not know, warning that the user cannot log in: pass that on
    # in our own words (its output is not repeated, so nothing it echoed can leak).
    if "is not listed in the configuration file" in output:
        consequence = ": the user cannot log in until the host is configured" if adding else ""
        return (f"prosodyctl does not know the host {host} (not in its configuration, or not enabled){consequence}",)
    return ()
