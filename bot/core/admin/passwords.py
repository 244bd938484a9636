"""Passwords: argon2id hashes (argon2-cffi, RFC 9106 parameters), one-time passwords, rules."""

from __future__ import annotations

import asyncio
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
# no 0/O, 1/l/I: a one-time password is read out or copied by hand
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_HASHER = PasswordHasher()
# verified when the username is unknown, so that a wrong name costs as long as a wrong password
_DUMMY = _HASHER.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def _verify(stored: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


async def verify(stored: str | None, password: str) -> bool:
    """Check a password against its hash (None: an unknown account, still takes as long), off
    the event loop: a hash costs tens of milliseconds of CPU and 64 MiB on purpose."""
    return await asyncio.to_thread(_verify, stored, password)


def needs_rehash(stored: str) -> bool:
    return _HASHER.check_needs_rehash(stored)


def one_time_password() -> str:
    """Four groups of four, e.g. ``k7Pq-3xWz-…``: about 95 bits; must be changed at first use."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(4))


def weakness(password: str, username: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_LENGTH:
        return f"at least {MIN_LENGTH} characters"
    if username and username.lower() in password.lower():
        return "must not contain the username"
    if len(set(password)) < 5:
        return "too repetitive"
    return None
