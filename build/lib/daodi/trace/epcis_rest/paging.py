"""Keyset paging for EPCIS results (``perPage`` and ``nextPageToken``).

A page continues after the last (sort value, id) it returned, never at an offset, so a page
costs the same however deep it is. The first page also fixes a high-water mark: the largest
event id committed at that moment. Event writers are serialised and ids grow in commit
order (see ``trace.capture``), so every later page filtered to ``id <= mark`` sees exactly
the events that existed when paging began: events captured meanwhile neither shift pages
nor appear half-way through. The token is signed, names the query it belongs to, and
counts the events already returned (for ``eventCountLimit``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.core import signing
from django.db.models import Max, Q
from django.utils.translation import gettext as _

_SALT = "daodi.epcis.page"
DEFAULT_PER_PAGE = 30  # the bindings' default
MAX_PER_PAGE = 1000


class PageTokenError(ValueError):
    """A token that is not ours, was altered, or belongs to another query."""


@dataclass
class Cursor:
    """Where the next page starts."""

    query: str  # Query.digest of the parameters the token was issued for
    high_water: int
    last_id: int | None = None
    last_value: str | None = None  # ISO 8601 sort value of the last row, if ordered by time
    returned: int = 0


def encode(cursor: Cursor) -> str:
    return signing.dumps(asdict(cursor), salt=_SALT, compress=True)


def decode(token: str, query_digest: str) -> Cursor:
    try:
        cursor = Cursor(**signing.loads(token, salt=_SALT))
    except (signing.BadSignature, TypeError, ValueError) as exc:
        raise PageTokenError(_("this nextPageToken is not valid")) from exc
    if cursor.query != query_digest:
        raise PageTokenError(_("this nextPageToken belongs to another query"))
    return cursor


def per_page(value: str | None) -> int:
    """The page size asked for, capped at MAX_PER_PAGE; ValueError if not a number ≥ 1."""
    if value in (None, ""):
        return DEFAULT_PER_PAGE
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return min(number, MAX_PER_PAGE)


def start(qs, query_digest: str) -> Cursor:
    """The cursor of a first page: the high-water mark of the whole table, now."""
    mark = qs.model.objects.aggregate(mark=Max("id"))["mark"] or 0
    return Cursor(query=query_digest, high_water=mark)


def page(qs, cursor: Cursor, *, order_by: str | None, descending: bool, size: int, limit=None):
    """One page of ``qs`` after ``cursor``: (rows, the next cursor or None)."""
    qs = qs.filter(id__lte=cursor.high_water)
    if limit is not None:
        size = min(size, limit - cursor.returned)
        if size <= 0:
            return [], None
    if order_by:
        direction = "-" if descending else ""
        qs = qs.order_by(f"{direction}{order_by}", f"{direction}id")
        if cursor.last_id is not None:
            value = dt.datetime.fromisoformat(cursor.last_value)
            beyond = "lt" if descending else "gt"
            qs = qs.filter(
                Q(**{f"{order_by}__{beyond}": value})
                | Q(**{order_by: value, f"id__{beyond}": cursor.last_id})
            )
    else:
        qs = qs.order_by("id")
        if cursor.last_id is not None:
            qs = qs.filter(id__gt=cursor.last_id)
    rows = list(qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    returned = cursor.returned + len(rows)
    if not more or (limit is not None and returned >= limit):
        return rows, None
    last = rows[-1]
    return rows, Cursor(
        query=cursor.query,
        high_water=cursor.high_water,
        last_id=last.id,
        last_value=getattr(last, order_by).isoformat() if order_by else None,
        returned=returned,
    )
