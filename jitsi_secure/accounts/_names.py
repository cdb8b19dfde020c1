"""User names and passwords as Prosody prepares them (XMPP nodeprep, SASLprep), checked before anything runs."""

from __future__ import annotations

import stringprep
import unicodedata

from jitsi_secure._spec import Secret
from jitsi_secure.accounts._errors import AccountError

__all__ = ["saslprep", "validate_password", "validate_username"]

_NODE_MAX_BYTES = 1023
# nodeprep's own prohibited characters (RFC 3920 appendix A.5), on top of the stringprep tables.
_NODE_PROHIBITED = frozenset("\"&'/:<>@")


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
