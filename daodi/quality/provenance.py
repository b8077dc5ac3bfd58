"""Where a specification value comes from, as a reader is told it (pure, no ORM).

The starter table's ``source`` cells were written while gathering the values: a reference
code ("P-SO2", "C-THESIS"), "memory", "general rule", and working notes after it ("(named in
the 400 list)", "**Conflict:** …"). A page shows the sources in the reader's language and
keeps the notes for the people still checking a draft; an approved set shows no notes.
A source a user typed in their own set (a standard's number, a table) is shown as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# A reference code of the starter table, at the start of one part of a source cell.
_CODE = re.compile(
    r"^(?P<code>memory|general rule|chp_banned_pesticides\.csv|[PC]-[A-Z0-9]+)\b(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_PESTICIDES = re.compile(r"\(ChP (?P<edition>\d{4}) 通则 (?P<rule>\d{4})\)")
_NAMED = {
    "memory": _("No cited source"),  # the confidence beside it says it is to be checked
    "general rule": _("General rule of the Chinese Pharmacopoeia"),
    "P-FOOD": _("Published list of herbs that are also foods (药食同源)"),
}


@dataclass(frozen=True)
class Provenance:
    sources: list[str]  # what the value rests on, for every reader
    notes: list[str]  # working notes of whoever gathered it: drafts only


def _parts(text: str) -> list[str]:
    """The cell split at ";" and "," outside parentheses and quotes."""
    parts, depth, quoted, current = [], 0, False, []
    for char in text:
        if char in "(（":
            depth += 1
        elif char in ")）" and depth:
            depth -= 1
        elif char == '"':
            quoted = not quoted
        if char in ";,；，" and not depth and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _source(code: str, rest: str) -> str:
    if code.lower() == "chp_banned_pesticides.csv":
        found = _PESTICIDES.search(rest)
        if found:
            return str(
                _("Chinese Pharmacopoeia %(edition)s, general rule %(rule)s") % found.groupdict()
            )
        return str(_("Banned pesticide list of the Chinese Pharmacopoeia"))
    named = _NAMED.get(code.lower()) or _NAMED.get(code.upper())
    if named:
        return str(named)
    if code.upper().startswith("P-"):
        return str(_("Published source %(code)s") % {"code": code.upper()})
    return str(_("Corroborating source %(code)s") % {"code": code.upper()})


def _note(rest: str) -> str:
    rest = rest.strip().lstrip(".").strip()
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1].strip()
    return rest


_SAME_AS_CRUDE = re.compile(r"^same as the 药材\s*\((?P<inner>.*)\)$", re.DOTALL)


def describe(source: str, note: str = "") -> Provenance:
    """The sources and working notes of a ``source`` cell (and the item's own note).

    A cell that names a reference code is the starter table's: its other words are notes.
    A cell without one is a user's own source, shown as written."""
    parts = _parts(source or "")
    coded = any(_SAME_AS_CRUDE.match(p) or _CODE.match(p) for p in parts)
    sources, notes = [], []
    for part in parts:
        same = _SAME_AS_CRUDE.match(part)
        if same:
            sources.append(str(_("Same limit as the crude drug (药材)")))
            part = same["inner"].strip()
        match = _CODE.match(part)
        if match is None:
            (notes if coded else sources).append(part)
            continue
        code, rest = match["code"], match["rest"]
        sources.append(_source(code, rest))
        if code.lower() != "chp_banned_pesticides.csv" and _note(rest):
            notes.append(_note(rest))
    if note.strip():
        notes.append(note.strip())
    return Provenance(list(dict.fromkeys(sources)), notes)
