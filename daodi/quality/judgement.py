"""Judging test results against specification items (pure: no database inside).

The rules come from the Chinese Pharmacopoeia's general notices (凡例) and GB/T 8170:

- A result is first converted to the item's unit (``units``), then, for an item on the dry
  basis (按干燥品计算), corrected with the same sample's moisture result:
  ``dry = as_is / (1 − moisture)``. Without a usable moisture result the item is *not
  judged* — never passed.
- The result is then rounded to the limit's number of decimal places with round-half-even
  (四舍六入五成双) in decimal arithmetic, and only then compared: 8.95 against ``>= 9.0``
  rounds to 9.0 and conforms, 8.94 rounds to 8.9 and does not.
- "Not detected" (``ND``, ``未检出``, ``<0.02``, ``<LOQ``) is an upper bound, the limit of
  quantification (LOQ). Against a not-detected item it passes when that LOQ reaches the
  item's required LOQ; against a ``<=`` limit it passes when the LOQ lies within the limit;
  against a ``>=`` limit it fails when the LOQ lies at or below the limit. Otherwise the
  item is not judged: the method could not tell.
- A panel (the 33 banned pesticides) is a group of not-detected items judged one by one;
  it fails when any analyte is detected.
- Every item ends ``pass``, ``fail`` or ``not_judged`` with its reason in Chinese and
  English; a set's conclusion is ``conform`` (符合规定), ``not_conform`` (不符合规定) or
  ``incomplete`` (未完成: a required item is missing or not judged, and none failed).

Operators: ``<=``, ``>=``, ``range`` (limit ``low-high``), ``nd`` (the limit is the LOQ the
result must reach) and ``conforms`` (qualitative: 性状, 鉴别).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import units

# --- vocabularies -------------------------------------------------------------------------
LE, GE, RANGE, ND, CONFORMS = "<=", ">=", "range", "nd", "conforms"
OPS = (LE, GE, RANGE, ND, CONFORMS)
DRY, AS_IS = "dry", "as_is"
BASES = (DRY, AS_IS)
PASS, FAIL, NOT_JUDGED = "pass", "fail", "not_judged"
CONFORM, NOT_CONFORM, INCOMPLETE = "conform", "not_conform", "incomplete"
CONCLUSION_ZH = {CONFORM: "符合规定", NOT_CONFORM: "不符合规定", INCOMPLETE: "未完成"}
# The result that dry-basis items are corrected with (the same sample's moisture).
MOISTURE_ITEMS = ("水分", "moisture")

_OP_ALIASES = {
    "<=": LE,
    "≤": LE,
    "=<": LE,
    "不得过": LE,
    "max": LE,
    ">=": GE,
    "≥": GE,
    "=>": GE,
    "不得少于": GE,
    "min": GE,
    "range": RANGE,
    "between": RANGE,
    "范围": RANGE,
    "nd": ND,
    "not detected": ND,
    "不得检出": ND,
    "未检出": ND,
    "conforms": CONFORMS,
    "qualitative": CONFORMS,
    "应符合规定": CONFORMS,
    "符合规定": CONFORMS,
}
_ND_WORDS = {"nd", "n.d.", "n.d", "未检出", "not detected", "<loq", "低于定量限", "未检测到"}
_YES_WORDS = {"符合规定", "符合", "合格", "conforms", "conform", "complies", "pass"}
_NO_WORDS = {
    "不符合规定",
    "不符合",
    "不合格",
    "does not conform",
    "not conform",
    "fails",
    "fail",
}
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_VALUE = re.compile(rf"^(?P<lt>[<≤])?\s*(?P<number>{_NUMBER})\s*(?P<unit>.*)$")
_RANGE = re.compile(rf"^\s*(?P<low>{_NUMBER})\s*(?:-|–|—|~|～|至)\s*(?P<high>{_NUMBER})\s*$")
_PRECISION = 50  # digits of the decimal context: far more than any result carries


class SpecError(ValueError):
    """A specification item that cannot be judged against (bad operator or limit)."""


def clean_text(value: str | None) -> str:
    """Full-width forms folded, spaces collapsed (how results and names are compared)."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value or "")).strip()


def item_key(name: str) -> str:
    """How test item names match between a specification and results."""
    return clean_text(name).casefold()


def parse_op(value: str) -> str:
    op = _OP_ALIASES.get(clean_text(value).lower())
    if op is None:
        raise SpecError(f"unknown operator {value!r}")
    return op


def decimal_of(text: str) -> Decimal:
    try:
        value = Decimal(clean_text(text))
    except InvalidOperation as exc:
        raise SpecError(f"not a number: {text!r}") from exc
    if not value.is_finite():
        raise SpecError(f"not a number: {text!r}")
    return value


def places(limit: Decimal) -> int:
    """Decimal places of a limit as written: "9.0" has one, "400" none."""
    exponent = limit.as_tuple().exponent
    return max(0, -int(exponent))


def round_to(value: Decimal, digits: int) -> Decimal:
    """``value`` rounded half to even at ``digits`` decimal places (GB/T 8170)."""
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN)


def plain(value: Decimal | None) -> str | None:
    """A decimal as people write it: no exponent, trailing zeros of a quotient trimmed."""
    if value is None:
        return None
    with localcontext() as ctx:
        ctx.prec = 12
        value = +value
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


# --- reasons in two languages --------------------------------------------------------------
@dataclass(frozen=True)
class Reason:
    """Why an item got its verdict: translatable sentences with their values."""

    parts: tuple = ()

    def __add__(self, other: Reason) -> Reason:
        return Reason(self.parts + other.parts)

    def text(self, language: str | None = None) -> str:
        with translation.override(language) if language else nullcontext():
            active = translation.get_language() or ""
            sep = "" if active.startswith("zh") else " "
            return sep.join(str(message) % dict(params) for message, params in self.parts)

    def both(self) -> dict[str, str]:
        return {"zh-hans": self.text("zh-hans"), "en": self.text("en")}

    def __str__(self) -> str:
        return self.text()


def reason(message, **params) -> Reason:
    return Reason(((message, tuple(sorted((k, _show(v)) for k, v in params.items()))),))


def _show(value: Any) -> str:
    return plain(value) if isinstance(value, Decimal) else str(value)


def _unit_text(unit: str) -> str:
    return f" {unit}" if unit else ""


# --- inputs ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Item:
    """One specification item, as written in the set (limits keep their decimal places)."""

    test_item: str
    op: str
    limit: str = ""
    unit: str = ""
    basis: str = AS_IS
    loq: str = ""
    panel: str = ""
    required: bool = True
    method: str = ""
    ref: Any = None  # the caller's handle (a database id), carried through untouched


@dataclass(frozen=True)
class Reading:
    """One result as the lab reported it: ``8.95``, ``0.35 mg/g``, ``<0.02``, ``ND``, ``未检出``."""

    test_item: str
    value: str
    unit: str = ""
    loq: str = ""
    lod: str = ""
    ref: Any = None


@dataclass(frozen=True)
class Limit:
    op: str
    low: Decimal | None = None  # >=, range
    high: Decimal | None = None  # <=, range, nd (the required LOQ)

    @property
    def digits(self) -> int:
        return max(places(v) for v in (self.low, self.high) if v is not None)


def parse_limit(op: str, text: str, loq: str = "") -> Limit:
    """The limit of an item; SpecError when it does not fit the operator."""
    op = parse_op(op) if op not in OPS else op
    text = clean_text(text)
    if op == CONFORMS:
        return Limit(op)
    if op == RANGE:
        match = _RANGE.match(text)
        if not match:
            raise SpecError(f"a range is written low-high, not {text!r}")
        low, high = decimal_of(match["low"]), decimal_of(match["high"])
        if low > high:
            raise SpecError(f"the range {text!r} is upside down")
        return Limit(op, low=low, high=high)
    if op == ND:
        value = decimal_of(clean_text(loq) or text)
        if value <= 0:
            raise SpecError("a not-detected item needs a positive LOQ")
        return Limit(op, high=value)
    value = decimal_of(text)
    return Limit(op, low=value) if op == GE else Limit(op, high=value)


def check_item(item: Item) -> None:
    """Raise SpecError when ``item`` cannot be judged (unknown unit, bad limit)."""
    parse_limit(item.op, item.limit, item.loq)
    if item.basis not in BASES:
        raise SpecError(f"unknown basis {item.basis!r}")
    if item.op != CONFORMS:
        try:
            units.normalise(item.unit)
        except units.UnitError as exc:
            raise SpecError(str(exc)) from exc


# --- reading results --------------------------------------------------------------------
NUMBER, BELOW, NOT_DETECTED, QUALITATIVE = "number", "below", "nd", "qualitative"


@dataclass(frozen=True)
class Measured:
    """A reported value read: a number, an upper bound (``<x``, ND with its LOQ), or words."""

    kind: str
    number: Decimal | None = None  # the value, or the bound for BELOW / NOT_DETECTED
    unit: str = ""
    conforms: bool | None = None  # QUALITATIVE


class ValueUnreadable(ValueError):
    pass


def _split_unit(text: str, default: str) -> str:
    inline = clean_text(text)
    if not inline:
        return default
    both_known = default and units.is_known(default) and units.is_known(inline)
    if both_known and units.normalise(default) != units.normalise(inline):
        raise ValueUnreadable(f"two units: {inline!r} and {default!r}")
    return inline


def _loq(reading: Reading, unit: str) -> tuple[Decimal, str] | None:
    text = clean_text(reading.loq)
    if not text:
        return None
    match = _VALUE.match(text)
    if not match or match["lt"]:
        raise ValueUnreadable(f"LOQ {reading.loq!r} is not a number")
    return Decimal(match["number"]), _split_unit(match["unit"], unit)


def read_value(reading: Reading) -> Measured:
    """What a reported value says (ValueUnreadable if nothing sensible)."""
    text = clean_text(reading.value)
    folded = text.lower()
    if not text:
        raise ValueUnreadable("empty value")
    if folded in _YES_WORDS:
        return Measured(QUALITATIVE, conforms=True)
    if folded in _NO_WORDS:
        return Measured(QUALITATIVE, conforms=False)
    if folded.replace(" ", "") in _ND_WORDS or folded in _ND_WORDS:
        loq = _loq(reading, reading.unit)
        if loq is None:
            return Measured(NOT_DETECTED, unit=reading.unit)
        return Measured(NOT_DETECTED, number=loq[0], unit=loq[1])
    match = _VALUE.match(text)
    if not match:
        raise ValueUnreadable(f"not a result: {reading.value!r}")
    number = Decimal(match["number"])
    if number < 0:
        raise ValueUnreadable("a result cannot be negative")
    unit = _split_unit(match["unit"], reading.unit)
    return Measured(BELOW if match["lt"] else NUMBER, number=number, unit=unit)


# --- judging ----------------------------------------------------------------------------
@dataclass
class ItemJudgement:
    """The verdict on one item, with every number that led to it."""

    item: Item
    reading: Reading | None
    verdict: str
    reason: Reason
    value_converted: Decimal | None = None
    value_rounded: Decimal | None = None
    moisture: Reading | None = None  # the moisture result a dry-basis item was corrected with

    def as_row(self) -> dict:
        """The JSON row of ``daodi quality judge --json``."""
        item = self.item
        return {
            "test_item": item.test_item,
            "value": self.reading.value if self.reading else None,
            "value_converted": plain(self.value_converted),
            "value_rounded": None if self.value_rounded is None else str(self.value_rounded),
            "op": item.op,
            "limit": (clean_text(item.loq) or item.limit) if item.op == ND else item.limit,
            "unit": item.unit,
            "basis": item.basis,
            "verdict": self.verdict,
            "reason": self.reason.both(),
        }


@dataclass
class PanelJudgement:
    """A panel (e.g. the banned pesticides) judged as one line: fails if any analyte does."""

    panel: str
    items: list[ItemJudgement]
    verdict: str
    reason: Reason
    required: bool = True


@dataclass
class SetJudgement:
    """Every applicable item of one specification set judged, and the set's conclusion."""

    items: list[ItemJudgement]
    panels: list[PanelJudgement] = field(default_factory=list)
    conclusion: str = INCOMPLETE
    key: Any = None

    @property
    def lines(self) -> list[ItemJudgement | PanelJudgement]:
        """Single items and panels in the order of the set (a panel where it first appears)."""
        out, seen = [], set()
        panels = {p.panel: p for p in self.panels}
        for judged in self.items:
            name = judged.item.panel
            if not name:
                out.append(judged)
            elif name not in seen:
                seen.add(name)
                out.append(panels[name])
        return out


def _moisture(readings: dict[str, Reading]) -> Reading | None:
    for name in MOISTURE_ITEMS:
        found = readings.get(item_key(name))
        if found is not None:
            return found
    return None


def _moisture_fraction(reading: Reading) -> Decimal:
    measured = read_value(reading)
    if measured.kind != NUMBER:
        raise ValueUnreadable("moisture is not a number")
    percent = units.convert(measured.number, measured.unit or "%", "%")
    if not Decimal(0) <= percent < Decimal(100):
        raise ValueUnreadable("moisture must lie between 0 and 100 %")
    return percent / Decimal(100)


def _not_judged(item, reading, why: Reason, **extra) -> ItemJudgement:
    return ItemJudgement(item, reading, NOT_JUDGED, why, **extra)


def judge_item(item: Item, reading: Reading | None, moisture: Reading | None) -> ItemJudgement:
    """The verdict on one item given its result and the sample's moisture result."""
    if reading is None:
        return _not_judged(item, None, reason(_("No result for this item.")))
    try:
        limit = parse_limit(item.op, item.limit, item.loq)
    except SpecError as exc:
        return _not_judged(
            item,
            reading,
            reason(_("The specification item cannot be judged: %(error)s."), error=exc),
        )
    try:
        measured = read_value(reading)
    except ValueUnreadable:
        return _not_judged(
            item,
            reading,
            reason(_("The result “%(value)s” cannot be read."), value=reading.value),
        )
    if limit.op == CONFORMS:
        if measured.kind != QUALITATIVE:
            return _not_judged(
                item,
                reading,
                reason(_("This item needs “conforms” or “does not conform”, not a number.")),
            )
        if measured.conforms:
            return ItemJudgement(item, reading, PASS, reason(_("Conforms.")))
        return ItemJudgement(item, reading, FAIL, reason(_("Does not conform.")))
    if measured.kind == QUALITATIVE:
        return _not_judged(item, reading, reason(_("This item needs a measured value.")))

    # The number (or the bound) in the item's unit, on the item's basis.
    value = measured.number
    note = Reason()
    used_moisture = None
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        if value is not None:
            try:
                value = units.convert(value, measured.unit or item.unit, item.unit)
            except units.UnitError:
                return _not_judged(
                    item,
                    reading,
                    reason(
                        _("The unit “%(unit)s” does not convert to “%(target)s”."),
                        unit=measured.unit or item.unit,
                        target=item.unit,
                    ),
                )
            if item.basis == DRY:
                if moisture is None:
                    return _not_judged(
                        item,
                        reading,
                        reason(
                            _(
                                "This item is on the dry basis and needs a moisture result "
                                "of the same sample."
                            )
                        ),
                    )
                try:
                    fraction = _moisture_fraction(moisture)
                except (ValueUnreadable, units.UnitError):
                    return _not_judged(
                        item,
                        reading,
                        reason(
                            _("The moisture result “%(value)s” cannot be used."),
                            value=moisture.value,
                        ),
                    )
                value = value / (1 - fraction)
                used_moisture = moisture
                note = reason(
                    _("Dry basis with moisture %(moisture)s %% (result “%(item)s”)."),
                    moisture=plain(fraction * 100),
                    item=moisture.test_item,
                )
    extra = {"value_converted": value, "moisture": used_moisture}
    unit = _unit_text(item.unit)

    if measured.kind == NUMBER:
        rounded = round_to(value, limit.digits)
        extra["value_rounded"] = rounded
        # A converted or dry-basis value can have endless places: three past the limit's.
        shown = {"value": round_to(value, limit.digits + 3), "rounded": str(rounded), "unit": unit}
        if limit.op == ND:
            if rounded < limit.high:
                why = reason(
                    _("%(value)s%(unit)s is below the LOQ %(loq)s%(unit)s: not detected."),
                    loq=str(limit.high),
                    **shown,
                )
                return ItemJudgement(item, reading, PASS, why + note, **extra)
            why = reason(_("Detected: %(rounded)s%(unit)s."), **shown)
            return ItemJudgement(item, reading, FAIL, why + note, **extra)
        ok = {
            LE: lambda: rounded <= limit.high,
            GE: lambda: rounded >= limit.low,
            RANGE: lambda: limit.low <= rounded <= limit.high,
        }[limit.op]()
        text = _limit_text(limit, item.unit)
        if ok:
            why = reason(
                _("%(value)s rounds to %(rounded)s%(unit)s, within %(limit)s."),
                limit=text,
                **shown,
            )
            return ItemJudgement(item, reading, PASS, why + note, **extra)
        why = reason(
            _("%(value)s rounds to %(rounded)s%(unit)s, outside %(limit)s."),
            limit=text,
            **shown,
        )
        return ItemJudgement(item, reading, FAIL, why + note, **extra)

    # An upper bound: ``<x`` or not detected (with the result's or the item's LOQ).
    bound = value
    if bound is None and limit.op == ND:
        bound = limit.high  # no LOQ reported: the lab worked to the item's own LOQ
        extra["value_converted"] = None
    if bound is None:
        return _not_judged(
            item,
            reading,
            reason(_("“Not detected” without its LOQ cannot be compared with a limit.")),
            **extra,
        )
    shown = {"bound": bound, "unit": unit}
    if limit.op == ND:
        if bound <= limit.high:
            why = reason(_("Not detected (LOQ %(bound)s%(unit)s)."), **shown)
            return ItemJudgement(item, reading, PASS, why + note, **extra)
        why = reason(
            _("The method's LOQ %(bound)s%(unit)s does not reach the required %(loq)s%(unit)s."),
            loq=str(limit.high),
            **shown,
        )
        return _not_judged(item, reading, why + note, **extra)
    text = _limit_text(limit, item.unit)
    if limit.op == LE and bound <= limit.high:
        why = reason(_("Below the LOQ %(bound)s%(unit)s, within %(limit)s."), limit=text, **shown)
        return ItemJudgement(item, reading, PASS, why + note, **extra)
    floor = limit.low
    if limit.op in (GE, RANGE) and bound <= floor:
        why = reason(_("Below the LOQ %(bound)s%(unit)s, outside %(limit)s."), limit=text, **shown)
        return ItemJudgement(item, reading, FAIL, why + note, **extra)
    why = reason(
        _("Below the LOQ %(bound)s%(unit)s, which cannot show whether it is within %(limit)s."),
        limit=text,
        **shown,
    )
    return _not_judged(item, reading, why + note, **extra)


def _limit_text(limit: Limit, unit: str) -> str:
    u = _unit_text(unit)
    if limit.op == LE:
        return f"≤ {limit.high}{u}"
    if limit.op == GE:
        return f"≥ {limit.low}{u}"
    return f"{limit.low}–{limit.high}{u}"


def _panel(name: str, judged: list[ItemJudgement]) -> PanelJudgement:
    failed = [j for j in judged if j.verdict == FAIL]
    open_ = [j for j in judged if j.verdict == NOT_JUDGED]
    required = any(j.item.required for j in judged)
    if failed:
        found = "、".join(
            f"{j.item.test_item} {j.value_rounded}{_unit_text(j.item.unit)}" for j in failed
        )
        return PanelJudgement(
            name, judged, FAIL, reason(_("Detected: %(found)s."), found=found), required
        )
    if open_:
        return PanelJudgement(
            name,
            judged,
            NOT_JUDGED,
            reason(
                _("%(open)s of %(count)s analytes not judged."), open=len(open_), count=len(judged)
            ),
            required,
        )
    return PanelJudgement(
        name,
        judged,
        PASS,
        reason(_("None of the %(count)s analytes detected."), count=len(judged)),
        required,
    )


def conclusion_of(lines: Iterable[ItemJudgement | PanelJudgement]) -> str:
    """不符合规定 if anything failed; 未完成 if a required line is not judged; else 符合规定."""
    lines = list(lines)
    if any(line.verdict == FAIL for line in lines):
        return NOT_CONFORM
    for line in lines:
        required = line.required if isinstance(line, PanelJudgement) else line.item.required
        if required and line.verdict == NOT_JUDGED:
            return INCOMPLETE
    return CONFORM


def index_readings(readings: Iterable[Reading]) -> dict[str, Reading]:
    """Readings by test item; ValueError when one item has two results."""
    found: dict[str, Reading] = {}
    for reading in readings:
        key = item_key(reading.test_item)
        if key in found:
            raise ValueError(f"two results for {reading.test_item!r}")
        found[key] = reading
    return found


def judge(items: Sequence[Item], readings: Iterable[Reading], *, key: Any = None) -> SetJudgement:
    """Judge one specification set's applicable items against one sample's results."""
    by_item = index_readings(readings)
    moisture = _moisture(by_item)
    judged = [judge_item(i, by_item.get(item_key(i.test_item)), moisture) for i in items]
    panels: dict[str, list[ItemJudgement]] = {}
    for j in judged:
        if j.item.panel:
            panels.setdefault(j.item.panel, []).append(j)
    result = SetJudgement(judged, [_panel(n, js) for n, js in panels.items()], key=key)
    result.conclusion = conclusion_of(result.lines)
    return result


def overall(conclusions: Iterable[str]) -> str:
    """The conclusion over several sets judged at once: the gravest of theirs."""
    found = set(conclusions)
    if not found:
        return INCOMPLETE
    if NOT_CONFORM in found:
        return NOT_CONFORM
    if INCOMPLETE in found:
        return INCOMPLETE
    return CONFORM


def judge_sets(
    sets: Sequence[tuple[Any, Sequence[Item]]], readings: Sequence[Reading]
) -> tuple[list[SetJudgement], str]:
    """Judge one sample's results against several sets at once; each set keeps its own
    conclusion, and the overall one is the gravest."""
    judged = [judge(items, readings, key=key) for key, items in sets]
    return judged, overall(j.conclusion for j in judged)
