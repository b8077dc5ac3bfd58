"""Chinese resident ID-card numbers (GB 11643): checking, masking and keyed hashing. Pure.

Only the masked form and a keyed hash are stored: the hash finds a seller again by the
full number, the mask (first six and last four characters) is what people see.
"""

from __future__ import annotations

import hashlib
import hmac

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECKS = "10X98765432"


def normalise(number: str) -> str:
    return "".join((number or "").split()).upper().replace("Ｘ", "X")


def is_valid(number: str) -> bool:
    """An 18-character number whose ISO 7064 MOD 11-2 check character is right."""
    n = normalise(number)
    if len(n) != 18 or not n[:17].isdigit() or n[17] not in CHECKS:
        return False
    total = sum(int(d) * w for d, w in zip(n[:17], WEIGHTS, strict=True))
    return CHECKS[total % 11] == n[17]


def mask(number: str) -> str:
    n = normalise(number)
    return n[:6] + "*" * (len(n) - 10) + n[-4:]


def digest(number: str, key: str) -> str:
    return hmac.new(key.encode(), normalise(number).encode(), hashlib.sha256).hexdigest()


def looks_like_id(text: str) -> bool:
    n = normalise(text)
    return len(n) == 18 and n[:17].isdigit()
