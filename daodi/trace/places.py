"""The names of the places and parties events name by GLN, looked up in one go.

Events name a place as an SGLN URN or a GLN Digital Link (``…/414/9521234010043``) and a
party as a PGLN (``…/417/…``). A page shows the place's or organisation's name instead:
:func:`names` takes every such value of a page at once and answers with two queries,
whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterable

from daodi.orgs.models import Organisation, Site

from .epcis import identifiers


def gln(value: str | None) -> str | None:
    """The GLN of a place or party URI (SGLN, PGLN, GLN Digital Link), else None."""
    key = _key(value) if value and isinstance(value, str) else None
    return key[1] if key else None


def _key(value: str | None) -> tuple[str, str] | None:
    """(AI, GLN) of a place (414) or party (417) URI, else None."""
    try:
        parsed = identifiers.parse(value, verify=False)
    except identifiers.IdentifierError:
        return None
    return (parsed.ai, parsed.key) if parsed.ai in ("414", "417") else None


def names(values: Iterable[str | None]) -> dict[str, str]:
    """{value: name} for each value that names a known place (a site's name) or party (an
    organisation's name); values naming nothing we know are left out."""
    keys = {v: _key(v) for v in set(values) if v and isinstance(v, str)}
    wanted = {k[1] for k in keys.values() if k}
    if not wanted:
        return {}
    sites = dict(Site.objects.filter(gln__in=wanted).values_list("gln", "name"))
    orgs = dict(Organisation.objects.filter(gln__in=wanted).values_list("gln", "name"))
    found = {}
    for value, key in keys.items():
        if key is None:
            continue
        ai, number = key
        first, then = (orgs, sites) if ai == "417" else (sites, orgs)
        name = first.get(number) or then.get(number)
        if name:
            found[value] = name
    return found


def name(value: str | None) -> str:
    """One value's place or party name (one query); '' when it names nothing we know."""
    return names([value]).get(value, "") if value else ""
