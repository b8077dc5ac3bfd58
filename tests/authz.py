"""The records of one organisation that the authorization matrices try to reach from another."""

from __future__ import annotations

from django.apps import apps

from daodi.catalog.models import GeographicIndication, Grade, Herb, TradeItem
from daodi.core.actor import Actor
from daodi.orgs import actions as org_actions
from daodi.orgs.models import Division
from daodi.quality.tests import matrix as quality
from daodi.sourcing.tests import authz_world as farm

OWNED = {"organisations", "sites", "users", "tokens"} | farm.OWNED | quality.OWNED
SHARED = {"divisions", "herbs", "grades", "indications", "units", "trade-items"} | farm.SHARED
REPORTS = farm.REPORTS


class World:
    """Records owned by village point PT1 (the target) and shared catalogue rows."""

    def __init__(self, network):
        system = Actor.system()
        self.n = network
        self.division = Division.objects.create(
            code="990000000000", name="示范省", level="province"
        )
        self.site = org_actions.create_site(
            actor=system, organisation=network.point, kind="buying_point", name="杏树村收购点门市"
        )
        self.token, _ = org_actions.create_token(
            actor=system, user=network.point_operator, name="t"
        )
        self.herb = Herb.objects.create(code="dangshen", name="党参", pinyin="dangshen")
        self.grade = Grade.objects.create(herb=self.herb, grade="统货")
        self.gi = GeographicIndication.objects.create(
            name="太行潞党参", herb=self.herb, kind="certification_mark"
        )
        self.trade_item = TradeItem.objects.create(
            gtin="09521234000013", herb=self.herb, pack="散装"
        )
        # Lots held by PT1's household, and a recall of one of them.
        from daodi.trace.actions import start_recall
        from daodi.trace.models import Lot
        from daodi.trace.tests.chain import capture_chain, dl_lot, harvest_document

        capture_chain(organisation=network.household)
        harvest_document("R", organisation=network.household)
        self.lot = Lot.objects.get(identifier=dl_lot("A"))
        self.recall = start_recall(actor=system, identifier=dl_lot("R"), reason="霉变")
        self.farm = farm.FarmWorld(self)
        self.quality = quality.QualityMatrix(network)

    def target_id(self, resource: str) -> int:
        if resource in quality.OWNED:
            return self.quality.target_id(resource)
        if resource in farm.OWNED | farm.SHARED:
            return self.farm.target_id(resource)
        return {
            "organisations": self.n.household.pk,
            "sites": self.site.pk,
            "users": self.n.point_operator.pk,
            "tokens": self.token.pk,
            "divisions": self.division.pk,
            "herbs": self.herb.pk,
            "grades": self.grade.pk,
            "indications": self.gi.pk,
            "units": 1,
            "trade-items": self.trade_item.pk,
            "lots": self.lot.pk,
            "recalls": self.recall.pk,
        }[resource]

    def body(self, resource: str, method: str) -> dict | None:
        if method == "get":
            return None
        if resource in quality.OWNED:
            return self.quality.body(resource, method)
        if resource.split("/")[0] in farm.OWNED | farm.SHARED:
            return self.farm.body(resource, method)
        n = self.n
        return {
            "organisations": {
                "kind": "household",
                "name": "新农户",
                "code": "HH-NEW",
                "managed_by": n.point.pk,
            },
            "sites": {"organisation": n.point.pk, "kind": "warehouse", "name": "新仓库"},
            "users": {
                "username": "newcomer",
                "password": "Long-enough-2026",
                "organisation": n.point.pk,
                "role": "operator",
            }
            if method == "post"
            else {"first_name": "改名"},
            "tokens": {"name": "x"},
            "herbs": {
                "code": "lianqiao",
                "name": "连翘",
                "pinyin": "lianqiao",
                "part_used": "fruit",
            },
            "grades": {"herb": self.herb.pk, "grade": "一等"},
            "indications": {"name": "太行连翘", "herb": self.herb.pk, "kind": "protected_product"},
            "trade-items": {"herb": self.herb.pk, "pack": "500 g 袋"},
        }.get(resource, {})

    def flagged_id(self, resource: str) -> int:
        """A record of ``resource`` flagged for review (``…/review/``'s positive control)."""
        return self.farm.flagged[resource].pk

    def reviewer(self, resource: str):
        return self.farm.reviewer(resource)

    def owner(self, resource: str):
        """Who may legitimately make writes on this resource (the positive control)."""
        if resource in quality.OWNED:
            return self.quality.owner(resource)
        if resource in farm.OWNED | farm.SHARED:
            return self.farm.owner(resource)
        if resource in SHARED:
            return self.n.admin
        if resource == "users":
            return self.n.station_admin
        return self.n.point_operator


def state():
    """Every row of every project model, to prove a refused request changed nothing."""
    snapshot = {}
    for model in apps.get_models():
        apps_checked = {"core", "orgs", "catalog", "trace", "farm", "sourcing", "quality"}
        if model._meta.app_label in apps_checked:
            # A token's last_used_at moves with every authenticated request; nothing else may.
            columns = [
                f.attname for f in model._meta.concrete_fields if f.attname != "last_used_at"
            ]
            snapshot[model._meta.label] = sorted(map(repr, model.objects.values_list(*columns)))
    return snapshot
