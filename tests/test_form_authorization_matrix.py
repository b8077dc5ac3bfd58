"""Every web page and form, tried by a user of another organisation, refuses and changes nothing.

Driven by the URL configuration: a new page without a row here fails the test. Object pages
of another organisation's records answer 404 (unreadable) or 403 (readable, not writable);
create forms refuse another organisation as the owner with a form error; lists and exports
never show another organisation's records. Each refusal has a positive control.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from daodi.orgs.models import Membership

from .authz import SHARED, World, farm, quality, state

PUBLIC = {"home", "login", "logout", "set_language"} | quality.PUBLIC
# Lists that are the pages of one kind of organisation (labs, packers): refused to others.
ROLE_LISTS = {"queue_list", "mapping_list", "packing_list"}
RESOURCE_BY_PREFIX = {
    "organisation": "organisations",
    "site": "sites",
    "user": "users",
    "membership": "users",
    "token": "tokens",
    "herb": "herbs",
    "grade": "grades",
    "indication": "indications",
    "tradeitem": "trade-items",
    "lot": "lots",
    "recall": "recalls",
    **farm.RESOURCE_BY_PREFIX,
    **quality.RESOURCE_BY_PREFIX,
}


# The picker endpoints and the purposes tried on each (all of them, via the registries).
PICKERS = {
    "organisation_pick": ("seller", "point", "grower", "writable", "managed_by", "administered"),
    "lot_pick": ("held", "visible", "seller_lot", "dispatch"),
}


def web_pages():
    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and p.name:
                yield prefix + str(p.pattern), namespace + p.name

    for route, name in walk(get_resolver().url_patterns, "", ""):
        # /api/ has its own matrix; /epcis/ follows GS1's bindings and is tested with them;
        # the Digital Link resolver is public by design.
        if route.startswith(("admin/", "api/", "epcis/", "^media")) or name.startswith("resolver:"):
            continue
        if name.split(":")[-1] not in PUBLIC:
            yield route, name


def check_followup_page(client, world: World, route: str, name: str) -> None:
    """Follow-ups: a regulator's pages; a notice is read only by the organisation it went to."""
    from daodi.core import followups
    from daodi.core.actor import Actor
    from daodi.core.models import Refusal

    n = world.n
    refusal = Refusal.objects.create(
        channel="web", organisation=n.point, code="banned_pesticide", message="矩阵"
    )
    notice = followups.notify(
        actor=Actor.system(), kind="refusal", key=str(refusal.pk), message="矩阵通知"
    )
    url = "/" + route.replace("<int:pk>", str(notice.pk))
    short = name.split(":")[-1]
    before = state()
    if short == "followup_list":
        page = client.get(url)
        assert page.status_code == 200 and "矩阵通知" not in page.content.decode(), name
    elif short == "followup_detail":
        finding = f"{url}?kind=refusal&key={refusal.pk}"
        assert client.get(finding).status_code == 403, name
        assert client.post(finding, {"step": "close", "note": "越权"}).status_code == 403, name
        assert state() == before, f"{url} changed data although refused"
        client.force_login(n.regulator)
        assert client.get(finding).status_code == 200, (name, "regulator")
    else:  # followup_read
        assert client.post(url).status_code == 404, name
        assert state() == before, f"POST {url} changed data although refused"
        client.force_login(n.point_operator)
        assert client.post(url).status_code == 302, (name, "owner")
    if short == "followup_list":
        assert state() == before, f"{url} changed data"


def form_body(world: World, resource: str) -> dict:
    """A complete, valid form submission for the resource, aimed at PT1's records."""
    body = {k: v for k, v in (world.body(resource, "post") or {}).items()}
    if resource == "users":
        body = {
            "first_name": "改名",
            "last_name": "",
            "email": "",
            "phone": "",
            "is_active": "on",
            "organisation": world.n.point.pk,
            "role": "viewer",
        }
    if resource == "herbs":
        body |= {"is_active": "on"}
    if resource == "recalls":
        body = {"identifier": world.lot.identifier, "reason": "越权召回"}
    if resource == "organisations":
        body |= {"is_active": "on"}
    return body


def concrete(route: str, world: World, resource: str) -> str:
    url = "/" + route.replace("<int:pk>", str(world.target_id(resource)))
    membership = Membership.objects.get(user=world.n.point_operator, organisation=world.n.point)
    return (
        url.replace("<int:membership_pk>", str(membership.pk))
        .replace("<slug:kind>", "organisations")
        .replace("<str:kind>", "lot")  # a lot's own labels
    )


@pytest.mark.django_db
def test_every_web_page_and_form_refuses_another_organisation(client, network):
    world = World(network)
    intruder = network.other_operator
    pages = list(web_pages())
    assert len(pages) >= 30
    checked = set()

    for route, name in pages:
        short = name.split(":")[-1]
        url_name = short.rsplit("_", 1)[0]
        if short in {"lot_labels", "recall_report"}:
            url_name = short.split("_")[0]
        client.force_login(intruder)

        if name.startswith("exchange:"):
            response = client.get(concrete(route, world, "organisations"))
            assert response.status_code == 200, name
            if short == "export":
                book = openpyxl.load_workbook(io.BytesIO(response.content))
                codes = {row[0] for sheet in book for row in sheet.iter_rows(values_only=True)}
                assert network.household.code not in codes, "export leaks another org"
            checked.add(name)
            continue

        if short.startswith("followup_"):
            check_followup_page(client, world, route, name)
            checked.add(name)
            continue

        if short in PICKERS:  # the pickers' JSON: never another organisation's choices
            for purpose in PICKERS[short]:
                body = client.get("/" + route, {"purpose": purpose}).json()
                shown = [r["text"] for r in body["results"]]
                assert network.household.name not in shown, (name, purpose)
                assert all(world.lot.batch not in text for text in shown), (name, purpose)
            checked.add(name)
            continue

        if name in farm.PAGES:  # the network's reports and helpers
            farm.check_page(client, world, route, name, state)
            checked.add(name)
            continue
        resource = RESOURCE_BY_PREFIX[url_name]
        url = concrete(route, world, resource)
        before = state()

        if short in ROLE_LISTS:  # a lab's or a packer's pages: nobody else's, not even empty
            assert client.get(url).status_code == 403, name
            lab = short != "packing_list"
            client.force_login(world.quality.q.analyst if lab else network.admin)
            assert client.get(url).status_code == 200, (name, "positive control")
            checked.add(name)
            continue

        if short.endswith("_list"):
            page = client.get(url)
            assert page.status_code == 200
            if resource not in SHARED:
                target_label = {
                    "organisations": network.household.name,
                    "sites": world.site.name,
                    "users": network.point_operator.username,
                    "tokens": world.token.prefix,
                    "lots": world.lot.identifier,
                    "recalls": world.recall.reference,
                }.get(resource)
                if target_label is None:
                    target_label = (
                        world.quality.label(resource)
                        if resource in quality.OWNED
                        else world.farm.label(resource)
                    )
                assert target_label not in page.content.decode(), f"{name} lists another org"
            if resource == "tokens":  # the list page is also the create form: own tokens only
                client.post(url, {"name": "mine"})
                assert not world.token.user.api_tokens.filter(name="mine").exists()
            checked.add(name)
            continue

        if short.endswith("_create"):
            response = client.post(url, form_body(world, resource))
            if resource in SHARED:
                assert response.status_code == 403, name
            else:  # the form offers only the intruder's own organisations as owner
                assert response.status_code in {200, 403, 404}, name
                if response.status_code == 200:
                    assert response.context["form"].errors, name
            assert state() == before, f"POST {url} changed data although refused"
            checked.add(name)
            continue

        # Pages of one record: detail, edit, and the record's POST actions.
        post_only = {"membership_remove", "token_revoke"}
        reviews = short.endswith("_review")  # POST only: a flagged record's review
        get = client.get(url) if short not in post_only and not reviews else None
        if get is not None:
            readable = resource in SHARED and short.endswith("_detail")
            assert get.status_code == (200 if readable else 403 if resource in SHARED else 404), (
                name,
                get.status_code,
            )
        post = client.post(url, form_body(world, resource))
        assert post.status_code in {403, 404, 405}, (name, post.status_code)
        assert state() == before, f"POST {url} changed data although refused"

        # Positive control: the owner reaches the same page.
        owner = world.owner(resource)
        client.force_login(owner)
        if get is not None:
            assert client.get(url).status_code == 200, (name, "owner")
        checked.add(name)

    assert checked == {name for _, name in pages}
