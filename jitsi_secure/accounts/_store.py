"""The offline account store: the files Prosody's ``internal_hashed`` backend reads, written and read
directly, for installers that build an image without a running Prosody.

An account is ``<data_path>/<host, every non-alphanumeric byte as %xx>/accounts/<user, escaped the
same way>.dat``, a Lua chunk returning ``salt`` (a UUID string), ``iteration_count``, ``stored_key``
and ``server_key`` (SCRAM-SHA-1 or SCRAM-SHA-256), with mode 0640 in folders of mode 0750, owned by
the data folder's owner when run as root.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from jitsi_secure._core.write import create_text
from jitsi_secure._spec import Secret, validate_domain
from jitsi_secure.accounts._errors import (
    AccountError,
    AccountExistsError,
    AccountMissingError,
    AccountUnreadableError,
)
from jitsi_secure.accounts._names import saslprep, validate_password, validate_username
from jitsi_secure.errors import ParseError, WriteError, line_and_column

if TYPE_CHECKING:
    from jitsi_secure.formats.lua import ReturnedField

__all__ = [
    "DEFAULT_ITERATION_COUNT",
    "PASSWORD_HASHES",
    "PasswordHash",
    "ScramCredentials",
    "account_file",
    "check_password",
    "list_users",
    "password_hash_of",
    "path_decode",
    "path_encode",
    "scram_credentials",
    "serialize_account",
    "user_exists",
]

#: SCRAM iteration count Prosody 0.12 uses for new accounts (``default_iteration_count``).
DEFAULT_ITERATION_COUNT = 10000

#: Hash names ``password_hash`` may take in Prosody 0.12's ``mod_auth_internal_hashed``.
PasswordHash = Literal["SHA-1", "SHA-256"]
PASSWORD_HASHES: dict[str, str] = {"SHA-1": "sha1", "SHA-256": "sha256"}

#: The entries of an account stored as SCRAM keys.
SCRAM_KEYS = ("iteration_count", "salt", "server_key", "stored_key")
#: The hex length of a stored key tells the hash the account was made with.
HASH_BY_KEY_LENGTH: dict[int, PasswordHash] = {40: "SHA-1", 64: "SHA-256"}


@dataclass(frozen=True)
class ScramCredentials:
    """What ``internal_hashed`` stores for one account (keys as lower-case hex)."""

    salt: str
    iteration_count: int
    stored_key: str
    server_key: str


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


def list_users(domain: str, *, offline_data_path: str | os.PathLike[str]) -> list[str]:
    """The users of ``domain``, sorted, read from the accounts folder under ``offline_data_path``.

    Prosody 0.12's prosodyctl has no command that lists accounts, so listing always reads the data
    folder (Debian: ``/var/lib/prosody``); a host without accounts gives an empty list.
    """
    host = validate_domain(domain)
    folder = data_folder(Path(offline_data_path)) / path_encode(host) / "accounts"
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
    return read_account(Path(offline_data_path), node, host) is not None


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
    entries = read_account(data_path, node, host)
    if entries is None:
        raise AccountMissingError(f"user {node}@{host} does not exist (no {account_file(data_path, node, host)})")
    if not all(key in entries for key in SCRAM_KEYS):
        return False  # an old plain-text or foreign account
    stored_key = text_of(entries, "stored_key")
    password_hash = HASH_BY_KEY_LENGTH.get(len(stored_key or ""))
    salt = text_of(entries, "salt")
    iterations = count_of(entries, "iteration_count")
    if stored_key is None or password_hash is None or salt is None or iterations is None:
        return False
    computed = scram_credentials(password, password_hash=password_hash, iteration_count=iterations, salt=salt)
    server_key = text_of(entries, "server_key") or ""
    # Constant time (both keys always compared): the comparison says nothing about the stored keys.
    same_stored = hmac.compare_digest(computed.stored_key.encode(), stored_key.encode())
    same_server = hmac.compare_digest(computed.server_key.encode(), server_key.encode())
    return same_stored and same_server


def read_account(data_path: Path, node: str, host: str) -> dict[str, ReturnedField] | None:
    """The entries of an account file by key; ``None`` when there is no account.

    Read through the Lua format (the file is a Lua chunk that returns a table), without running it.
    Raises :class:`AccountUnreadableError` when that cannot be told, :class:`AccountError` when the
    file is not an account file as Prosody's ``util.serialization`` writes it.
    """
    from jitsi_secure.formats import lua

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
    try:
        fields = lua.returned_table(text, source=str(path))
    except ParseError as error:
        # Where, but not the parser's excerpt: the line could hold a plain-text password.
        raise AccountError(
            f"{path} is not an account file as Prosody writes it (line {error.line}, column {error.column})"
        ) from None
    entries = {}
    for field in fields:
        if field.key is None:
            line = text.splitlines()[line_and_column(text, field.start)[0] - 1]
            raise AccountError(f"{path}: cannot read the line {line.strip()[:40]!r} of the account file")
        entries[field.key] = field
    return entries


def text_of(entries: dict[str, ReturnedField], key: str) -> str | None:
    """The string an entry holds, else ``None``."""
    field = entries.get(key)
    return field.value if field is not None and isinstance(field.value, str) else None


def count_of(entries: dict[str, ReturnedField], key: str) -> int | None:
    """The whole number (0 or more) an entry holds, else ``None`` (a float such as ``1e4`` too)."""
    field = entries.get(key)
    value = field.value if field is not None else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def data_folder(data_path: Path) -> Path:
    if not data_path.is_dir():
        raise AccountError(f"the Prosody data folder {data_path} does not exist (Debian: /var/lib/prosody)")
    return data_path


def create_account(data_path: Path, node: str, host: str, text: str) -> Path:
    """Create the account file exclusively: complete (written and fsynced, then linked) or not at all."""
    owner = _owner_for(data_folder(data_path))
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


def purge(host_dir: Path, node: str) -> None:
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
