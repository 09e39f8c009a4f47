"""Secrets at rest: CalDAV passwords and calendar subscription addresses are stored encrypted.

`cryptography`'s Fernet (AES-128-CBC with an HMAC-SHA256, a random IV per value) under the keys
of the ENCRYPTION_KEYS setting (config.py): the first key encrypts, every key decrypts, so a key
is rotated by putting a new one first and running `flask secrets rotate` (which re-encrypts every
stored value with it) before the old one is dropped. Values are encrypted one by one, so an
encrypted column cannot be searched or compared in SQL; nothing needs to. The empty string stays
empty: it is no secret, and "no password" must stay recognisable.

The column type that applies this on every read and write is models/types.py `EncryptedText`;
the migration that encrypted the rows stored before uses the functions here directly.
"""
from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretUnreadable(RuntimeError):
    """A stored secret does not decrypt with any configured key (the keys changed or were lost)."""


def encrypt_text(text: str, keys: tuple[str, ...]) -> str:
    """Return *text* encrypted with the first of *keys* (a Fernet token), or "" for ""."""
    if not text:
        return ""
    return _fernet(tuple(keys)).encrypt(text.encode("utf-8")).decode("ascii")


def decrypt_text(token: str, keys: tuple[str, ...]) -> str:
    """Return the text *token* encrypts, trying every key; raise SecretUnreadable if none fits."""
    if not token:
        return ""
    try:
        return _fernet(tuple(keys)).decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError) as exc:
        # The token itself is not repeated: the message may reach a log.
        raise SecretUnreadable("A stored secret does not decrypt with any key in ENCRYPTION_KEYS: "
                               "a key was replaced or dropped too early.") from exc


def rotate_text(token: str, keys: tuple[str, ...]) -> str:
    """Return *token* re-encrypted with the first of *keys*."""
    if not token:
        return ""
    try:
        return _fernet(tuple(keys)).rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError) as exc:
        raise SecretUnreadable("A stored secret does not decrypt with any key in ENCRYPTION_KEYS.") from exc


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise SecretUnreadable("ENCRYPTION_KEYS is empty: there is no key to encrypt or decrypt with.")
    return MultiFernet([Fernet(key) for key in keys])
