"""What a person types, pastes or scans to name a lot or an item, read as one thing.

A lot reaches a form in four shapes: its bare batch number as written on a sack
(``C26-PR007-0001``), the human-readable text printed under a GS1 barcode
(``(01)09521234000013(10)C26-PR007-0001``, with ``(21)…`` for a serialised item), an EPC
URN, or a GS1 Digital Link (the QR code). A scanner reading a GS1 QR code or DataMatrix may
also hand over the raw element string, AIs without brackets and variable-length values ended
by the group separator (ASCII 29), after a symbology prefix such as ``]Q3``.

:func:`parse` turns any of these into a :class:`LotInput`: the canonical Digital Link when the
input names a GTIN, else the batch number to look up among the lots the user may see (a
bare batch is only unique within one trade item, so finding it is the caller's query). Pure:
no ORM, no settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from . import identifiers

GS = "\x1d"  # the group separator that ends a variable-length AI value in a raw scan
# Application identifiers met on herb labels: fixed-length ones (value length) and the
# variable-length ones (maximum length). Dates (11, 13, 15, 17) are read and ignored.
_FIXED = {"01": 14, "11": 6, "13": 6, "15": 6, "17": 6}
_VARIABLE = {"10": 20, "21": 20}
_BRACKETED = re.compile(r"\((\d{2,4})\)")
_SYMBOLOGY = re.compile(r"^\][A-Za-z]\d")  # ]Q3 (QR), ]d2 (DataMatrix), ]C1 (GS1-128)
# GS1 AI encodable character set 82: what a batch number may hold.
_BATCH = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$")


class LotInputError(ValueError):
    """Input that names no lot: ``message`` says why, in the reader's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class LotInput:
    """A parsed lot input: exactly one of ``identifier`` (canonical) or ``batch`` is set."""

    identifier: str = ""
    batch: str = ""


def parse(text: str) -> LotInput:
    """Read a batch number, a GS1 element string, an EPC URN or a Digital Link."""
    value = (text or "").strip()
    if not value:
        raise LotInputError(_("Enter a lot number or scan its code."))
    if value.startswith(("urn:", "http://", "https://")):
        try:
            return LotInput(identifier=identifiers.canonical(value))
        except identifiers.IdentifierError as exc:
            raise LotInputError(_("This code is not a valid lot or item identifier.")) from exc
    value = _SYMBOLOGY.sub("", value)
    if value.startswith("(") or (value.startswith("01") and _looks_raw(value)):
        elements = element_string(value)
        return LotInput(identifier=_canonical(elements))
    if _BATCH.match(value):
        return LotInput(batch=value)
    raise LotInputError(
        _("Not a lot number, a printed GS1 code, an EPC URN or a Digital Link: %(value)s")
        % {"value": value[:40]}
    )


def _looks_raw(value: str) -> bool:
    """True for an unbracketed element string: ``01`` then 14 digits then more AIs or nothing."""
    return len(value) >= 16 and value[2:16].isdigit() and (len(value) == 16 or value[16:18] in AIS)


AIS = {**_FIXED, **_VARIABLE}


def element_string(value: str) -> dict[str, str]:
    """The AI values of a GS1 element string, bracketed or raw; LotInputError if malformed."""
    if value.startswith("("):
        parts = _BRACKETED.split(value)
        if parts[0] != "" or len(parts) < 3:
            raise LotInputError(_("The printed code must start with (01) and the GTIN."))
        pairs = list(zip(parts[1::2], parts[2::2], strict=True))
    else:
        pairs = _raw_pairs(value)
    found: dict[str, str] = {}
    for ai, raw in pairs:
        data = raw.replace(GS, "")
        if ai not in AIS:
            raise LotInputError(_("The code holds (%(ai)s), which is not a lot code.") % {"ai": ai})
        if ai in found:
            raise LotInputError(_("The code holds (%(ai)s) twice.") % {"ai": ai})
        limit = AIS[ai]
        if not data or (ai in _FIXED and len(data) != limit) or len(data) > limit:
            raise LotInputError(_("The value after (%(ai)s) has the wrong length.") % {"ai": ai})
        found[ai] = data
    if "01" not in found:
        raise LotInputError(_("The printed code has no GTIN (01)."))
    return found


def _raw_pairs(value: str) -> list[tuple[str, str]]:
    pairs, i = [], 0
    while i < len(value):
        ai = value[i : i + 2]
        if ai not in AIS:
            raise LotInputError(_("The scanned code could not be read as GS1 data."))
        i += 2
        if ai in _FIXED:
            pairs.append((ai, value[i : i + _FIXED[ai]]))
            i += _FIXED[ai]
        else:
            end = value.find(GS, i)
            end = len(value) if end < 0 else end
            pairs.append((ai, value[i:end]))
            i = end + 1
    return pairs


def _canonical(elements: dict[str, str]) -> str:
    gtin = elements["01"]
    if not gtin.isdigit():
        raise LotInputError(_("The GTIN (01) must be 14 digits."))
    for ai in ("10", "21"):
        if ai in elements and not _BATCH.match(elements[ai]):
            raise LotInputError(
                _("The value after (%(ai)s) holds characters GS1 does not allow.") % {"ai": ai}
            )
    try:
        link = identifiers.digital_link(gtin, elements.get("10"), elements.get("21"))
    except identifiers.IdentifierError as exc:
        raise LotInputError(_("The GTIN's check digit is wrong.")) from exc
    return identifiers.canonical(link)


def element_text(gtin: str, batch: str = "", serial: str = "") -> str:
    """The printed human-readable form, e.g. ``(01)09521234000013(10)C26-PR007-0001``."""
    text = f"(01){gtin}"
    if batch:
        text += f"(10){batch}"
    if serial:
        text += f"(21){serial}"
    return text
