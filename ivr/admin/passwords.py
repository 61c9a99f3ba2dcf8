"""Password hashing with scrypt (memory-hard), stored as `scrypt$n$r$p$salt$hash`.

The parameters travel with each hash, so they can be raised later and old
hashes still verify. Verification compares in constant time.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
import unicodedata

MIN_LENGTH = 10
MAX_LENGTH = 256  # scrypt hashes any length; this only keeps requests small
N, R, P = 2**14, 8, 1
_SALT_BYTES = 16
_HASH_BYTES = 32
_MAXMEM = 64 * 1024 * 1024  # 128 * r * n = 16 MiB for the parameters above


def policy_problems(password: str) -> list[str]:
    """What is wrong with a new password, in Korean · English; empty when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return [
            f"비밀번호는 {MIN_LENGTH}자 이상이어야 합니다. · The password must be at least {MIN_LENGTH} "
            "characters long."
        ]
    if len(password) > MAX_LENGTH:
        return [
            f"비밀번호는 {MAX_LENGTH}자 이하로 정해 주십시오. · The password must be at most {MAX_LENGTH} "
            "characters long."
        ]
    return []


def hash_password(password: str) -> str:
    """A new salted scrypt hash of the password (about 50 ms of CPU: call it off the event loop)."""
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = _scrypt(password, salt, N, R, P, _HASH_BYTES)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """True when the password matches the stored hash; False for any malformed hash."""
    try:
        scheme, n, r, p, salt_b64, hash_b64 = stored.split("$")
        n_, r_, p_ = int(n), int(r), int(p)
        salt, expected = base64.b64decode(salt_b64, validate=True), base64.b64decode(hash_b64, validate=True)
    except ValueError:
        return False
    # Bounds keep a tampered row from making us burn memory or CPU.
    if scheme != "scrypt" or not (2 <= n_ <= 2**20 and 1 <= r_ <= 32 and 1 <= p_ <= 16) or not expected:
        return False
    actual = _scrypt(password, salt, n_, r_, p_, len(expected))
    return hmac.compare_digest(actual, expected)


@functools.cache
def dummy_hash() -> str:
    """Verified against when the username does not exist, so a wrong username takes
    as long as a wrong password and does not reveal which usernames exist."""
    return hash_password(secrets.token_urlsafe(16))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    # NFC: the same Hangul typed on macOS (decomposed) and Windows (composed) is one password.
    secret = unicodedata.normalize("NFC", password).encode("utf-8", "surrogatepass")
    return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=length)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
