"""Every write of the farm app. Keyword-only, with an actor, one transaction, audited; the
ones that touch a lot capture their EPCIS event in the same transaction (DESIGN §1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from daodi.core import records, refusals, review, texts
from daodi.core.actor import Actor
from daodi.core.errors import DomainError
from daodi.orgs import policy
from daodi.orgs.choices import SiteKind
from daodi.orgs.models import Site
from daodi.trace import usability
from daodi.trace.choices import IN_TRANSIT, LotStatus
from daodi.trace.epcis import profile

from . import events, geo, rules
from .choices import ProcessKind, RecordKind
from .models import BannedPesticide, FarmRecord, Harvest, Plot, Processing, ProcessingLot

PLOT_FIELDS = (
    "holder", "name", "village", "geometry", "area_mu", "herb", "variety", "year_planted",
    "gap_base", "gap_certificate", "is_active",
)  # fmt: skip
RECORD_FIELDS = (
    "plot", "kind", "date", "operator", "seed_lot", "supplier", "supplier_batch", "variety",
    "product", "active_ingredient", "dose", "area_mu", "pre_harvest_interval_days",
    "water_m3", "method", "findings", "photo",
)  # fmt: skip
STEP_OF = {
    RecordKind.SOWING: profile.SOWING,
    RecordKind.TRANSPLANTING: profile.TRANSPLANTING,
    RecordKind.FERTILISER: profile.INPUT_APPLICATION,
    RecordKind.PESTICIDE: profile.INPUT_APPLICATION,
    RecordKind.IRRIGATION: profile.IRRIGATION,
    RecordKind.INSPECTION: profile.FIELD_INSPECTION,
}
PROCESS_STEP = {
    ProcessKind.DRYING: profile.DRYING,
    ProcessKind.FIXING: profile.FIXING,
    ProcessKind.FRESH_CUTTING: profile.FRESH_CUTTING,
}
PLOTS = "plots"  # ILMD field: every plot of a harvest (ILMD_PLOT names the first)
PROCESS_LETTER = {ProcessKind.DRYING: "D", ProcessKind.FIXING: "F", ProcessKind.FRESH_CUTTING: "C"}
# Kinds whose input:output ratio is the herb's fresh:dry ratio (杀青 of 青翘 includes drying).
RATIO_CHECKED = (ProcessKind.DRYING, ProcessKind.FIXING)


def _only(fields: dict, allowed: tuple) -> dict:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise DomainError(
            _("Unknown fields: %s") % ", ".join(sorted(unknown)), code="unknown_field"
        )
    return fields


def _not_future(day: dt.date, field: str) -> None:
    if day > timezone.localdate():
        raise DomainError(
            _("The date lies in the future."),
            code="future_date",
            fields={field: [_("Enter today or an earlier date.")]},
        )


# --- plots ----------------------------------------------------------------------------------
def _site_values(fields: dict) -> dict:
    values = {"name": fields["name"], "division": fields["village"]}
    centre = geo.centre(fields.get("geometry"))
    if centre is not None:
        values["latitude"], values["longitude"] = (Decimal(f"{c:.6f}") for c in centre)
    return values


@transaction.atomic
def create_plot(*, actor: Actor, **fields) -> Plot:
    """Register a plot of a household or co-operative; it gets its own place (site with GLN)."""
    _only(fields, PLOT_FIELDS)
    holder = fields.get("holder")
    policy.require_write(actor, holder)
    # Validate the plot before its site exists, so a refusal names the plot's own fields.
    try:
        Plot(**fields).full_clean(exclude=["site"])
    except ValidationError as exc:
        raise DomainError.from_validation_error(exc) from exc
    site = records.create(
        actor,
        Site,
        organisation=holder,
        kind=SiteKind.PLOT,
        gln=events.new_gln(),
        **_site_values(fields),
    )
    return records.create(actor, Plot, site=site, **fields)


@transaction.atomic
def update_plot(*, actor: Actor, plot: Plot, **fields) -> Plot:
    """Change a plot (its holder stays: a plot changing hands is a new plot)."""
    _only(fields, PLOT_FIELDS)
    policy.require_write(actor, plot.holder)
    if "holder" in fields and fields["holder"] != plot.holder:
        raise DomainError(
            _("A plot keeps its holder; register the new holder's plot instead."),
            code="holder_fixed",
            fields={"holder": [_("This cannot change.")]},
        )
    fields.pop("holder", None)
    plot = records.update(actor, plot, **fields)
    site_values = _site_values({"name": plot.name, "village": plot.village, **fields})
    site_values["is_active"] = plot.is_active
    changed = {k: v for k, v in site_values.items() if getattr(plot.site, k) != v}
    if changed:
        records.update(actor, plot.site, **changed)
    return plot


# --- banned pesticides (reference data) -------------------------------------------------------
@transaction.atomic
def create_banned_pesticide(*, actor: Actor, **fields) -> BannedPesticide:
    """Add a pesticide to the banned list (platform administrators)."""
    policy.require_platform_admin(actor)
    return records.create(actor, BannedPesticide, **fields)


@transaction.atomic
def update_banned_pesticide(
    *, actor: Actor, pesticide: BannedPesticide, **fields
) -> BannedPesticide:
    """Change or deactivate an entry of the banned list (platform administrators)."""
    policy.require_platform_admin(actor)
    return records.update(actor, pesticide, **fields)


def banned_in(*texts: str) -> str | None:
    """The banned pesticide any of ``texts`` names, else None."""
    banned = [(p.name, p.names()) for p in BannedPesticide.objects.filter(is_active=True)]
    return rules.banned_match(texts, banned)


# --- GACP records ---------------------------------------------------------------------------
@refusals.kept({"banned_pesticide"}, about=lambda plot, **_: (plot.holder, plot.name))
@transaction.atomic
def record_activity(*, actor: Actor, plot: Plot, kind: str, date: dt.date, **fields) -> FarmRecord:
    """Record one GACP activity on a plot, with its EPCIS event where it has a step.

    A fertiliser or pesticide that is on the banned list is refused, naming it.
    """
    _only({"plot": plot, "kind": kind, "date": date, **fields}, RECORD_FIELDS)
    policy.require_write(actor, plot.holder)
    _not_future(date, "date")
    if kind in (RecordKind.PESTICIDE, RecordKind.FERTILISER):
        found = banned_in(fields.get("product", ""), fields.get("active_ingredient", ""))
        if found:
            message = _(
                "“%(product)s” contains %(banned)s, which is banned on medicinal herbs; "
                "the use was not recorded."
            ) % {
                "product": fields.get("product") or fields.get("active_ingredient"),
                "banned": found,
            }
            raise DomainError(
                message,
                code="banned_pesticide",
                fields={"product": [message]},
            )
    if fields.get("seed_lot"):  # a lot of ours: known to the store, kept in its one form
        fields["seed_lot"] = _known_lot(fields["seed_lot"], "seed_lot")
    stored = None
    if fields.get("photo") and not isinstance(fields["photo"], str):
        stored = fields["photo"] = store_photo(fields["photo"])
    try:
        return _write_activity(actor, plot, kind, date, fields)
    except BaseException:
        if stored:  # a record refused after its photo was kept leaves no photo behind
            default_storage.delete(stored)
        raise


def _outside(msgid: str, name: str, value, low, high, herb) -> dict | None:
    """The flag (core.texts) for ``value`` outside the herb's plausible ``low``–``high``
    (either may be unset), else None."""
    if not rules.outside(value, low, high):
        return None
    unset = "—"
    return texts.later(
        msgid,
        {name: value, "low": unset if low is None else low, "high": unset if high is None else high,
         "herb": herb},
    )  # fmt: skip


def _known_lot(value: str, field: str) -> str:
    """The canonical identifier of a lot the store knows (a GS1 Digital Link or EPC URN)."""
    from daodi.trace.epcis import identifiers
    from daodi.trace.models import Lot

    try:
        canonical = identifiers.canonical(value.strip())
    except identifiers.IdentifierError:
        canonical = None
    if canonical is None or not Lot.objects.filter(identifier=canonical).exists():
        message = _("No lot %(lot)s is known.") % {"lot": value}
        raise DomainError(message, code="unknown_lot", fields={field: [message]})
    return canonical


def _write_activity(actor: Actor, plot: Plot, kind: str, date: dt.date, fields: dict):
    record = records.create(actor, FarmRecord, plot=plot, kind=kind, date=date, **fields)
    transaction.on_commit(_invalidate_stories)
    step = STEP_OF.get(kind)
    if step is not None:
        place = {"id": events.sgln(plot.gln)}
        event = {
            "type": "ObjectEvent",
            "action": "OBSERVE",
            "eventTime": events.time_text(events.noon(date)),
            "bizStep": step,
            "epcList": [],
            "readPoint": place,
            "bizLocation": place,
            profile.term(profile.ILMD_HERB): plot.herb.code,
        }
        if record.product:
            event[profile.term(profile.ILMD_INPUT_PRODUCT)] = record.product
        if record.dose:
            event[profile.term(profile.ILMD_INPUT_DOSE)] = record.dose
        if record.pre_harvest_interval_days is not None:
            event[profile.term(profile.ILMD_SAFETY_INTERVAL_DAYS)] = (
                record.pre_harvest_interval_days
            )
        record.event = events.capture(actor, plot.holder, event, f"farm-record/{record.pk}")
        record.save(update_fields=["event"])
    return record


def store_photo(upload) -> str:
    """Keep an uploaded photo (JPEG, PNG or WebP, at most 10 MB) and return its name."""
    from PIL import Image, UnidentifiedImageError

    message = _("Upload a photo (JPEG, PNG or WebP) of at most 10 MB.")
    if upload.size > 10 * 1024 * 1024:
        raise DomainError(message, code="bad_photo", fields={"photo": [message]})
    try:
        image = Image.open(upload)
        image.verify()
    except (UnidentifiedImageError, OSError) as exc:
        raise DomainError(message, code="bad_photo", fields={"photo": [message]}) from exc
    if image.format not in ("JPEG", "PNG", "WEBP"):
        raise DomainError(message, code="bad_photo", fields={"photo": [message]})
    upload.seek(0)
    suffix = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[image.format]
    day = timezone.localdate()
    return default_storage.save(f"farm/photos/{day:%Y/%m}/plot.{suffix}", upload)


def _invalidate_stories() -> None:
    from daodi.trace.resolver import story

    story.invalidate()


# --- harvest --------------------------------------------------------------------------------
def _interval_check(plots: Sequence[Plot], day: dt.date) -> None:
    applications = [
        rules.Application(
            reference=_("“%(product)s” on %(plot)s, applied %(date)s")
            % {"product": r.product, "plot": r.plot, "date": r.date.isoformat()},
            applied_on=r.date,
            interval_days=r.pre_harvest_interval_days or 0,
        )
        for r in FarmRecord.objects.filter(
            plot__in=plots, kind=RecordKind.PESTICIDE, date__lte=day
        ).select_related("plot")
    ]
    breach = rules.interval_breach(applications, day)
    if breach is not None:
        message = _(
            "Harvest refused: the pesticide %(application)s has a pre-harvest interval of "
            "%(days)s days; the first allowed harvest date is %(first)s."
        ) % {
            "application": breach.reference,
            "days": breach.interval_days,
            "first": breach.first_allowed.isoformat(),
        }
        raise DomainError(message, code="pre_harvest_interval", fields={"harvested_on": [message]})


def _plots_named(plots, **_) -> tuple:
    plots = list(plots)
    return (plots[0].holder if plots else None), "、".join(p.name for p in plots)


@refusals.kept({"pre_harvest_interval"}, about=_plots_named)
@transaction.atomic
def harvest(
    *,
    actor: Actor,
    plots: Sequence[Plot],
    harvested_on: dt.date,
    fresh_kg: Decimal,
    herb_age_years: int | None = None,
    method: str = "hand",
    grade=None,
) -> Harvest:
    """Record a harvest from one holder's plots of one herb: a new lot (fresh weight) with
    its GS1 lot number and a commissioning event carrying the herb's ILMD.

    Refused inside a pesticide's pre-harvest interval; a yield per 亩 outside the herb's
    plausible range is accepted and flagged for review.
    """
    plots = list(plots)
    if not plots:
        raise DomainError(
            _("Choose the plot or plots harvested."),
            code="validation_failed",
            fields={"plots": [_("This field is required.")]},
        )
    holder, herb = plots[0].holder, plots[0].herb
    if any(p.holder_id != holder.pk for p in plots) or any(p.herb_id != herb.pk for p in plots):
        raise DomainError(
            _("One harvest comes from plots of one holder growing one herb."),
            code="mixed_plots",
            fields={"plots": [_("Choose plots of one holder and herb.")]},
        )
    policy.require_write(actor, holder)
    if any(not p.is_active for p in plots):
        raise DomainError(_("A plot is no longer active."), code="inactive_plot")
    if grade is not None and grade.herb_id != herb.pk:
        raise DomainError(
            _("This grade belongs to another herb."),
            code="validation_failed",
            fields={"grade": [_("This grade belongs to another herb.")]},
        )
    fresh_kg = Decimal(fresh_kg)
    if fresh_kg <= 0:
        raise DomainError(
            _("Enter the fresh weight."),
            code="validation_failed",
            fields={"fresh_kg": [_("Must be more than zero.")]},
        )
    _not_future(harvested_on, "harvested_on")
    _interval_check(plots, harvested_on)

    area = sum((p.area_mu for p in plots), Decimal(0))
    per_mu = rules.per_mu(fresh_kg, area)
    flag = _outside(
        gettext_noop(
            "Yield %(yield)s kg/亩 lies outside the plausible %(low)s–%(high)s kg/亩 for %(herb)s."
        ),
        "yield",
        per_mu,
        herb.yield_min_kg_per_mu,
        herb.yield_max_kg_per_mu,
        herb,
    )
    if flag is None and herb.yield_max_kg_per_mu is not None:
        # A crop harvested in parts is judged whole: this year's harvests of these plots.
        earlier = Harvest.objects.filter(
            plots__in=plots, harvested_on__year=harvested_on.year
        ).distinct()
        if earlier:
            season = {p.pk: p.area_mu for p in plots}
            for other in Plot.objects.filter(harvests__in=earlier).distinct():
                season[other.pk] = other.area_mu
            total = fresh_kg + sum((h.fresh_kg for h in earlier), Decimal(0))
            season_per_mu = rules.per_mu(total, sum(season.values(), Decimal(0)))
            if rules.outside(season_per_mu, None, herb.yield_max_kg_per_mu):
                flag = texts.later(
                    gettext_noop(
                        "This year's harvests of these plots come to %(yield)s kg/亩, above the "
                        "plausible %(high)s kg/亩 for %(herb)s."
                    ),
                    {"yield": season_per_mu, "high": herb.yield_max_kg_per_mu, "herb": herb},
                )
    if herb_age_years is None and plots[0].year_planted:
        herb_age_years = max(harvested_on.year - plots[0].year_planted, 0)

    gtin = events.lot_gtin(herb, grade)
    lot = events.lot_uri(gtin, events.new_batch(gtin, "H", harvested_on))
    first = plots[0]
    place = {"id": events.sgln(first.gln)}
    ilmd = {
        profile.term(profile.ILMD_HERB): herb.code,
        profile.term(profile.ILMD_PLOT): events.sgln(first.gln),
        profile.term(profile.ILMD_HARVEST_DATE): harvested_on.isoformat(),
        profile.term(profile.ILMD_FRESH_WEIGHT): float(fresh_kg),
        profile.term(profile.ILMD_ORIGIN): first.village.code,
    }
    # Every plot, also when there is one: the consumer page looks for farm records only
    # where a harvest names its plots this way (see story.py).
    ilmd[profile.term(PLOTS)] = [events.sgln(p.gln) for p in plots]
    if herb_age_years is not None:
        ilmd[profile.term(profile.ILMD_HERB_AGE)] = herb_age_years
    if grade is not None:
        ilmd[profile.term(profile.ILMD_GRADE)] = grade.label
    common = None
    for p in plots:
        names = {gi.name for gi in p.indications()}
        common = names if common is None else common & names
    if common:
        ilmd[profile.term(profile.ILMD_GI_CLAIM)] = sorted(common)[0]
    event = events.capture(
        actor,
        holder,
        {
            "type": "ObjectEvent",
            "action": "ADD",
            "eventTime": events.time_text(events.noon(harvested_on)),
            "bizStep": profile.HARVESTING,
            "disposition": "active",
            "epcList": [],
            "quantityList": [{"epcClass": lot, **events.kg(fresh_kg)}],
            "readPoint": place,
            "bizLocation": place,
            "ilmd": ilmd,
        },
        "harvest",
    )
    return records.create(
        actor,
        Harvest,
        m2m={"plots": plots},
        holder=holder,
        herb=herb,
        grade=grade,
        harvested_on=harvested_on,
        fresh_kg=fresh_kg,
        herb_age_years=herb_age_years,
        method=method,
        lot=lot,
        yield_kg_per_mu=per_mu,
        flagged=bool(flag),
        flag=flag,
        event=event,
    )


# --- primary processing ----------------------------------------------------------------------
def input_lots(
    identifiers_and_kg: Sequence[tuple[str, Decimal]], *, field: str = "inputs", doing=None
):
    """The lots named as inputs, checked: known, active, one holder, enough left; when
    ``doing`` (a ``trace.usability`` verb) also neither held, failed nor recalled, itself
    or through a lot it was made from."""
    from daodi.trace.models import Lot

    if not identifiers_and_kg:
        raise DomainError(
            _("Name at least one input lot."),
            code="validation_failed",
            fields={field: [_("This field is required.")]},
        )
    found = {
        lot.identifier: lot
        for lot in Lot.objects.filter(
            identifier__in=[i for i, _kg in identifiers_and_kg]
        ).select_related("holder", "herb", "grade")
    }
    lots = []
    for identifier, weight in identifiers_and_kg:
        lot = found.get(identifier)
        if lot is None:
            raise DomainError(
                _("No lot %(lot)s is known.") % {"lot": identifier},
                code="unknown_lot",
                fields={field: [_("No lot %(lot)s is known.") % {"lot": identifier}]},
            )
        if doing is not None:
            usability.ensure_usable([lot], doing=doing, field=field)
        if lot.status != LotStatus.ACTIVE:
            raise DomainError(
                _("Lot %(lot)s is %(status)s and cannot be used.")
                % {"lot": lot.batch or identifier, "status": lot.get_status_display()},
                code="lot_not_active",
                fields={field: [_("Not an active lot.")]},
            )
        if lot.disposition == IN_TRANSIT:
            raise DomainError(
                _("Lot %(lot)s is in transit; it can be used once it has been received.")
                % {"lot": lot.batch or identifier},
                code="lot_in_transit",
                fields={field: [_("In transit.")]},
            )
        weight = Decimal(weight)
        if weight <= 0 or (lot.quantity is not None and weight > lot.quantity):
            raise DomainError(
                _("Lot %(lot)s holds %(left)s kg; %(asked)s kg cannot be taken from it.")
                % {"lot": lot.batch or identifier, "left": lot.quantity, "asked": weight},
                code="more_than_lot",
                fields={field: [_("More than the lot holds.")]},
            )
        lots.append((lot, weight))
    holders = {lot.holder_id for lot, _w in lots}
    herbs = {lot.herb_id for lot, _w in lots}
    if len(holders) != 1 or len(herbs) != 1:
        raise DomainError(
            _("The input lots must be of one herb and held by one organisation."),
            code="mixed_lots",
            fields={field: [_("Mixed holders or herbs.")]},
        )
    return lots


@transaction.atomic
def process(
    *,
    actor: Actor,
    kind: str,
    inputs: Sequence[tuple[str, Decimal]],
    output_kg: Decimal,
    started_at: dt.datetime,
    finished_at: dt.datetime,
    grade=None,
    site: Site | None = None,
    method: str = "",
    temperature_c: Decimal | None = None,
    hours: Decimal | None = None,
    sensor_readings: list | None = None,
    no_sulphur: bool = False,
    no_dye: bool = False,
    no_weighting: bool = False,
) -> Processing:
    """Primary processing (drying, 杀青, cutting while fresh) as a transformation: the input
    lots (with weights) become one output lot. A ratio outside the herb's plausible fresh:dry
    range is accepted and flagged; an output heavier than its inputs is refused."""
    lots = input_lots(inputs, doing=usability.PROCESS)
    holder = lots[0][0].holder
    herb = lots[0][0].herb
    policy.require_write(actor, holder)
    if herb is None:
        raise DomainError(_("The input lots name no herb."), code="no_herb")
    output_kg = Decimal(output_kg)
    input_kg = sum((w for _lot, w in lots), Decimal(0))
    if output_kg <= 0 or output_kg > input_kg:
        raise DomainError(
            _(
                "The output (%(out)s kg) must be more than zero and no more than the input "
                "(%(in)s kg)."
            )
            % {"out": output_kg, "in": input_kg},
            code="output_exceeds_input",
            fields={"output_kg": [_("No more than the input.")]},
        )
    if finished_at < started_at:
        raise DomainError(
            _("The run cannot finish before it starts."),
            code="validation_failed",
            fields={"finished_at": [_("Later than the start.")]},
        )
    if grade is not None and grade.herb_id != herb.pk:
        raise DomainError(
            _("This grade belongs to another herb."),
            code="validation_failed",
            fields={"grade": [_("This grade belongs to another herb.")]},
        )
    ratio = rules.ratio(input_kg, output_kg)
    flag = None
    if kind in RATIO_CHECKED:
        flag = _outside(
            gettext_noop(
                "Fresh:dry ratio %(ratio)s lies outside the plausible %(low)s–%(high)s for "
                "%(herb)s."
            ),
            "ratio",
            ratio,
            herb.dry_ratio_min,
            herb.dry_ratio_max,
            herb,
        )
    site = site or events.node_site(actor, holder)
    if site.organisation_id != holder.pk:
        raise DomainError(
            _("Processing happens at a place of the lots' holder."),
            code="validation_failed",
            fields={"site": [_("Choose a place of the holder.")]},
        )
    gtin = events.lot_gtin(herb, grade)
    output = events.lot_uri(
        gtin,
        events.new_batch(gtin, PROCESS_LETTER[kind], timezone.localdate(finished_at)),
    )
    place = {"id": events.sgln(site.gln)}
    ilmd = {
        profile.term(profile.ILMD_HERB): herb.code,
        profile.term(profile.ILMD_FRESH_WEIGHT): float(input_kg),
        profile.term(profile.ILMD_DRY_WEIGHT): float(output_kg),
        profile.term("noSulphurFumigation"): bool(no_sulphur),
        profile.term("noDyeing"): bool(no_dye),
        profile.term("noWeighting"): bool(no_weighting),
    }
    if grade is not None:
        ilmd[profile.term(profile.ILMD_GRADE)] = grade.label
    event = {
        "type": "TransformationEvent",
        "eventTime": events.time_text(finished_at),
        "bizStep": PROCESS_STEP[kind],
        "disposition": "active",
        "inputQuantityList": [{"epcClass": lot.identifier, **events.kg(w)} for lot, w in lots],
        "outputQuantityList": [{"epcClass": output, **events.kg(output_kg)}],
        "readPoint": place,
        "bizLocation": place,
        "ilmd": ilmd,
    }
    readings = parse_readings(sensor_readings)
    if readings:
        event["sensorElementList"] = [_sensor_element(r) for r in readings]
    stored = events.capture(actor, holder, event, "processing")
    run = records.create(
        actor,
        Processing,
        kind=kind,
        holder=holder,
        site=site,
        herb=herb,
        grade=grade,
        started_at=started_at,
        finished_at=finished_at,
        method=method,
        temperature_c=temperature_c,
        hours=hours,
        sensor_readings=readings,
        input_kg=input_kg,
        output_kg=output_kg,
        ratio=ratio,
        no_sulphur=no_sulphur,
        no_dye=no_dye,
        no_weighting=no_weighting,
        flagged=bool(flag),
        flag=flag,
        event=stored,
    )
    ProcessingLot.objects.bulk_create(
        [ProcessingLot(processing=run, lot=lot.identifier, kg=w) for lot, w in lots]
        + [ProcessingLot(processing=run, is_output=True, lot=output, kg=output_kg)]
    )
    return run


def _sensor_element(reading: dict) -> dict:
    """One sensor reading ({"time", "temperature", "humidity"}) as an EPCIS sensor element."""
    reports = []
    if reading.get("temperature") is not None:
        reports.append(
            {"type": "Temperature", "value": float(reading["temperature"]), "uom": "CEL"}
        )
    if reading.get("humidity") is not None:
        reports.append(
            {"type": "RelativeHumidity", "value": float(reading["humidity"]), "uom": "P1"}
        )
    return {"sensorMetadata": {"time": reading["time"]}, "sensorReport": reports}


def parse_readings(readings) -> list[dict]:
    """Sensor readings as given (JSON list), checked: each a time and a number or two."""
    if readings in (None, ""):
        return []
    problem = _('Give readings as a list of {"time", "temperature", "humidity"}.')
    if not isinstance(readings, list):
        raise DomainError(problem, code="validation_failed", fields={"sensor_readings": [problem]})
    out = []
    for r in readings:
        try:
            when = dt.datetime.fromisoformat(str(r["time"]))
            if when.tzinfo is None:
                when = timezone.make_aware(when)
            temp = r.get("temperature")
            hum = r.get("humidity")
            if temp is None and hum is None:
                raise ValueError
            out.append(
                {
                    "time": when.isoformat(),
                    "temperature": None if temp is None else float(temp),
                    "humidity": None if hum is None else float(hum),
                }
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DomainError(
                problem, code="validation_failed", fields={"sensor_readings": [problem]}
            ) from exc
    return out


# --- reviews of flags -------------------------------------------------------------------------
def review_harvest(*, actor: Actor, harvest: Harvest, note: str) -> Harvest:
    """Say what the review of a flagged harvest (its yield) found (core.review)."""
    return review.review(actor, harvest, harvest.holder, note)


def review_processing(*, actor: Actor, run: Processing, note: str) -> Processing:
    """Say what the review of a flagged processing run (its ratio) found (core.review)."""
    return review.review(actor, run, run.holder, note)
