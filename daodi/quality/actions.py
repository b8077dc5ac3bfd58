"""Every write of the quality app. Keyword-only, with an actor, one transaction, audited.

Sampling and judgement reach the lot through EPCIS events captured by the trace app's
``capture_event``: a ``sampling`` event when a sample is taken, an ``inspecting`` event
when a reviewer approves an order's results — disposition ``conformant`` (releasing a
hold) or ``non_conformant`` (holding the lot), the certificate's verification link in
``certificationInfo``. The web pages, the REST API and the ``daodi quality`` command all
call these functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from daodi.core import audit, records
from daodi.core.actor import Actor
from daodi.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from daodi.orgs import policy
from daodi.orgs.choices import OrgKind
from daodi.orgs.models import Organisation
from daodi.trace import actions as trace_actions
from daodi.trace.choices import LotStatus
from daodi.trace.epcis.profile import NAMESPACE
from daodi.trace.models import Event, Lot
from daodi.trace.resolver import story

from . import coa, documents, judgement, queries, specfile, starter
from .choices import (
    Audience,
    Authority,
    Conclusion,
    NotificationKind,
    OrderStatus,
    ResultStatus,
    SpecStatus,
)
from .files import FileError, FileRejected
from .instrument import read as read_instrument
from .models import (
    Certificate,
    ColumnMapping,
    Notification,
    Result,
    Sample,
    SpecItem,
    SpecSet,
    TestOrder,
)

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
SET_FIELDS = ("code", "name", "authority", "edition", "description")
ITEM_FIELDS = (
    "herb",
    "variant",
    "product_form",
    "test_item",
    "panel",
    "op",
    "limit",
    "unit",
    "basis",
    "loq",
    "method",
    "required",
    "source",
    "confidence",
    "verified_by",
    "verified_at",
    "note",
    "sort_order",
)
RESULT_FIELDS = ("value", "unit", "lod", "loq", "method", "instrument", "tested_on")
MAPPING_FIELDS = (
    "name",
    "test_item",
    "value",
    "unit",
    "loq",
    "lod",
    "method",
    "instrument",
    "tested_on",
    "delimiter",
    "skip_rows",
    "is_active",
)
STARTER_SETS = {
    ("chp", starter.CHP_EDITION): ("starter-chp-2020", "中国药典 2020 起始表"),
    ("food", starter.FOOD_EDITION): ("starter-food-2023", "药食同源 2023 起始表"),
}


def _only(fields: dict, allowed: tuple) -> dict:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise DomainError(
            _("Unknown fields: %s") % ", ".join(sorted(unknown)), code="unknown_field"
        )
    return fields


def _required(value: str, field: str) -> str:
    if not (value or "").strip():
        raise DomainError(
            _("Give the reason."),
            code="reason_required",
            fields={field: [_("This field is required.")]},
        )
    return value.strip()


def _next_number(model, field: str, prefix: str) -> str:
    """The next running number of the year, e.g. COA2026-000042."""
    year = timezone.localdate().year
    start = f"{prefix}{year}-"
    taken = model.objects.filter(**{f"{field}__startswith": start}).count()
    number = taken + 1
    while model.objects.filter(**{field: f"{start}{number:06d}"}).exists():
        number += 1
    return f"{start}{number:06d}"


# --- specification sets -----------------------------------------------------------------
def _require_set_write(actor: Actor, organisation) -> None:
    if organisation is None:
        policy.require_platform_admin(actor)
    else:
        policy.require_write(actor, organisation)


def _require_draft(spec_set: SpecSet) -> None:
    if spec_set.status != SpecStatus.DRAFT:
        raise DomainError(
            _("An approved or retired set is never changed: draft a new version of it."),
            code="set_not_draft",
        )


def _set_code(authority: str, edition: str, organisation) -> str:
    base = slugify(f"{authority}-{edition}") or authority
    if organisation is not None:
        base = f"{slugify(organisation.code) or organisation.pk}-{base}"
    return base[:80]


@transaction.atomic
def create_spec_set(
    *, actor: Actor, organisation=None, items: Iterable[dict] = (), **fields
) -> SpecSet:
    """Draft a new specification set (version 1), optionally with its items."""
    _only(fields, SET_FIELDS)
    _require_set_write(actor, organisation)
    code = fields.pop("code", "") or _set_code(
        fields.get("authority", ""), fields.get("edition", ""), organisation
    )
    if SpecSet.objects.filter(code=code).exists():
        raise Conflict(
            _("A set with the code %(code)s exists: draft a new version of it instead.")
            % {"code": code},
            code="code_taken",
            fields={"code": [_("This code is taken.")]},
        )
    spec_set = records.create(
        actor,
        SpecSet,
        code=code,
        organisation=organisation,
        status=SpecStatus.DRAFT,
        created_by=actor.user,
        **fields,
    )
    for order, item in enumerate(items, 1):
        _add_item(actor, spec_set, {"sort_order": order, **item})
    return spec_set


@transaction.atomic
def update_spec_set(*, actor: Actor, spec_set: SpecSet, **fields) -> SpecSet:
    """Change a draft set's name, edition, authority or description (its code stays)."""
    _only(fields, SET_FIELDS)
    _require_set_write(actor, spec_set.organisation)
    _require_draft(spec_set)
    fields.pop("code", None)
    return records.update(actor, spec_set, **fields)


@transaction.atomic
def approve_spec_set(*, actor: Actor, spec_set: SpecSet) -> SpecSet:
    """Approve a draft for use; the version it replaces is retired."""
    _require_set_write(actor, spec_set.organisation)
    _require_draft(spec_set)
    if not spec_set.items.exists():
        raise DomainError(_("A set without items cannot be approved."), code="set_empty")
    for older in SpecSet.objects.filter(code=spec_set.code, status=SpecStatus.APPROVED):
        records.update(actor, older, status=SpecStatus.RETIRED)
    return records.update(
        actor,
        spec_set,
        status=SpecStatus.APPROVED,
        approved_by=actor.user,
        approved_at=timezone.now(),
    )


@transaction.atomic
def new_spec_version(*, actor: Actor, spec_set: SpecSet) -> SpecSet:
    """Draft the next version of an approved set, items copied, to change and approve."""
    _require_set_write(actor, spec_set.organisation)
    latest = SpecSet.objects.filter(code=spec_set.code).order_by("-version").first()
    if latest.status == SpecStatus.DRAFT:
        raise DomainError(
            _("Version %(version)s of this set is still a draft: change that one.")
            % {"version": latest.version},
            code="draft_exists",
        )
    draft = records.create(
        actor,
        SpecSet,
        code=spec_set.code,
        version=latest.version + 1,
        name=spec_set.name,
        authority=spec_set.authority,
        edition=spec_set.edition,
        description=spec_set.description,
        organisation=spec_set.organisation,
        supersedes=latest,
        status=SpecStatus.DRAFT,
        created_by=actor.user,
    )
    for item in spec_set.items.order_by("sort_order", "id"):
        _add_item(actor, draft, {name: getattr(item, name) for name in ITEM_FIELDS})
    return draft


def _add_item(actor: Actor, spec_set: SpecSet, fields: dict) -> SpecItem:
    _only(fields, ITEM_FIELDS)
    return records.create(actor, SpecItem, spec_set=spec_set, **fields)


@transaction.atomic
def create_spec_item(*, actor: Actor, spec_set: SpecSet, **fields) -> SpecItem:
    """Add an item to a draft set."""
    _require_set_write(actor, spec_set.organisation)
    _require_draft(spec_set)
    fields.setdefault("sort_order", spec_set.items.count() + 1)
    return _add_item(actor, spec_set, fields)


@transaction.atomic
def update_spec_item(*, actor: Actor, item: SpecItem, **fields) -> SpecItem:
    """Change an item of a draft set (the audit trail keeps the old values)."""
    fields.pop("spec_set", None)
    _only(fields, ITEM_FIELDS)
    _require_set_write(actor, item.spec_set.organisation)
    _require_draft(item.spec_set)
    return records.update(actor, item, **fields)


@transaction.atomic
def verify_spec_item(*, actor: Actor, item: SpecItem) -> SpecItem:
    """Record that the actor checked the item against the printed standard (no longer 待核对)."""
    _require_set_write(actor, item.spec_set.organisation)
    _require_draft(item.spec_set)
    if actor.is_system:
        raise PermissionDenied(_("Only a person can verify a specification item."))
    name = person(actor.user)
    return records.update(actor, item, verified_by=name[:80], verified_at=timezone.localdate())


def _same_items(spec_set: SpecSet, rows: list[specfile.SpecRow]) -> bool:
    mine = sorted(tuple(sorted(r.fields().items())) for r in queries.spec_rows(spec_set))
    theirs = sorted(tuple(sorted(r.fields().items())) for r in rows)
    return mine == theirs


@transaction.atomic
def import_spec_file(
    *, actor: Actor, data: bytes, filename: str = "", organisation=None, name: str = ""
) -> list[tuple[SpecSet, str]]:
    """Import a CSV or XLSX specification file: one draft set per authority and edition.

    A set whose latest version already holds exactly these items is left alone
    ("unchanged"); a latest draft has its items replaced ("updated"); an approved latest
    version gets a new draft version ("created"). Any error rejects the whole file.
    """
    _require_set_write(actor, organisation)
    try:
        rows = specfile.read(data, filename)
    except FileRejected as exc:
        raise _file_error(exc) from exc
    groups: dict[tuple[str, str], list[specfile.SpecRow]] = {}
    for row in rows:
        groups.setdefault(row.set_key, []).append(row)
    outcome = []
    for (authority, edition), group in groups.items():
        code, default_name = _import_names(authority, edition, organisation)
        latest = SpecSet.objects.filter(code=code).order_by("-version").first()
        if latest is not None:
            _require_set_write(actor, latest.organisation)
        if latest is not None and _same_items(latest, group):
            outcome.append((latest, "unchanged"))
            continue
        if latest is not None and latest.status == SpecStatus.DRAFT:
            for item in latest.items.all():
                audit.record(actor, "specitem.delete", item, {"test_item": [item.test_item, None]})
            latest.items.all().delete()
            target, state = latest, "updated"
        elif latest is not None:
            target = new_spec_version(actor=actor, spec_set=latest)
            target.items.all().delete()  # replaced by the file's items just below
            state = "created"
        else:
            target = create_spec_set(
                actor=actor,
                organisation=organisation,
                code=code,
                name=name or default_name,
                authority=authority,
                edition=edition,
            )
            state = "created"
        for order, row in enumerate(group, 1):
            _add_item(actor, target, {**row.fields(), "sort_order": order})
        outcome.append((target, state))
    return outcome


def _import_names(authority: str, edition: str, organisation) -> tuple[str, str]:
    if organisation is None and (authority, edition) in STARTER_SETS:
        return STARTER_SETS[(authority, edition)]
    with translation.override(settings.LANGUAGE_CODE):
        label = str(Authority(authority).label)
    return _set_code(authority, edition, organisation), f"{label} {edition}"[:120]


def _file_error(exc: FileRejected) -> DomainError:
    messages = [str(e) for e in exc.errors]
    return DomainError(
        _("The file was not imported: %(count)s problem(s). Nothing was changed.")
        % {"count": len(messages)},
        code="bad_file",
        fields={"file": messages},
    )


@transaction.atomic
def load_starter(*, actor: Actor) -> list[tuple[SpecSet, str]]:
    """Load the shipped starter table (``data/starter_specs.csv``) as the platform's draft
    sets; a second load changes nothing."""
    policy.require_platform_admin(actor)
    return import_spec_file(actor=actor, data=starter.DATA.read_bytes(), filename=starter.DATA.name)


# --- samples and orders -----------------------------------------------------------------
def _readable_lot(actor: Actor, lot: Lot) -> bool:
    if actor.is_system:
        return True
    return policy.scope(Lot.objects.filter(pk=lot.pk), actor.user).exists()


def _sampling_org(actor: Actor, lot: Lot, organisation=None) -> Organisation:
    """Who takes the sample: the lot's holder side (or its managers), or a lab."""
    if organisation is not None:
        policy.require_write(actor, organisation)
        holder_side = lot.holder_id and lot.holder.path.startswith(organisation.path)
        if not holder_side and organisation.kind != OrgKind.LAB:
            raise DomainError(
                _("Samples are taken by the lot's holder (or who manages it) or by a lab."),
                code="not_sampler",
                fields={"organisation": [_("Choose the holder or a lab.")]},
            )
        return organisation
    if actor.is_system:
        if lot.holder_id is None:
            raise DomainError(_("This lot has no holder."), code="no_holder")
        return lot.holder
    if lot.holder_id:
        writable = Organisation.objects.filter(policy.org_q(actor.user, write=True))
        for org in writable.order_by("path"):
            if lot.holder.path.startswith(org.path):
                return org
    lab = queries.labs(actor.user).order_by("id").first()
    if lab is not None:
        return lab
    if not _readable_lot(actor, lot):
        raise NotFound(_("No lot or item with this identifier is known."))
    raise PermissionDenied(
        _("Only the lot's holder, the organisations managing it or a lab may take samples."),
        code="not_sampler",
    )


def _event_time(when: dt.datetime) -> tuple[str, str]:
    stamp = timezone.localtime(when).isoformat(timespec="milliseconds")
    offset = stamp[-6:] if stamp[-6] in "+-" else "+00:00"
    return stamp, offset


def _names(lot: Lot) -> dict:
    """How an event names a lot: a serialised item in epcList, a lot as a quantity class.
    Without a quantity, so the projection changes neither the lot's amount nor its unit."""
    if lot.serial or not lot.batch:
        return {"epcList": [lot.identifier]}
    return {"epcList": [], "quantityList": [{"epcClass": lot.identifier}]}


def _capture(actor: Actor, organisation, event: dict) -> Event:
    outcome = trace_actions.capture_event(actor=actor, event=event, organisation=organisation)
    if outcome.errors:  # our own event: a refusal is a bug here, never the user's input
        raise RuntimeError(f"quality event refused: {outcome.errors}")
    return Event.objects.filter(capture=outcome.capture).order_by("-id").first()


def _place(organisation) -> dict:
    site = organisation.sites.exclude(gln__isnull=True).exclude(gln="").order_by("id").first()
    return {"readPoint": {"id": site.sgln}} if site is not None else {}


@transaction.atomic
def take_sample(
    *,
    actor: Actor,
    lot: Lot,
    quantity: Decimal,
    unit: str = "g",
    taken_at: dt.datetime | None = None,
    sampler: str = "",
    herb=None,
    variant: str | None = None,
    product_form: str = "crude",
    note: str = "",
    organisation=None,
    lab=None,
    spec_sets=(),
) -> Sample:
    """Take a sample from a lot: the ``sampling`` event, the sample record and, with a
    lab and sets, its test order."""
    if lot.status in (LotStatus.CONSUMED, LotStatus.DESTROYED):
        raise DomainError(
            _("This lot is %(status)s: nothing is left to sample.")
            % {"status": LotStatus(lot.status).label},
            code="lot_gone",
        )
    org = _sampling_org(actor, lot, organisation)
    taken_at = taken_at or timezone.now()
    code = _next_number(Sample, "code", "S")
    sample = Sample(
        code=code,
        lot=lot,
        organisation=org,
        herb=herb or lot.herb,
        variant=lot.grade.specification if variant is None and lot.grade_id else (variant or ""),
        product_form=product_form,
        quantity=quantity,
        unit=unit,
        taken_at=taken_at,
        sampler=sampler,
        note=note,
    )
    sample.taken_by = actor.user
    try:
        sample.full_clean(exclude=["event"])  # before the event: bad input captures nothing
    except ValidationError as exc:
        raise DomainError.from_validation_error(exc) from exc
    stamp, offset = _event_time(taken_at)
    event = _capture(
        actor,
        org,
        {
            "@context": [EPCIS_CONTEXT, {"daodi": NAMESPACE}],
            "type": "ObjectEvent",
            "eventTime": stamp,
            "eventTimeZoneOffset": offset,
            "action": "OBSERVE",
            "bizStep": "sampling",
            **_names(lot),
            **_place(org),
            "daodi:sampleCode": code,
            "daodi:sampleQuantity": f"{quantity.normalize():f}"
            if isinstance(quantity, Decimal)
            else str(quantity),
            "daodi:sampleUnit": unit,
        },
    )
    fields = {f.attname: getattr(sample, f.attname) for f in Sample._meta.concrete_fields}
    fields.pop("id")
    fields.pop("created_at")
    fields["event_id"] = event.pk
    sample = records.create(actor, Sample, **fields)
    if lab is not None:
        create_order(actor=actor, sample=sample, lab=lab, spec_sets=spec_sets)
    return sample


@transaction.atomic
def create_order(*, actor: Actor, sample: Sample, lab, spec_sets, note: str = "") -> TestOrder:
    """Send a sample to a lab, to be judged against one or more approved sets."""
    if lab is None or lab.kind != OrgKind.LAB:
        raise DomainError(
            _("Test orders go to a testing lab."),
            code="not_a_lab",
            fields={"lab": [_("Choose a lab.")]},
        )
    if not actor.is_system:
        if not queries.samples(actor.user).filter(pk=sample.pk).exists():
            raise NotFound()
        may = policy.can_write_org(actor.user, sample.organisation) or policy.can_write_org(
            actor.user, lab
        )
        if not may:
            raise PermissionDenied()
    spec_sets = list(spec_sets)
    if not spec_sets:
        raise DomainError(
            _("Choose at least one specification set."),
            code="no_spec_sets",
            fields={"spec_sets": [_("This field is required.")]},
        )
    key = queries.sample_key(sample)
    for spec_set in spec_sets:
        if spec_set.status != SpecStatus.APPROVED:
            raise DomainError(
                _("%(set)s is not approved: only approved sets are used for testing.")
                % {"set": spec_set},
                code="set_not_approved",
                fields={"spec_sets": [_("Choose approved sets.")]},
            )
        if not queries.applicable_items(spec_set, *key):
            raise DomainError(
                _("%(set)s has no items for %(herb)s %(variant)s (%(form)s).")
                % {"set": spec_set, "herb": key[0] or "—", "variant": key[1], "form": key[2]},
                code="set_not_applicable",
                fields={"spec_sets": [_("Choose a set that covers this herb.")]},
            )
    return records.create(
        actor,
        TestOrder,
        m2m={"spec_sets": spec_sets},
        reference=_next_number(TestOrder, "reference", "QO"),
        sample=sample,
        lab=lab,
        note=note,
        requested_by=actor.user,
    )


# --- results ----------------------------------------------------------------------------
def _require_lab(actor: Actor, order: TestOrder) -> None:
    if actor.is_system:
        return
    if not queries.orders(actor.user).filter(pk=order.pk).exists():
        raise NotFound()
    if not policy.can_write_org(actor.user, order.lab):
        raise PermissionDenied(_("Only the lab the order went to enters and reviews its results."))


def _method_of(order: TestOrder, test_item: str) -> str:
    key = judgement.item_key(test_item)
    for _set, items in queries.order_items(order):
        for item in items:
            if judgement.item_key(item.test_item) == key and item.method:
                return item.method
    return ""


@transaction.atomic
def enter_result(*, actor: Actor, order: TestOrder, test_item: str, value: str, **fields) -> Result:
    """The analyst enters one item's result (as reported); one current result per item."""
    _only(fields, RESULT_FIELDS + ("source",))
    _require_lab(actor, order)
    order = TestOrder.objects.select_for_update().get(pk=order.pk)  # its status now
    if order.status == OrderStatus.APPROVED:
        raise DomainError(
            _("The order's results are approved: a change is a retest, with its reason."),
            code="order_approved",
        )
    expected = {judgement.item_key(n): n for n in queries.expected_items(order)}
    key = judgement.item_key(test_item)
    if key not in expected:
        raise DomainError(
            _("“%(item)s” is not an item of this order's specifications.") % {"item": test_item},
            code="unknown_item",
            fields={"test_item": [_("Choose an item of the order.")]},
        )
    if any(judgement.item_key(r.test_item) == key for r in queries.current_results(order)):
        raise Conflict(
            _("“%(item)s” has a result already: correct it or record a retest.")
            % {"item": expected[key]},
            code="result_exists",
            fields={"test_item": [_("This item has a result.")]},
        )
    fields.setdefault("method", "")
    fields["method"] = fields["method"] or _method_of(order, test_item)
    result = records.create(
        actor,
        Result,
        order=order,
        test_item=expected[key],
        value=judgement.clean_text(value),
        analyst=actor.user,
        status=ResultStatus.ENTERED,
        **fields,
    )
    if order.status == OrderStatus.OPEN:
        records.update(actor, order, status=OrderStatus.TESTING)
    return result


@transaction.atomic
def correct_result(*, actor: Actor, result: Result, reason: str = "", **fields) -> Result:
    """Correct a result before it is approved; the audit trail keeps the old value."""
    _only(fields, RESULT_FIELDS)
    _require_lab(actor, result.order)
    reason = _required(reason, "reason")
    result = Result.objects.select_for_update().get(pk=result.pk)
    if result.status != ResultStatus.ENTERED:
        raise DomainError(
            _("Approved results are not corrected: record a retest with its reason."),
            code="result_approved",
        )
    if "value" in fields:
        fields["value"] = judgement.clean_text(fields["value"])
    return records.update(
        actor, result, correction_reason=reason[:200], analyst=actor.user, **fields
    )


@transaction.atomic
def retest_result(
    *, actor: Actor, result: Result, value: str, reason: str = "", **fields
) -> Result:
    """Record a retest: a new result that supersedes ``result``; the order goes back to
    review (an approved order's certificate stands until the new one is issued)."""
    _only(fields, RESULT_FIELDS)
    _require_lab(actor, result.order)
    reason = _required(reason, "reason")
    result = Result.objects.select_for_update().get(pk=result.pk)
    order = TestOrder.objects.select_for_update().get(pk=result.order_id)
    if result.status == ResultStatus.SUPERSEDED:
        raise DomainError(
            _("This result was superseded already: retest the current one."), code="superseded"
        )
    for name in ("unit", "lod", "loq", "method", "instrument"):
        fields.setdefault(name, getattr(result, name))
    retest = records.create(
        actor,
        Result,
        order=order,
        test_item=result.test_item,
        value=judgement.clean_text(value),
        analyst=actor.user,
        supersedes=result,
        retest_reason=reason,
        status=ResultStatus.ENTERED,
        **fields,
    )
    records.update(actor, result, status=ResultStatus.SUPERSEDED)
    if order.status != OrderStatus.TESTING:
        records.update(actor, order, status=OrderStatus.TESTING)
    return retest


@transaction.atomic
def import_results(
    *, actor: Actor, order: TestOrder, data: bytes, mapping: ColumnMapping, filename: str = ""
) -> list[Result]:
    """Enter results from an instrument's CSV export through a saved column mapping.
    All or nothing: any problem rejects the file, naming its line."""
    _require_lab(actor, order)
    # A lab's own mappings, or those of the lab managing it (the centre's for a station).
    if not order.lab.path.startswith(mapping.lab.path):
        raise DomainError(
            _("This mapping belongs to another lab."),
            code="foreign_mapping",
            fields={"mapping": [_("Choose one of your lab's mappings.")]},
        )
    try:
        rows = read_instrument(
            data, mapping.columns(), delimiter=mapping.delimiter, skip_rows=mapping.skip_rows
        )
    except FileRejected as exc:
        raise _file_error(exc) from exc
    source = f"{mapping.name}: {filename}"[:120] if filename else mapping.name
    created, problems = [], []
    for row in rows:
        try:
            with transaction.atomic():
                created.append(
                    enter_result(
                        actor=actor,
                        order=order,
                        test_item=row.test_item,
                        value=row.value,
                        unit=row.unit,
                        loq=row.loq,
                        lod=row.lod,
                        method=row.method,
                        instrument=row.instrument,
                        tested_on=row.tested_on,
                        source=source,
                    )
                )
        except DomainError as exc:
            messages = [str(m) for ms in exc.fields.values() for m in ms] or [str(exc.message)]
            problems.append(
                FileError(row.line, mapping.test_item, f"{exc.message} {' '.join(messages)}")
            )
    if problems:
        raise _file_error(FileRejected(problems))
    return created


# --- review, certificate, hold and release ---------------------------------------------
def verify_url(number: str, content_hash: str) -> str:
    """The public verification link a certificate's QR code carries."""
    path = reverse("quality:certificate_verify", args=[number])
    return f"{settings.DIGITAL_LINK_BASE.rstrip('/')}{path}?h={content_hash}"


def person(user) -> str:
    """A person's name as a certificate prints it: 郭来保 (surname first), or Jane Doe."""
    return user.display_name if user is not None else ""


def _content(order: TestOrder, judged: queries.OrderJudgement, number: str, when, approver) -> dict:
    """Everything the certificate states (hashed; the PDF and the pages render it)."""
    from daodi.trace.documents import element_string

    sample, lot = order.sample, order.sample.lot
    herb = sample.herb or lot.herb
    by_id = {r.pk: r for r in judged.results}
    sets = []
    for spec_set, items, result in judged.sets:
        unverified = {i.pk for i in items if i.is_unverified}
        lines = []
        for line in result.lines:
            if isinstance(line, judgement.PanelJudgement):
                if not line.required and all(j.reading is None for j in line.items):
                    continue  # an optional panel nobody asked for
                lines.append(
                    {
                        "test_item": line.panel,
                        "panel": True,
                        "required": line.required,
                        "method": line.items[0].item.method if line.items else "",
                        "value": "",
                        "op": judgement.ND,
                        "limit": "",
                        "analyte_count": len(line.items),
                        "verdict": line.verdict,
                        "reason": line.reason.both(),
                        "unverified": any(j.item.ref in unverified for j in line.items),
                        "analytes": [
                            _line(j, by_id, unverified)
                            for j in line.items
                            if j.verdict != judgement.PASS
                        ],
                    }
                )
            elif line.item.required or line.reading is not None:
                lines.append(_line(line, by_id, unverified))
        sets.append(
            {
                "name": spec_set.name,
                "code": spec_set.code,
                "version": spec_set.version,
                "authority": spec_set.authority,
                "edition": spec_set.edition,
                "approved_by": person(spec_set.approved_by),
                "unverified": sum(1 for line in lines if line["unverified"]),
                "conclusion": result.conclusion,
                "lines": lines,
            }
        )
    analysts = sorted({person(r.analyst) for r in judged.results if r.analyst_id})
    retests = [
        {
            "test_item": r.test_item,
            "previous": r.supersedes.value,
            "value": r.value,
            "reason": r.retest_reason,
        }
        for r in judged.results
        if r.supersedes_id
    ]
    return {
        "number": number,
        "issued_at": timezone.localtime(when).isoformat(timespec="seconds"),
        "lab": {"name": order.lab.name, "code": order.lab.code, "address": order.lab.address},
        # A grower household is a private person: the public certificate shows 王**.
        "client": story.party_name(sample.organisation),
        "order": order.reference,
        "sample": {
            "code": sample.code,
            "taken_at": timezone.localtime(sample.taken_at).isoformat(timespec="minutes"),
            "quantity": f"{sample.quantity.normalize():f}",
            "unit": sample.unit,
            "sampler": sample.sampler,
            "variant": sample.variant,
            "product_form": sample.product_form,
        },
        "lot": {
            "identifier": lot.identifier,
            "element_string": element_string(lot.identifier),
            "herb": herb.name if herb else "",
            "grade": lot.grade.label if lot.grade_id else "",
        },
        "sets": sets,
        "conclusion": judged.conclusion,
        "analysts": analysts,
        "approver": person(approver),
        "retests": retests,
    }


def _line(judged: judgement.ItemJudgement, by_id: dict, unverified: set) -> dict:
    item, reading = judged.item, judged.reading
    result = by_id.get(reading.ref) if reading else None
    row = judged.as_row()
    return {
        "test_item": item.test_item,
        "panel": False,
        "required": item.required,
        "method": (result.method if result and result.method else item.method),
        "value": reading.value if reading else "",
        "unit": (result.unit if result else "") or item.unit,
        "value_rounded": row["value_rounded"],
        "op": item.op,
        "limit": row["limit"],
        "limit_unit": item.unit,
        "basis": item.basis,
        "moisture": (
            f"{judged.moisture.test_item} {judged.moisture.value}" if judged.moisture else ""
        ),
        "instrument": result.instrument if result else "",
        "verdict": judged.verdict,
        "reason": judged.reason.both(),
        "unverified": item.ref in unverified,
    }


def _hold_reason(content: dict) -> str:
    """Why the lot is held, in Chinese (kept on the lot; shown where it is refused)."""
    problems = []
    for spec_set in content["sets"]:
        for line in spec_set["lines"]:
            if line["verdict"] == judgement.FAIL or (
                line["verdict"] == judgement.NOT_JUDGED
                and line["required"]
                and content["conclusion"] == judgement.INCOMPLETE
            ):
                problems.append(f"{line['test_item']}：{line['reason']['zh-hans']}")
    head = f"{judgement.CONCLUSION_ZH[content['conclusion']]}（{content['number']}）"
    return ("；".join([head, *dict.fromkeys(problems)]))[:300]


def _notify(lot: Lot, certificate: Certificate, kind: str, items: list[str]) -> None:
    params = {
        "certificate": certificate.number,
        "lot": lot.identifier,
        "herb": lot.herb.name if lot.herb_id else "",
        "lab": certificate.lab.name,
        "holder": lot.holder.name if lot.holder_id else "",
        "items": items,
    }
    targets = [(Audience.HOLDER, lot.holder)] if lot.holder_id else []
    if kind != NotificationKind.RELEASED:
        targets.append((Audience.REGULATOR, None))
    for audience, organisation in targets:
        Notification.objects.create(
            kind=kind,
            audience=audience,
            organisation=organisation,
            lot=lot,
            certificate=certificate,
            params=params,
        )


@transaction.atomic
def approve_order(*, actor: Actor, order: TestOrder) -> Certificate:
    """A second person approves the order's results: they are judged against every set of
    the order, the certificate is issued, and an ``inspecting`` event holds the lot (does not
    conform, or incomplete) or releases it (conforms). Out-of-specification results notify
    the lot's holder and the regulators."""
    _require_lab(actor, order)
    order = TestOrder.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.TESTING:
        raise DomainError(
            _("There are no new results to approve on this order."), code="nothing_to_approve"
        )
    pending = list(order.results.filter(status=ResultStatus.ENTERED).select_related("analyst"))
    if not actor.is_system and any(r.analyst_id == actor.user.pk for r in pending):
        raise PermissionDenied(
            _("You entered or corrected some of these results: another person must approve them."),
            code="own_result",
        )
    judged = queries.judge_order(order)
    now = timezone.now()
    for result in pending:
        records.update(
            actor, result, status=ResultStatus.APPROVED, reviewed_by=actor.user, reviewed_at=now
        )
    records.update(
        actor,
        order,
        status=OrderStatus.APPROVED,
        approved_by=actor.user,
        approved_at=now,
        return_note="",
    )
    number = _next_number(Certificate, "number", "COA")
    content = _content(order, judged, number, now, actor.user)
    digest = coa.digest(content)
    lot = Lot.objects.select_related("herb", "holder").get(pk=order.sample.lot_id)
    was_on_hold = lot.status == LotStatus.ON_HOLD
    # Not through records.create: the audit snapshot cannot hold the PDF file field, and
    # the trail needs the number, conclusion and fingerprint only.
    certificate = Certificate(
        number=number,
        order=order,
        lot=lot,
        lab=order.lab,
        conclusion=judged.conclusion,
        content=content,
        content_hash=digest,
        issued_at=now,
        issued_by=actor.user,
    )
    pdf = documents.certificate_pdf(content, verify_url(number, digest))
    certificate.pdf.save(f"{number}.pdf", ContentFile(pdf), save=False)
    certificate.pdf_sha256 = coa.sha256(pdf)

    conform = judged.conclusion == judgement.CONFORM
    stamp, offset = _event_time(now)
    event = {
        "@context": [EPCIS_CONTEXT, {"daodi": NAMESPACE}],
        "type": "ObjectEvent",
        "eventTime": stamp,
        "eventTimeZoneOffset": offset,
        "action": "OBSERVE",
        "bizStep": "inspecting",
        "disposition": "conformant" if conform else "non_conformant",
        **_names(lot),
        **_place(order.lab),
        "certificationInfo": verify_url(number, digest),
        "daodi:certificate": number,
        "daodi:conclusion": judged.conclusion,
    }
    reason = "" if conform else _hold_reason(content)
    if reason:
        event["daodi:statusReason"] = reason
    certificate.event = _capture(actor, order.lab, event)
    certificate.save()
    audit.record(
        actor,
        "certificate.issue",
        certificate,
        {
            "number": [None, number],
            "conclusion": [None, judged.conclusion],
            "content_hash": [None, digest],
            "pdf_sha256": [None, certificate.pdf_sha256],
        },
    )
    for older in order.certificates.filter(superseded_by__isnull=True).exclude(pk=certificate.pk):
        older.superseded_by = certificate
        older.save(update_fields=["superseded_by"])
        audit.record(actor, "certificate.supersede", older, {"superseded_by": [None, number]})

    # The projection set the status; the reason is ours to keep beside it, so the pages and
    # the actions that refuse a held lot can say why.
    lot.refresh_from_db()
    if lot.status == LotStatus.ON_HOLD and reason:
        Lot.objects.filter(pk=lot.pk).update(status_reason=reason)
    elif lot.status == LotStatus.ACTIVE and lot.status_reason:
        Lot.objects.filter(pk=lot.pk).update(status_reason="")

    if judged.conclusion == judgement.NOT_CONFORM:
        failed = [
            line["test_item"]
            for s in content["sets"]
            for line in s["lines"]
            if line["verdict"] == judgement.FAIL
        ]
        _notify(lot, certificate, NotificationKind.OUT_OF_SPEC, list(dict.fromkeys(failed)))
    elif judged.conclusion == judgement.INCOMPLETE:
        missing = [
            line["test_item"]
            for s in content["sets"]
            for line in s["lines"]
            if line["verdict"] == judgement.NOT_JUDGED and line["required"]
        ]
        _notify(lot, certificate, NotificationKind.INCOMPLETE, list(dict.fromkeys(missing)))
    elif was_on_hold:
        _notify(lot, certificate, NotificationKind.RELEASED, [])
    transaction.on_commit(story.invalidate)
    return certificate


@transaction.atomic
def return_order(*, actor: Actor, order: TestOrder, reason: str) -> TestOrder:
    """The reviewer sends the results back to the analyst, saying what to check."""
    _require_lab(actor, order)
    reason = _required(reason, "reason")
    order = TestOrder.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.TESTING:
        raise DomainError(
            _("There are no new results to review on this order."), code="nothing_to_review"
        )
    return records.update(actor, order, return_note=reason)


# --- notifications and mappings ----------------------------------------------------------
@transaction.atomic
def mark_read(*, actor: Actor, notification: Notification) -> Notification:
    """Mark a notification read (for everyone who receives it)."""
    if (
        not actor.is_system
        and not queries.notifications(actor.user).filter(pk=notification.pk).exists()
    ):
        raise NotFound()
    if notification.read_at is not None:
        return notification
    return records.update(actor, notification, read_at=timezone.now(), read_by=actor.user)


def _require_lab_org(actor: Actor, lab) -> None:
    if lab is None or lab.kind != OrgKind.LAB:
        raise DomainError(
            _("Column mappings belong to a testing lab."),
            code="not_a_lab",
            fields={"lab": [_("Choose a lab.")]},
        )
    policy.require_write(actor, lab)


@transaction.atomic
def create_mapping(*, actor: Actor, lab, **fields) -> ColumnMapping:
    """Save a column mapping of an instrument's CSV export for a lab."""
    _only(fields, MAPPING_FIELDS)
    _require_lab_org(actor, lab)
    return records.create(actor, ColumnMapping, lab=lab, **fields)


@transaction.atomic
def update_mapping(*, actor: Actor, mapping: ColumnMapping, **fields) -> ColumnMapping:
    """Change a saved column mapping."""
    lab = fields.pop("lab", mapping.lab)
    _only(fields, MAPPING_FIELDS)
    _require_lab_org(actor, mapping.lab)
    if lab != mapping.lab:
        _require_lab_org(actor, lab)
    return records.update(actor, mapping, lab=lab, **fields)


def conclusion_label(value: str) -> str:
    return str(Conclusion(value).label)
