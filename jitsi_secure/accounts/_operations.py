"""Adding, removing and re-keying an account, through prosodyctl or offline (see :mod:`jitsi_secure.accounts`)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from jitsi_secure._core.write import write_text
from jitsi_secure._spec import Secret, validate_domain
from jitsi_secure.accounts._errors import AccountError, AccountMissingError
from jitsi_secure.accounts._names import validate_password, validate_username
from jitsi_secure.accounts._prosodyctl import change_through_prosodyctl
from jitsi_secure.accounts._store import (
    DEFAULT_ITERATION_COUNT,
    HASH_BY_KEY_LENGTH,
    SCRAM_KEYS,
    PasswordHash,
    account_file,
    count_of,
    create_account,
    data_folder,
    password_hash_of,
    purge,
    read_account,
    scram_credentials,
    serialize_account,
    text_of,
)

__all__ = ["AccountResult", "add_user", "remove_user", "set_password"]


# `duplicates` pairs this record with hocon's `Include` by shape (a docstring and a few fields): unrelated.
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
    data_path = _offline(prosodyctl, offline_data_path)
    if data_path is None:
        warnings = change_through_prosodyctl(prosodyctl, "adduser", f"{node}@{host}", host, password, adding=True)
        return AccountResult(node, host, "prosodyctl", warnings=warnings)
    chosen = password_hash or (password_hash_of(prosody_config, host) if prosody_config is not None else "SHA-1")
    credentials = scram_credentials(password, password_hash=chosen, iteration_count=iteration_count)
    return AccountResult(node, host, "offline", create_account(data_path, node, host, serialize_account(credentials)))


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
    data_path = _offline(prosodyctl, offline_data_path)
    if data_path is None:
        warnings = change_through_prosodyctl(prosodyctl, "deluser", f"{node}@{host}", host, None, adding=False)
        return AccountResult(node, host, "prosodyctl", warnings=warnings)
    path = account_file(data_folder(data_path), node, host)
    if not path.is_file():
        raise AccountMissingError(f"user {node}@{host} does not exist (no {path})")
    purge(path.parent.parent, node)
    return AccountResult(node, host, "offline", path)


# The same keywords as add_user, spelled out on purpose: each is the public, documented signature.
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
    data_path = _offline(prosodyctl, offline_data_path)
    if data_path is None:
        warnings = change_through_prosodyctl(prosodyctl, "passwd", f"{node}@{host}", host, password, adding=False)
        return AccountResult(node, host, "prosodyctl", warnings=warnings)
    data_path = data_folder(data_path)
    path = account_file(data_path, node, host)
    entries = read_account(data_path, node, host)
    if entries is None:
        raise AccountMissingError(f"user {node}@{host} does not exist (no {path})")
    old_key = text_of(entries, "stored_key") or ""
    # The hash the host asks for (as Prosody does), else the one the account already has.
    chosen: PasswordHash = (
        password_hash
        or (password_hash_of(prosody_config, host) if prosody_config is not None else None)
        or HASH_BY_KEY_LENGTH.get(len(old_key), "SHA-1")
    )
    iterations = max(count_of(entries, "iteration_count") or 0, iteration_count)
    text = serialize_account(scram_credentials(password, password_hash=chosen, iteration_count=iterations))
    # Every other entry as written (a plain-text password is dropped: it would still let the old one in).
    kept = [
        f"\t[{field.key_text}] = {field.text};\n"
        for key, field in entries.items()
        if key not in (*SCRAM_KEYS, "password")
    ]
    # Same mode and owner, atomic replace: Prosody (another user) must still read it.
    write_text(path, text[: -len("};\n")] + "".join(kept) + "};\n")
    return AccountResult(node, host, "offline", path)


def _offline(prosodyctl: Sequence[str] | None, offline_data_path: str | os.PathLike[str] | None) -> Path | None:
    """The data folder when the accounts are written offline, ``None`` to go through prosodyctl."""
    if offline_data_path is None:
        return None
    if prosodyctl is not None:
        raise AccountError("give either prosodyctl or offline_data_path, not both")
    return Path(offline_data_path)
