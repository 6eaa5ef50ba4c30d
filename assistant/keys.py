"""API keys: plain keys (ASSISTANT_API_KEYS) and SHA-256 digests of keys (ASSISTANT_API_KEY_HASHES).

A digest lets the server check a key without holding it: a leaked configuration, backup or
process listing gives away no key. ``assistant hash-key`` prints the digest line of a key.
Presented tokens are hashed once and compared, in constant time, with every configured digest.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,39}")


NAME_RULE = "1-40 letters, digits or '_.@-', starting with a letter or digit"


def valid_key_name(name: str) -> bool:
    """Whether ``name`` may name a key in ASSISTANT_API_KEY_HASHES (see :data:`NAME_RULE`)."""
    return _NAME.fullmatch(name) is not None


def hash_key(key: str) -> str:
    """The SHA-256 hex digest of a key, the form ASSISTANT_API_KEY_HASHES holds."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_fingerprint_from_digest(digest: bytes) -> str:
    """The short name of a key (see :func:`assistant.audit.key_fingerprint`), from its digest."""
    return "key-" + digest.hex()[:12]


def new_key() -> str:
    """A new random key (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class ConfiguredKey:
    """One accepted key, as its SHA-256 digest, with an optional name for the audit log."""

    digest: bytes
    name: str | None = None


def parse_key_hashes(spec: str) -> list[ConfiguredKey]:
    """The entries of ASSISTANT_API_KEY_HASHES: comma-separated ``DIGEST`` or ``NAME:DIGEST``.

    Raises ValueError, naming the entry, for anything else (a digest must be 64 hex digits).
    """
    keys: list[ConfiguredKey] = []
    for position, raw in enumerate(spec.split(","), start=1):
        entry = raw.strip()
        if not entry:
            continue
        name, sep, digest = entry.rpartition(":")
        name = name.strip() if sep else ""
        digest = digest.strip()
        if not _HEX_DIGEST.fullmatch(digest):
            raise ValueError(
                f"ASSISTANT_API_KEY_HASHES: entry {position} is not a SHA-256 hex digest "
                "(64 hex digits, optionally after 'NAME:'); 'assistant hash-key' prints one."
            )
        if sep and not valid_key_name(name):
            raise ValueError(
                f"ASSISTANT_API_KEY_HASHES: the name of entry {position} must be {NAME_RULE}."
            )
        keys.append(ConfiguredKey(bytes.fromhex(digest), name or None))
    return keys


class KeyRing:
    """The keys the API accepts: plain ones (hashed here, at startup) and configured digests."""

    def __init__(self, plain: Sequence[str] = (), hashed: Sequence[ConfiguredKey] = ()) -> None:
        self._keys = [ConfiguredKey(hashlib.sha256(k.encode("utf-8")).digest()) for k in plain]
        self._keys += list(hashed)

    def __bool__(self) -> bool:
        return bool(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def match(self, presented: bytes) -> str | None:
        """The audit-log name of the key presented, as sent (``key-<fingerprint>``, after
        ``NAME/`` when its entry has a name), or None if it is not accepted.

        The token is hashed once and compared with every digest, whatever matched earlier, so
        the time taken says nothing about which key, or how much of one, was right.
        """
        digest = hashlib.sha256(presented).digest()
        found: ConfiguredKey | None = None
        for key in self._keys:
            if hmac.compare_digest(digest, key.digest) and found is None:
                found = key
        if found is None:
            return None
        fingerprint = key_fingerprint_from_digest(digest)
        return f"{found.name}/{fingerprint}" if found.name else fingerprint
