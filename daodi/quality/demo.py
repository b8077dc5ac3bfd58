"""Quality testing in the demo county: the starter specification sets, a reviewer at the
county testing centre, and lab results for a few lots of the demo season.

The lot the demo's example retail bag was packed from is tested and conforms, so its
consumer trace page shows 符合规定 with the certificate; a second lot conforms too; a third
fails its sulphur dioxide limit and is held, which notifies its holder and the regulators.
Everything goes through the real actions (sampling and inspection events included), in the
demo command's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model

from daodi.core.actor import Actor
from daodi.demo.build import DEMO_PASSWORD, LAB_CENTRE_CODE
from daodi.orgs import actions as org_actions
from daodi.orgs.choices import Role
from daodi.orgs.models import Organisation

from . import actions, judgement, queries
from .choices import SpecStatus
from .models import (
    Certificate,
    ColumnMapping,
    Notification,
    Result,
    Sample,
    SpecSet,
    TestOrder,
)

ANALYST = "lab01"  # one of the demo logins
REVIEWER = "lab02"  # the second person who approves what lab01 enters
STARTER = "starter-chp-2020"


@dataclass
class DemoQuality:
    certificates: list[Certificate] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    failed_pack: str = ""  # the Digital Link of a retail pack made from a failed lot


def _failed_pack(held: list[str]) -> str:
    """A retail pack packed from the first held lot, as its QR code prints it."""
    from daodi.trace import labels, queries

    for identifier in held:
        items = [lot for lot in queries.downstream(identifier) if lot.serial]
        if items:
            return labels.digital_link(min(items, key=lambda lot: lot.serial))
    return ""


def _reviewer(lab: Organisation):
    user = get_user_model().objects.filter(username=REVIEWER).first()
    if user is not None:
        return user
    return org_actions.create_user(
        actor=Actor.system(),
        username=REVIEWER,
        password=DEMO_PASSWORD,
        organisation=lab,
        role=Role.OPERATOR,
        first_name="审核员",
    )


def _value(item, factor: Decimal) -> str:
    """A value that meets ``item`` by a margin (``factor`` < 1 below a ceiling, above a floor)."""
    if item.op == judgement.ND:
        return "未检出"
    if item.op == judgement.CONFORMS:
        return "符合规定"
    limit = judgement.decimal_of(item.limit.split("-")[0])
    digits = judgement.places(limit) + 1
    if item.op == judgement.LE:
        return str(judgement.round_to(limit * factor, digits))
    return str(judgement.round_to(limit * (2 - factor), digits))


def _results(order, factor: Decimal, overrides: dict[str, str]) -> dict[str, str]:
    values = {}
    for _set, items in queries.order_items(order):
        for item in items:
            if item.required:
                values.setdefault(item.test_item, _value(item, factor))
    if judgement.MOISTURE_ITEMS[0] in queries.expected_items(order):
        values.setdefault(judgement.MOISTURE_ITEMS[0], "10.6")
    values.update({k: v for k, v in overrides.items() if k in values})
    return values


def _lots(season) -> list[tuple[str, str, dict]]:
    """(lot identifier, product form, overrides): the example bag's own lot first."""
    if season is None:
        return []
    history = season.history
    chosen, seen_herbs = [], set()
    example = season.example
    runs = [
        run
        for s in history.seasons
        for run in s.runs
        if run.bags and run.product.herb in ("dangshen", "huangqin", "lianqiao")
    ]
    if example is not None:
        run = history.seasons[example.season].runs[example.run]
        runs = [run] + [r for r in runs if r is not run]
    for run in runs:
        if len(chosen) == 3:
            break
        if run.product.herb in seen_herbs and len(chosen) < 2:
            continue
        seen_herbs.add(run.product.herb)
        from daodi.demo.history import lgtin

        form = "pieces" if run.sliced_lot else "crude"
        failing = len(chosen) == 2
        overrides = {"二氧化硫残留量": "520"} if failing else {}
        chosen.append((lgtin(run.product.dry_gtin, run.packed_lot), form, overrides))
    return chosen


def load(season=None) -> DemoQuality:
    """Starter sets (approved), the reviewer, and three tested lots of ``season``."""
    from daodi.trace.models import Lot

    system = Actor.system()
    done = DemoQuality()
    actions.load_starter(actor=system)
    # The platform administrator approves the starter sets, so each names who and when.
    admin = get_user_model().objects.filter(username="admin", is_superuser=True).first()
    approver = Actor(admin, "system") if admin is not None else system
    for spec_set in SpecSet.objects.filter(code__startswith="starter-", status=SpecStatus.DRAFT):
        actions.approve_spec_set(actor=approver, spec_set=spec_set)
    starter = SpecSet.objects.filter(code=STARTER, status=SpecStatus.APPROVED).first()
    lab = Organisation.objects.get(code=LAB_CENTRE_CODE)
    analyst = get_user_model().objects.get(username=ANALYST)
    reviewer = _reviewer(lab)
    actions.create_mapping(
        actor=Actor(analyst, "system"),
        lab=lab,
        name="HPLC 1260 导出",
        test_item="Analyte",
        value="Conc.",
        unit="Units",
        loq="LOQ",
        tested_on="Date",
    )
    for index, (identifier, form, overrides) in enumerate(_lots(season)):
        lot = (
            Lot.objects.select_related("herb", "grade", "holder")
            .filter(identifier=identifier)
            .first()
        )
        if lot is None or lot.herb is None or lot.status not in ("active", "on_hold"):
            continue
        sample = actions.take_sample(
            actor=system,
            lot=lot,
            quantity=Decimal("250"),
            sampler="质检员",
            product_form=form,
        )
        key = queries.sample_key(sample)
        if not any(i.required for i in queries.applicable_items(starter, *key)):
            continue
        order = actions.create_order(actor=system, sample=sample, lab=lab, spec_sets=[starter])
        factor = Decimal("0.6") + Decimal("0.1") * index
        for test_item, value in _results(order, factor, overrides).items():
            actions.enter_result(
                actor=Actor(analyst, "system"), order=order, test_item=test_item, value=value,
                unit="mg/kg" if test_item == "二氧化硫残留量" and value[0].isdigit() else "",
            )  # fmt: skip
        certificate = actions.approve_order(actor=Actor(reviewer, "system"), order=order)
        done.certificates.append(certificate)
        if certificate.conclusion != judgement.CONFORM:
            done.held.append(identifier)
    done.failed_pack = _failed_pack(done.held)
    return done


def remove() -> None:
    """Take the demo county's quality records out again (before the county itself goes):
    whatever a demo organisation sampled, held, tested or was told about."""
    from django.db.models import Q

    from daodi.demo.build import read_divisions

    orgs = Organisation.objects.filter(division__code__in=[d.code for d in read_divisions()])
    samples = Sample.objects.filter(
        Q(organisation__in=orgs) | Q(lot__holder__in=orgs) | Q(orders__lab__in=orgs)
    ).values("pk")
    orders = TestOrder.objects.filter(Q(sample__in=samples) | Q(lab__in=orgs))
    certificates = Certificate.objects.filter(order__in=orders)
    Notification.objects.filter(Q(certificate__in=certificates) | Q(organisation__in=orgs)).delete()
    certificates.update(superseded_by=None)
    certificates.delete()
    results = Result.objects.filter(order__in=orders)
    results.update(supersedes=None)
    results.delete()
    sample_ids = list(samples)
    orders.delete()
    Sample.objects.filter(pk__in=[s["pk"] for s in sample_ids]).delete()
    ColumnMapping.objects.filter(lab__in=orgs).delete()
    get_user_model().objects.filter(username=REVIEWER).delete()
