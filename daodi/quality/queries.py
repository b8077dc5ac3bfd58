"""Composed, scoped reads of the quality app, and the judgement of an order's results.

Who reads what:

- specification sets: the platform's own sets, every signed-in user; an organisation's
  sets, its members (and those of organisations managing it); a lab, the sets its orders
  name; regulators, all;
- samples, test orders, results and certificates: the organisation that took the sample,
  the holder of the sampled lot (and their managers), the lab the order went to, regulators;
- notifications: the holder's organisation and its managers; those addressed to the
  regulator role, regulators.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from daodi.orgs import policy
from daodi.orgs.choices import OrgKind
from daodi.orgs.models import Organisation

from . import judgement
from .choices import OrderStatus, ResultStatus
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
from .specfile import SpecRow


# --- scoping ----------------------------------------------------------------------------
def orders(user, *, write: bool = False) -> QuerySet[TestOrder]:
    """Orders the user may read; ``write``: those whose sample the user's organisation took."""
    qs = TestOrder.objects.select_related("sample__lot__herb", "sample__organisation", "lab")
    if write:
        return qs.filter(policy.org_q(user, write=True, prefix="sample__organisation__"))
    return qs.filter(
        policy.org_q(user, prefix="sample__organisation__")
        | policy.org_q(user, prefix="sample__lot__holder__")
        | policy.org_q(user, prefix="lab__")
    )


def lab_orders(user) -> QuerySet[TestOrder]:
    """Orders of the labs where the user may enter and approve results."""
    return TestOrder.objects.select_related(
        "sample__lot__herb", "sample__organisation", "lab"
    ).filter(policy.org_q(user, write=True, prefix="lab__"))


def lab_queue(user) -> QuerySet[TestOrder]:
    """The lab's work: orders still waiting for results or for their review, oldest first."""
    return lab_orders(user).exclude(status=OrderStatus.APPROVED).order_by("id")


def spec_sets(user, *, write: bool = False) -> QuerySet[SpecSet]:
    qs = SpecSet.objects.select_related("organisation", "approved_by")
    if write:
        if policy.is_platform_admin(user):
            return qs
        return qs.filter(policy.org_q(user, write=True, prefix="organisation__")).exclude(
            organisation__isnull=True
        )
    if policy.reads_everything(user):
        return qs
    ordered = TestOrder.spec_sets.through.objects.filter(
        testorder__in=TestOrder.objects.filter(policy.org_q(user, prefix="lab__"))
    ).values("specset_id")
    return qs.filter(
        Q(organisation__isnull=True)
        | policy.org_q(user, prefix="organisation__")
        | Q(pk__in=ordered)
    )


def spec_items(user, *, write: bool = False) -> QuerySet[SpecItem]:
    return SpecItem.objects.select_related("spec_set").filter(
        spec_set__in=spec_sets(user, write=write)
    )


def samples(user, *, write: bool = False) -> QuerySet[Sample]:
    qs = Sample.objects.select_related("lot__herb", "lot__holder", "organisation", "herb")
    if write:
        return qs.filter(policy.org_q(user, write=True, prefix="organisation__"))
    if policy.reads_everything(user):
        return qs
    at_lab = TestOrder.objects.filter(policy.org_q(user, prefix="lab__")).values("sample_id")
    return qs.filter(
        policy.org_q(user, prefix="organisation__")
        | policy.org_q(user, prefix="lot__holder__")
        | Q(pk__in=at_lab)
    )


def results(user, *, write: bool = False) -> QuerySet[Result]:
    qs = Result.objects.select_related("order__sample__lot", "order__lab", "analyst")
    if write:
        return qs.filter(policy.org_q(user, write=True, prefix="order__lab__"))
    return qs.filter(order__in=orders(user))


def certificates(user) -> QuerySet[Certificate]:
    return Certificate.objects.select_related("order__sample", "lot__herb", "lab").filter(
        order__in=orders(user)
    )


def notifications(user) -> QuerySet[Notification]:
    return policy.scope(
        Notification.objects.select_related("lot__herb", "certificate", "organisation"), user
    )


def mappings(user, *, write: bool = False) -> QuerySet[ColumnMapping]:
    return policy.scope(ColumnMapping.objects.select_related("lab"), user, write=write)


def labs(user, *, write: bool = True) -> QuerySet[Organisation]:
    """Labs whose records the user may change (or read)."""
    return Organisation.objects.filter(policy.org_q(user, write=write), kind=OrgKind.LAB)


def all_labs() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrgKind.LAB, is_active=True)


# --- specifications ---------------------------------------------------------------------
def applicable_items(spec_set: SpecSet, herb: str, variant: str, form: str) -> list[SpecItem]:
    """The set's items for this herb, variant and product form (the sample's key)."""
    return [i for i in spec_set.items.all() if i.applies_to(herb, variant, form)]


def sample_key(sample: Sample) -> tuple[str, str, str]:
    herb = sample.herb or sample.lot.herb
    return (herb.name if herb else "", sample.variant, sample.product_form)


def order_items(order: TestOrder) -> list[tuple[SpecSet, list[SpecItem]]]:
    key = sample_key(order.sample)
    return [
        (spec_set, applicable_items(spec_set, *key))
        for spec_set in order.spec_sets.prefetch_related("items").order_by("code", "version")
    ]


def expected_items(order: TestOrder, *, required_only: bool = False) -> list[str]:
    """Test item names the order asks for (each once, in the sets' order, required ones
    first), moisture included when a required dry-basis item needs it."""
    names: dict[str, tuple[bool, str]] = {}
    dry = False
    for _set, items in order_items(order):
        for item in items:
            key = judgement.item_key(item.test_item)
            required = item.required or names.get(key, (False, ""))[0]
            names[key] = (required, names.get(key, (False, item.test_item))[1])
            dry = dry or (item.basis == judgement.DRY and item.required)
    if dry:
        moisture = judgement.MOISTURE_ITEMS[0]
        names[judgement.item_key(moisture)] = (True, moisture)
    ordered = sorted(names.values(), key=lambda entry: not entry[0])
    return [name for required, name in ordered if required or not required_only]


def current_results(order: TestOrder) -> list[Result]:
    return list(
        order.results.exclude(status=ResultStatus.SUPERSEDED)
        .select_related("analyst", "supersedes")
        .order_by("id")
    )


@dataclass
class OrderJudgement:
    sets: list[tuple[SpecSet, list[SpecItem], judgement.SetJudgement]]
    conclusion: str
    results: list[Result]


def judge_order(order: TestOrder) -> OrderJudgement:
    """The order's current results judged against each of its sets."""
    results_now = current_results(order)
    readings = [r.as_reading() for r in results_now]
    sets = order_items(order)
    judged, conclusion = judgement.judge_sets(
        [(s, [i.as_item() for i in items]) for s, items in sets], readings
    )
    return OrderJudgement(
        [(s, items, j) for (s, items), j in zip(sets, judged, strict=True)],
        conclusion,
        results_now,
    )


def spec_rows(spec_set: SpecSet) -> list[SpecRow]:
    """The set's items as rows of a specification file (for export)."""
    return [
        SpecRow(
            herb=i.herb,
            variant=i.variant,
            test_item=i.test_item,
            op=i.op,
            limit=i.limit,
            unit=i.unit,
            basis=i.basis,
            method=i.method,
            source=i.source,
            confidence=i.confidence,
            edition=spec_set.edition,
            authority=spec_set.authority,
            product_form=i.product_form,
            panel=i.panel,
            loq=i.loq,
            required=i.required,
            verified_by=i.verified_by,
            verified_at=i.verified_at,
            note=i.note,
        )
        for i in spec_set.items.order_by("sort_order", "id")
    ]


def latest_certificates(lot_ids) -> dict[int, Certificate]:
    """The newest valid certificate of each lot (one query)."""
    found: dict[int, Certificate] = {}
    rows = Certificate.objects.filter(lot_id__in=list(lot_ids), superseded_by__isnull=True)
    for cert in rows.select_related("lab").order_by("-issued_at", "-id"):
        found.setdefault(cert.lot_id, cert)
    return found


def out_of_spec(user) -> QuerySet[Certificate]:
    """Certificates that did not conform (or are incomplete), newest first: the regulator's
    page. Regulators see the county; others only their own organisations' lots."""
    return certificates(user).exclude(conclusion=judgement.CONFORM).order_by("-issued_at", "-id")
