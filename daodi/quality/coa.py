"""What a certificate of analysis states, as data, and its fingerprint (pure).

The certificate's content is a plain JSON object; its SHA-256 over a canonical serialisation
(sorted keys, no spaces, UTF-8) is the fingerprint printed in the certificate's QR code.
The platform keeps content and fingerprint, so the public verification page can show what a
certificate really said and tell when the record or the link was altered.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re

HASH = re.compile(r"^[0-9a-f]{64}$")


def canonical(content: dict) -> bytes:
    """The one byte form of ``content`` that is hashed."""
    return json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def digest(content: dict) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two hex digests (a link's hash is user input)."""
    return hmac.compare_digest(a.encode(), b.encode())


GENUINE = "genuine"  # the record is unchanged and the link names its fingerprint
ALTERED = "altered"  # the link's fingerprint is not this certificate's
CORRUPTED = "corrupted"  # the stored content no longer matches its own fingerprint
UNCHECKED = "unchecked"  # no fingerprint given (a number typed in): nothing to compare yet


def fingerprint(text: str | None) -> str:
    """A fingerprint as typed or read off a page: spaces, dashes and case do not matter."""
    return re.sub(r"[\s\-:]", "", text or "").lower()


def check(content: dict, stored_hash: str, presented_hash: str) -> str:
    """How a presented fingerprint compares with a stored certificate."""
    if not same(digest(content), stored_hash):
        return CORRUPTED
    presented_hash = fingerprint(presented_hash)
    if not presented_hash:
        return UNCHECKED
    if not HASH.match(presented_hash) or not same(presented_hash, stored_hash):
        return ALTERED
    return GENUINE
