"""The farm's rules as pure functions: banned pesticides, pre-harvest intervals, plausible
yields and drying ratios. No ORM: actions pass in plain values and raise on what comes back.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


def normalise(text: str) -> str:
    """Names as compared: full-width folded to half-width, spaces dropped, case-folded."""
    return "".join(unicodedata.normalize("NFKC", text or "").split()).casefold()


def banned_match(texts: Iterable[str], banned: Iterable[tuple[str, list[str]]]) -> str | None:
    """The banned pesticide (its list name) that any of ``texts`` names, else None.

    ``banned`` is (name, [name and aliases]); a product such as "3%克百威颗粒剂" names
    克百威, so names are matched as substrings of the normalised texts. A Latin or numeric
    spelling ("1605", "DDT") must stand apart from other letters and digits, so that a
    registration number such as PD20081605 names nothing. Where several match, the longest
    spelling wins: "甲基1605" is 甲基对硫磷, not 对硫磷.
    """
    dense = [normalise(t) for t in texts if t]
    spaced = [unicodedata.normalize("NFKC", t).casefold() for t in texts if t]
    found, longest = None, 0
    for name, spellings in banned:
        for spelling in spellings:
            needle = normalise(spelling)
            if len(needle) <= longest or not needle:
                continue
            if needle.isascii():
                apart = re.compile(rf"(?<![0-9a-z]){re.escape(needle)}(?![0-9a-z])")
                hit = any(apart.search(hay) for hay in spaced)
            else:
                hit = any(needle in hay for hay in dense)
            if hit:
                found, longest = name, len(needle)
    return found


@dataclass(frozen=True)
class Application:
    """A pesticide use with its pre-harvest interval (安全间隔期)."""

    reference: str  # how the refusal names it: product and date
    applied_on: dt.date
    interval_days: int

    @property
    def first_allowed(self) -> dt.date:
        return self.applied_on + dt.timedelta(days=self.interval_days)


def interval_breach(applications: Iterable[Application], harvest_on: dt.date) -> Application | None:
    """The application whose interval a harvest on ``harvest_on`` falls inside (the one
    that ends last), else None. Applications after the harvest date do not count."""
    inside = [a for a in applications if a.applied_on <= harvest_on < a.first_allowed]
    return max(inside, key=lambda a: a.first_allowed, default=None)


def per_mu(kg: Decimal, area_mu: Decimal) -> Decimal:
    return (Decimal(kg) / Decimal(area_mu)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def outside(value: Decimal, low: Decimal | None, high: Decimal | None) -> bool:
    """True when ``value`` lies outside [low, high] (an absent bound does not limit)."""
    return (low is not None and value < low) or (high is not None and value > high)


def ratio(input_kg: Decimal, output_kg: Decimal) -> Decimal:
    """The input:output weight ratio (折干率 for drying), to two places."""
    return (Decimal(input_kg) / Decimal(output_kg)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
