"""The REST API's contract: OpenAPI document, token authentication, the one error shape."""

from __future__ import annotations

import io
import re

import pytest
import yaml
from django.core.management import call_command
from openapi_spec_validator import validate

from daodi.core.models import AuditEntry
from daodi.orgs.actions import hash_token
from daodi.orgs.models import ApiToken, Organisation


@pytest.mark.django_db
def test_openapi_document_validates_and_lists_every_api_route(client, network):
    client.force_login(network.admin)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    validate(document)
    paths = set(document["paths"])
    for resource in (
        "organisations",
        "sites",
        "users",
        "tokens",
        "divisions",
        "herbs",
        "grades",
        "indications",
        "units",
        "trade-items",
    ):
        assert f"/api/{resource}/" in paths
        assert f"/api/{resource}/{{id}}/" in paths
    assert "/api/tokens/{id}/revoke/" in paths
    # Every router route appears in the schema (nothing served that is not documented).
    from daodi.api_urls import router

    documented = {p.removeprefix("/api/") for p in paths}
    for url in router.urls:
        route = str(url.pattern).removeprefix("^").removesuffix("$")
        if "format" in route or route == "":
            continue
        normalised = re.sub(r"\(\?P<pk>[^)]*\)", "{id}", route)
        assert normalised in documented, normalised


@pytest.mark.django_db
def test_browsable_reference_is_served(client, network):
    client.force_login(network.admin)
    assert client.get("/api/docs/").status_code == 200


@pytest.mark.django_db
def test_createtoken_prints_token_last_and_stores_only_its_hash(network, api):
    out, err = io.StringIO(), io.StringIO()
    call_command("createtoken", "point_op", "--name", "scale", stdout=out, stderr=err)
    secret = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get(name="scale")
    assert token.key_hash == hash_token(secret)
    assert secret not in {token.key_hash, token.prefix}
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/organisations/").status_code == 200


@pytest.mark.django_db
def test_revoked_token_is_refused_at_once(network, api):
    client = api.as_user(network.point_operator)
    token = ApiToken.objects.get(user=network.point_operator)
    assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 200
    response = client.get("/api/organisations/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


@pytest.mark.django_db
def test_missing_token_gets_401_with_error_shape(api):
    response = api.get("/api/herbs/")
    assert response.status_code in {401, 403}
    assert set(response.json()) == {"code", "message", "fields"}


@pytest.mark.django_db
def test_validation_error_names_fields_in_callers_language(network, api):
    client = api.as_user(network.point_operator)
    body = {"kind": "household", "name": "", "code": "HH9", "managed_by": network.point.pk}
    en = client.post("/api/organisations/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert en.status_code == 400
    assert en.json()["code"] == "validation_failed"
    assert en.json()["fields"]["name"] == ["This field may not be blank."]
    zh = client.post("/api/organisations/", body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert zh.json()["fields"]["name"] == ["该字段不能为空。"]
    assert not Organisation.objects.filter(code="HH9").exists()


@pytest.mark.django_db
def test_domain_error_has_code_and_translated_message(network, api):
    client = api.as_user(network.point_operator)
    body = {"kind": "household", "name": "张三", "code": "HH1", "managed_by": network.point.pk}
    response = client.post("/api/organisations/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["fields"]["code"] == ["organisation with this code already exists."]


@pytest.mark.django_db
def test_operator_registers_household_under_own_point_and_it_is_audited(network, api):
    client = api.as_user(network.point_operator)
    body = {
        "kind": "household",
        "name": "赵春生",
        "code": "HH3",
        "managed_by": network.point.pk,
        "phone": "13900001234",
    }
    response = client.post("/api/organisations/", body, format="json")
    assert response.status_code == 201, response.content
    org = Organisation.objects.get(code="HH3")
    assert org.path == f"{network.point.path}{org.pk}/"
    entry = AuditEntry.objects.get(action="organisation.create", target_id=str(org.pk))
    assert entry.actor == network.point_operator and entry.channel == "api"
    assert entry.changes["name"] == [None, "赵春生"]


@pytest.mark.django_db
def test_viewer_cannot_write(network, api):
    client = api.as_user(network.point_viewer)
    response = client.patch(
        f"/api/organisations/{network.household.pk}/", {"name": "改"}, format="json"
    )
    assert response.status_code == 403
    network.household.refresh_from_db()
    assert network.household.name == "王大山"


@pytest.mark.django_db
def test_list_paging_search_and_filter(network, api):
    client = api.as_user(network.regulator)
    page = client.get("/api/organisations/", {"page_size": 2}).json()
    assert page["count"] == Organisation.objects.count() and len(page["results"]) == 2
    assert page["next"]
    found = client.get("/api/organisations/", {"q": "李小"}).json()
    assert [o["code"] for o in found["results"]] == ["HH2"]
    kinds = client.get("/api/organisations/", {"kind": "village_point"}).json()
    assert {o["code"] for o in kinds["results"]} == {"PT1", "PT2"}
