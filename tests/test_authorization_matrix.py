"""Every /api/ endpoint, tried by a user of another organisation, refuses and changes nothing.

The matrix is driven by the OpenAPI schema: a new endpoint without a row here fails the test.
Each refusal has a positive control: the same request by a user who may make it succeeds,
so a refusal can never come from a malformed request.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator

from daodi.catalog.models import GeographicIndication, Grade, Herb, TradeItem
from daodi.core.actor import Actor
from daodi.orgs import actions as org_actions
from daodi.orgs.models import Division, Site

OWNED = {"organisations", "sites", "users", "tokens"}
SHARED = {"divisions", "herbs", "grades", "indications", "units", "trade-items"}


def api_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in sorted(schema["paths"].items()):
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method


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

    def target_id(self, resource: str) -> int:
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
        }[resource]

    def body(self, resource: str, method: str) -> dict | None:
        if method == "get":
            return None
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

    def owner(self, resource: str):
        """Who may legitimately make writes on this resource (the positive control)."""
        if resource in SHARED:
            return self.n.admin
        if resource == "users":
            return self.n.station_admin
        return self.n.point_operator


def state():
    """Every row of every project model, to prove a refused request changed nothing."""
    snapshot = {}
    for model in apps.get_models():
        if model._meta.app_label in {"core", "orgs", "catalog"}:
            # A token's last_used_at moves with every authenticated request; nothing else may.
            columns = [
                f.attname for f in model._meta.concrete_fields if f.attname != "last_used_at"
            ]
            snapshot[model._meta.label] = sorted(map(repr, model.objects.values_list(*columns)))
    return snapshot


@pytest.mark.django_db
def test_every_api_endpoint_refuses_another_organisation(network, api):
    world = World(network)
    intruder = network.other_operator  # operator of another village point
    operations = list(api_operations())
    assert len(operations) >= 20, "the schema lists the API"
    client = api.as_user(intruder)
    checked = set()

    for path, method in operations:
        resource = path.removeprefix("/api/").split("/")[0]
        assert resource in OWNED | SHARED, f"{path}: add this resource to the matrix"
        url = path.replace("{id}", str(world.target_id(resource)))
        is_detail = "{id}" in path
        before = state()
        response = getattr(client, method)(url, world.body(resource, method), format="json")

        if resource in SHARED and method == "get":
            expected = {200}
        elif resource in SHARED:
            expected = {403}
        elif method == "get" and not is_detail:
            expected = {200}
            ids = [row["id"] for row in response.json()["results"]]
            assert world.target_id(resource) not in ids, f"{path} lists another org's record"
        elif resource == "tokens" and method == "post" and not is_detail:
            expected = {201}  # anyone may create a token for themself — never for others
            assert response.status_code in expected
            assert response.json()["id"] != world.token.pk
            checked.add((path, method))
            continue
        else:
            expected = {403, 404}

        assert response.status_code in expected, (
            path,
            method,
            response.status_code,
            response.content,
        )
        assert (
            response.json().keys() >= {"code", "message", "fields"} or response.status_code == 200
        )
        if response.status_code >= 400:
            assert state() == before, f"{method.upper()} {path} changed data although refused"
        checked.add((path, method))

        # Positive control: the same request by someone allowed to make it succeeds.
        if method != "get":
            from rest_framework.test import APIClient

            owner = APIClient()
            owner.force_authenticate(world.owner(resource))
            with transaction.atomic():
                ok = getattr(owner, method)(url, world.body(resource, method), format="json")
                transaction.set_rollback(True)
            assert ok.status_code in {200, 201}, (path, method, ok.status_code, ok.content)

    assert checked == set(operations)


@pytest.mark.django_db
def test_operator_cannot_move_own_site_to_another_organisation(network, api):
    site = Site.objects.create(organisation=network.point, kind="warehouse", name="仓库")
    response = api.as_user(network.point_operator).patch(
        f"/api/sites/{site.pk}/", {"organisation": network.other_point.pk}, format="json"
    )
    assert response.status_code == 404
    site.refresh_from_db()
    assert site.organisation == network.point
