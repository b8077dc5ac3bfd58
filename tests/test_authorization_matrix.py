"""Every /api/ endpoint, tried by a user of another organisation, refuses and changes nothing.

The matrix is driven by the OpenAPI schema: a new endpoint without a row here fails the test.
Each refusal has a positive control: the same request by a user who may make it succeeds,
so a refusal can never come from a malformed request.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator

from daodi.orgs.models import Site

from .authz import OWNED, REPORTS, SHARED, World, state


def api_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in sorted(schema["paths"].items()):
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method


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
        if resource == "trace":
            # Lineage crosses organisations by nature: the graph is readable, but another
            # organisation's quantities, holders and places are not.
            from daodi.trace.tests.chain import capture_chain, dl_lot, sgtin

            capture_chain(organisation=network.household)
            graph = client.get(path.replace("{identifier}", sgtin("S1"))).json()
            node = next(n for n in graph["nodes"] if n["identifier"] == dl_lot("A"))
            assert node["holder"] is None and node["quantity"] is None and node["place"] is None
            checked.add((path, method))
            continue
        if resource in REPORTS:  # reports: another organisation's figures never show
            response = client.get(path)
            if resource == "mass-balance":
                assert response.status_code == 200
                codes = {row["node_code"] for row in response.json()["nodes"]}
                assert network.point.code not in codes, f"{path} shows another org"
            else:
                assert response.status_code == 403, path  # regulators only
            checked.add((path, method))
            continue
        assert resource in OWNED | SHARED, f"{path}: add this resource to the matrix"
        action = (
            path.rstrip("/").rsplit("/", 1)[-1]
            if path.endswith(("/receive/", "/review/", "/correct/", "/void/", "/cancel/"))
            else ""
        )
        body = world.body(f"{resource}/{action}" if action else resource, method)
        url = path.replace("{id}", str(world.target_id(resource)))
        is_detail = "{id}" in path
        before = state()
        response = getattr(client, method)(url, body, format="json")

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
            if action == "review":  # a flagged record, by the organisation above its holder
                owner.force_authenticate(world.reviewer(resource))
                url = path.replace("{id}", str(world.flagged_id(resource)))
            else:
                owner.force_authenticate(world.owner(resource))
            with transaction.atomic():
                ok = getattr(owner, method)(url, body, format="json")
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
