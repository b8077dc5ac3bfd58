"""Farm and buying-network records of village point PT1 for the authorization matrices
(``tests/authz.py``): what another point's operator must neither see nor change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from daodi.catalog.models import TradeItem
from daodi.core.actor import Actor
from daodi.farm import actions as farm_actions
from daodi.orgs.models import Division
from daodi.sourcing import actions, packing

OWNED = {
    "plots", "farm-records", "harvests", "processing-runs", "purchases", "sellers",
    "dispatches", "comminglings", "pallets", "losses", "gi-claims", "packing-runs",
}  # fmt: skip
SHARED = {"banned-pesticides"}
# Reports, not records: who may read them and what another organisation must not see.
REPORTS = {"mass-balance", "gi-violations"}
RESOURCE_BY_PREFIX = {
    "plot": "plots",
    "farmrecord": "farm-records",
    "harvest": "harvests",
    "processing": "processing-runs",
    "bannedpesticide": "banned-pesticides",
    "purchase": "purchases",
    "dispatch": "dispatches",
    "commingling": "comminglings",
    "pallet": "pallets",
    "loss": "losses",
    "giclaim": "gi-claims",
    "packing": "packing-runs",
}
T0 = dt.datetime(2026, 9, 16, 1, tzinfo=dt.UTC)
NEW_ID_CARD = "110105198001010016"  # a household registered from the purchase form


class FarmWorld:
    def __init__(self, world):
        system = Actor.system()
        n = world.n
        self.world = world
        township = Division.objects.create(
            code="990101101000", name="东山乡", level="township", parent=world.division
        )
        self.village = Division.objects.create(
            code="990101101001", name="杏树村", level="village", parent=township
        )
        world.gi.divisions.set([township])
        herb = world.herb
        self.plot = farm_actions.create_plot(
            actor=system, holder=n.household, name="杏树村3号地块", village=self.village,
            area_mu=Decimal("2"), herb=herb,
        )  # fmt: skip
        self.record = farm_actions.record_activity(
            actor=system, plot=self.plot, kind="fertiliser", date=dt.date(2026, 4, 1),
            product="腐熟农家肥",
        )  # fmt: skip
        self.harvest = farm_actions.harvest(
            actor=system, plots=[self.plot], harvested_on=dt.date(2026, 9, 10),
            fresh_kg=Decimal("1200"),
        )  # fmt: skip
        self.processing = farm_actions.process(
            actor=system, kind="drying", inputs=[(self.harvest.lot, Decimal("300"))],
            output_kg=Decimal("100"), started_at=T0, finished_at=T0 + dt.timedelta(hours=20),
        )  # fmt: skip
        self.dry_lot = self.processing.lots.get(is_output=True).lot

        def buy(key):
            return actions.record_purchase(
                actor=system, point=n.point, client_key=key, seller=n.household, herb=herb,
                gross_kg=Decimal("100"), price=Decimal("10"), bought_at=T0,
            )  # fmt: skip

        self.purchase = buy("authz-1")  # its lot stays at the point: it may be voided
        self.spare = buy("authz-2")  # for the positive controls' writes
        self.sent = buy("authz-0")
        self.dispatch = actions.dispatch(
            actor=system, source=n.point, destination=n.station, lots=[self.sent.lot]
        )
        self.commingling = actions.commingle(
            actor=system, inputs=[(buy("authz-3").lot, Decimal("100"))]
        )
        self.pallet = actions.palletise(actor=system, lots=[buy("authz-4").lot])
        self.loss = actions.record_loss(
            actor=system, lot=buy("authz-5").lot, kg=Decimal("1"), reason="sorting"
        )
        self.claim = actions.claim_gi(
            actor=system, lot=self.dry_lot, indication=world.gi, kg=Decimal("10"),
            purpose="label",
        )  # fmt: skip
        self.bag = TradeItem.objects.create(
            gtin="09521234000020", herb=herb, pack="500 g 袋", net_quantity=Decimal("0.5")
        )
        self.packing = packing.pack(actor=system, lot=self.dry_lot, trade_item=self.bag, count=2)
        from daodi.farm.models import BannedPesticide

        self.banned = BannedPesticide.objects.get(name="克百威")
        # Records flagged for review (the positive controls of ``…/review/``).
        herb.yield_max_kg_per_mu, herb.dry_ratio_min, herb.dry_ratio_max = 1000, 2.5, 3.8
        herb.save()
        heavy = farm_actions.harvest(
            actor=system, plots=[self.plot], harvested_on=dt.date(2026, 9, 11),
            fresh_kg=Decimal("2400"),
        )  # fmt: skip
        wet = farm_actions.process(
            actor=system, kind="drying", inputs=[(self.harvest.lot, Decimal("100"))],
            output_kg=Decimal("90"), started_at=T0, finished_at=T0 + dt.timedelta(hours=20),
        )  # fmt: skip
        short = actions.dispatch(
            actor=system, source=n.point, destination=n.station, lots=[buy("authz-6").lot]
        )
        lot = short.lines.get().lot
        short = actions.receive(actor=system, dispatch=short, weights={lot: Decimal("80")})
        self.flagged = {"harvests": heavy, "processing-runs": wet, "dispatches": short}
        assert all(record.flagged for record in self.flagged.values())

    def target_id(self, resource: str) -> int:
        return {
            "plots": self.plot.pk,
            "farm-records": self.record.pk,
            "harvests": self.harvest.pk,
            "processing-runs": self.processing.pk,
            "banned-pesticides": self.banned.pk,
            "purchases": self.purchase.pk,
            "sellers": self.world.n.household.pk,
            "dispatches": self.dispatch.pk,
            "comminglings": self.commingling.pk,
            "pallets": self.pallet.pk,
            "losses": self.loss.pk,
            "gi-claims": self.claim.pk,
            "packing-runs": self.packing.pk,
        }[resource]

    def label(self, resource: str) -> str:
        """What a list page of ``resource`` would show of the target record."""
        return {
            "plots": self.plot.name,
            "farm-records": "腐熟农家肥",
            "harvests": self.harvest.batch,
            "processing-runs": "100.00",
            "purchases": self.purchase.receipt_no,
            "dispatches": self.dispatch.number,
            "comminglings": self.commingling.lot.rsplit("/", 1)[-1][:6],
            "pallets": self.pallet.sscc,
            "losses": "2026",
            "gi-claims": "10.00",
            "packing-runs": self.packing.lot_number,
        }.get(resource, "\0")

    def body(self, resource: str, method: str) -> dict:
        n, w = self.world.n, self.world
        spare = self.spare.lot
        return {
            "plots": {
                "holder": n.household.pk, "name": "新地块", "village": self.village.pk,
                "area_mu": "1.5", "herb": w.herb.pk,
            },
            "farm-records": {
                "plot": self.plot.pk, "kind": "irrigation", "date": "2026-06-01",
                "water_m3": "5",
            },
            "harvests": {
                "plots": [self.plot.pk], "harvested_on": "2026-09-12", "fresh_kg": "500",
            },
            "processing-runs": {
                "kind": "drying", "inputs": [{"lot": self.harvest.lot, "kg": "100"}],
                "output_kg": "30", "started_at": "2026-09-17T08:00:00+08:00",
                "finished_at": "2026-09-18T08:00:00+08:00",
            },
            "banned-pesticides": {"name": "新禁用农药", "name_en": "x"},
            "purchases": {
                "client_key": "matrix", "point": n.point.pk, "seller": n.household.pk,
                "herb": w.herb.pk, "gross_kg": "10", "price": "5",
            },
            "dispatches": {"source": n.point.pk, "destination": n.station.pk, "lots": [spare]},
            "dispatches/receive": {"weights": [{"lot": self.sent.lot, "kg": "100"}]},
            "dispatches/cancel": {"note": "车坏了"},
            "purchases/correct": {"note": "单价填错", "price": "11"},
            "purchases/void": {"note": "重复录入"},
            "sellers": {
                "point": n.point.pk, "name": "新农户", "id_card": NEW_ID_CARD,
                "village": self.village.pk,
            },
            "harvests/review": {"note": "复核：地块面积有误"},
            "processing-runs/review": {"note": "复核：未晒干"},
            "dispatches/review": {"note": "复核：途中撒漏"},
            "comminglings": {"inputs": [{"lot": spare, "kg": "10"}]},
            "pallets": {"lots": [spare]},
            "losses": {"lot": spare, "kg": "1", "reason": "sorting"},
            "gi-claims": {
                "lot": self.dry_lot, "indication": w.gi.pk, "kg": "1", "purpose": "label",
            },
            "packing-runs": {"lot": self.dry_lot, "trade_item": self.bag.pk, "count": "1"},
        }.get(resource, {})  # fmt: skip

    def reviewer(self, resource: str):
        """Who reviews the flagged record of ``resource``: the organisation above its
        holder (PT1 for its household), the hub above the station an arrival was short at."""
        return self.world.n.admin if resource == "dispatches" else self.world.n.point_operator

    def owner(self, resource: str):
        if resource in SHARED:
            return self.world.n.admin
        if resource == "dispatches":  # the station receives; it also may send for PT1
            return self.world.n.station_admin
        return self.world.n.point_operator


# --- pages that are neither lists nor records ------------------------------------------------
PAGES = {
    "sourcing:ledger_import", "sourcing:mass_balance",
    "sourcing:gi_violations", "sourcing:county", "sourcing:node", "sourcing:settlement",
    "sourcing:refusals", "sourcing:seller_register",
}  # fmt: skip


def check_page(client, world, route: str, name: str, state) -> None:
    """Another point's operator on the network pages: never PT1's records."""
    n = world.n
    url = "/" + route.replace("<int:pk>", str(n.point.pk))
    short = name.split(":")[1]
    before = state()
    response = client.get(url)
    if short in ("node", "settlement"):
        assert response.status_code == 404, name  # PT1's node is not theirs
    elif short in ("gi_violations", "refusals"):
        assert response.status_code == 403, name  # regulators only
    elif short == "seller_register":  # the form offers only the intruder's own points
        assert response.status_code == 200
        body = {"point": n.point.pk, "name": "新农户", "id_card": NEW_ID_CARD}
        body |= {"village": world.farm.village.pk}
        post = client.post(url, {f"new_seller-{k}": v for k, v in body.items()})
        assert post.status_code == 200 and post.context["seller_form"].errors, name
    elif short == "ledger_import":
        assert response.status_code == 200
        post = client.post(url, {"point": n.point.pk})
        assert post.status_code == 200 and post.context["form"].errors, name
    else:  # county map, mass balance
        assert response.status_code == 200, name
        assert n.point.name not in response.content.decode(), f"{name} shows another org"
    assert state() == before, f"{url} changed data"
    # Positive controls: those the page is for reach it.
    allowed = {"node": n.point_operator, "settlement": n.point_operator}
    allowed["seller_register"] = n.point_operator
    allowed["gi_violations"] = allowed["refusals"] = n.regulator
    if short in allowed:
        client.force_login(allowed[short])
        assert client.get(url).status_code == 200, (name, "owner")
        client.force_login(n.other_operator)
