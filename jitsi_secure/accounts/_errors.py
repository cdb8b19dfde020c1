"""The errors of :mod:`jitsi_secure.accounts`, in a leaf module every part of the package raises from."""

from __future__ import annotations

from jitsi_secure.errors import JitsiSecureError

__all__ = ["AccountError", "AccountExistsError", "AccountMissingError", "AccountUnreadableError"]


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
