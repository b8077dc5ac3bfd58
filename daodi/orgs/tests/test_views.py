"""Organisation, site, people and token pages: scoped reads, writes through the actions."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from conftest import make_org
from daodi.core.models import AuditEntry
from daodi.orgs.choices import OrgKind, Role
from daodi.orgs.models import ApiToken, Membership, Organisation, Site, User

pytestmark = pytest.mark.django_db


def audit_rows(obj):
    return AuditEntry.objects.filter(target_type=obj._meta.label_lower, target_id=str(obj.pk))


# --- lists ----------------------------------------------------------------------------------


def test_given_an_operator_the_list_shows_only_their_scope(client, network):
    client.force_login(network.point_operator)
    response = client.get(reverse("orgs:organisation_list"))
    assert response.status_code == 200
    assert {obj.code for obj in response.context["page"]} == {"PT1", "HH1"}
    assert "李小梅" not in response.content.decode()  # another point's grower


def test_when_searching_then_only_matching_records_are_listed(client, network):
    client.force_login(network.station_admin)
    response = client.get(reverse("orgs:organisation_list"), {"q": "王大"})
    assert [obj.code for obj in response.context["page"]] == ["HH1"]


def test_when_filtering_by_kind_then_only_that_kind_is_listed(client, network):
    client.force_login(network.station_admin)
    response = client.get(reverse("orgs:organisation_list"), {"kind": "village_point"})
    assert {obj.code for obj in response.context["page"]} == {"PT1", "PT2"}


def test_the_managed_by_filter_offers_only_visible_organisations(client, network):
    client.force_login(network.point_operator)
    response = client.get(reverse("orgs:organisation_list"))
    choices = set(response.context["filter"].form.fields["managed_by"].queryset)
    assert choices == {network.point}


def test_given_thirty_two_records_the_list_pages_by_twenty_five(client, network):
    for i in range(30):
        make_org(OrgKind.HOUSEHOLD, f"农户{i:02}", f"HHX{i:02}", network.point)
    client.force_login(network.point_operator)
    first = client.get(reverse("orgs:organisation_list"))
    assert len(first.context["page"]) == 25
    assert first.context["page"].paginator.count == 32
    second = client.get(reverse("orgs:organisation_list"), {"page": 2, "q": "农户"})
    assert len(second.context["page"]) == 5
    prev = re.search(r'href="([^"]*)" rel="prev"', second.content.decode()).group(1)
    assert sorted(prev.lstrip("?").split("&amp;")) == ["page=1", "q=%E5%86%9C%E6%88%B7"]


def test_given_an_htmx_request_only_the_results_fragment_is_returned(client, network):
    client.force_login(network.point_operator)
    response = client.get(reverse("orgs:organisation_list"), {"q": "王"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert "王大山" in html
    assert "HX-Request" in response["Vary"]


# --- create ---------------------------------------------------------------------------------


def test_given_a_point_operator_the_new_organisation_form_defaults_to_a_household_of_the_point(
    client, network
):
    client.force_login(network.point_operator)
    form = client.get(reverse("orgs:organisation_create")).context["form"]
    assert form.initial["managed_by"] == network.point
    assert form.initial["kind"] == OrgKind.HOUSEHOLD
    assert set(form.fields["managed_by"].queryset) == {network.point, network.household}


def test_when_an_operator_adds_a_household_then_the_action_creates_and_audits_it(client, network):
    client.force_login(network.point_operator)
    response = client.post(
        reverse("orgs:organisation_create"),
        {
            "kind": "household",
            "name": "赵铁柱",
            "code": "HH9",
            "managed_by": network.point.pk,
            "phone": "13800000000",
        },
    )
    org = Organisation.objects.get(code="HH9")
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:organisation_detail", args=[org.pk])
    assert org.managed_by == network.point
    assert org.path == f"{network.point.path}{org.pk}/"
    entry = audit_rows(org).get()
    assert (entry.action, entry.channel, entry.actor) == (
        "organisation.create",
        "web",
        network.point_operator,
    )
    detail = client.get(response["Location"]).content.decode()
    # The audit trail on the detail page says what happened and who did it, in words.
    assert "<td>新建</td>" in detail
    assert 'point_op<span class="text-body-tertiary"> · 网页</span>' in detail
    assert "organisation.create" not in detail


def test_when_the_code_is_taken_then_the_action_refusal_shows_on_the_form(client, network):
    client.force_login(network.point_operator)
    response = client.post(
        reverse("orgs:organisation_create"),
        {"kind": "household", "name": "重复", "code": "HH2", "managed_by": network.point.pk},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["code"]  # the field named by the DomainError
    with translation.override("zh-hans"):
        assert form.non_field_errors() == [gettext("Some fields are not valid.")]
    assert Organisation.objects.filter(name="重复").count() == 0


def test_when_the_gln_check_digit_is_wrong_then_the_field_shows_the_model_rule(client, network):
    client.force_login(network.point_operator)
    response = client.post(
        reverse("orgs:organisation_create"),
        {
            "kind": "household",
            "name": "新户",
            "code": "HH7",
            "managed_by": network.point.pk,
            "gln": "9521234000011",
        },
    )
    assert "gln" in response.context["form"].errors
    assert not Organisation.objects.filter(code="HH7").exists()


def test_given_a_tampered_manager_then_nothing_is_created(client, network):
    client.force_login(network.point_operator)
    response = client.post(
        reverse("orgs:organisation_create"),
        {"kind": "household", "name": "越权", "code": "HH8", "managed_by": network.other_point.pk},
    )
    assert response.status_code == 200
    assert "managed_by" in response.context["form"].errors
    assert not Organisation.objects.filter(code="HH8").exists()
    assert not AuditEntry.objects.filter(action="organisation.create", channel="web").exists()


def test_given_a_viewer_the_create_page_is_forbidden(client, network):
    client.force_login(network.point_viewer)
    assert client.get(reverse("orgs:organisation_create")).status_code == 403
    response = client.post(
        reverse("orgs:organisation_create"),
        {"kind": "household", "name": "x", "code": "HHV", "managed_by": network.point.pk},
    )
    assert response.status_code == 403
    assert not Organisation.objects.filter(code="HHV").exists()


# --- detail and edit ------------------------------------------------------------------------


def test_given_another_organisations_record_then_detail_and_edit_are_not_found(client, network):
    client.force_login(network.point_operator)
    hh2 = network.other_household
    assert client.get(reverse("orgs:organisation_detail", args=[hh2.pk])).status_code == 404
    assert client.get(reverse("orgs:organisation_update", args=[hh2.pk])).status_code == 404
    response = client.post(
        reverse("orgs:organisation_update", args=[hh2.pk]),
        {"kind": "household", "name": "改", "code": "HH2"},
    )
    assert response.status_code == 404
    hh2.refresh_from_db()
    assert hh2.name == "李小梅"


def test_given_a_viewer_the_record_reads_but_edit_is_forbidden(client, network):
    client.force_login(network.point_viewer)
    detail = client.get(reverse("orgs:organisation_detail", args=[network.household.pk]))
    assert detail.status_code == 200
    assert 'data-testid="edit"' not in detail.content.decode()
    url = reverse("orgs:organisation_update", args=[network.household.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {"kind": "household", "name": "改名", "code": "HH1"})
    assert response.status_code == 403
    network.household.refresh_from_db()
    assert network.household.name == "王大山"


def test_when_an_operator_edits_a_household_then_old_and_new_values_are_audited(client, network):
    client.force_login(network.point_operator)
    hh = network.household
    url = reverse("orgs:organisation_update", args=[hh.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(name="王大山家", is_active="on", managed_by=network.point.pk)
    response = client.post(url, data)
    assert response.status_code == 302
    hh.refresh_from_db()
    assert hh.name == "王大山家"
    entry = audit_rows(hh).get(action="organisation.update")
    assert entry.changes == {"name": ["王大山", "王大山家"]}


def test_an_operator_can_save_their_own_point_keeping_its_station_as_manager(client, network):
    client.force_login(network.point_operator)
    url = reverse("orgs:organisation_update", args=[network.point.pk])
    response = client.post(
        url,
        {
            "kind": "village_point",
            "name": "杏树村收购点",
            "code": "PT1",
            "managed_by": network.station.pk,
            "phone": "0355-1234567",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    network.point.refresh_from_db()
    assert network.point.phone == "0355-1234567"
    assert network.point.managed_by == network.station


# --- sites ----------------------------------------------------------------------------------


def test_when_an_operator_adds_a_site_then_it_belongs_to_their_organisation(client, network):
    client.force_login(network.point_operator)
    form = client.get(reverse("orgs:site_create"), {"organisation": network.point.pk}).context[
        "form"
    ]
    assert form.initial["organisation"] == str(network.point.pk)
    response = client.post(
        reverse("orgs:site_create"),
        {"organisation": network.point.pk, "kind": "warehouse", "name": "杏树村仓库"},
    )
    site = Site.objects.get(name="杏树村仓库")
    assert response.status_code == 302
    assert audit_rows(site).get().channel == "web"
    listed = client.get(reverse("orgs:site_list"), {"q": "仓库"}).context["page"]
    assert list(listed) == [site]


def test_another_organisations_site_is_not_found(client, network):
    site = Site.objects.create(organisation=network.other_point, kind="warehouse", name="桃园仓库")
    client.force_login(network.point_operator)
    assert client.get(reverse("orgs:site_detail", args=[site.pk])).status_code == 404
    assert client.get(reverse("orgs:site_list")).context["page"].paginator.count == 0


# --- people ---------------------------------------------------------------------------------


def test_when_a_station_admin_creates_a_person_then_they_get_the_role(client, network):
    client.force_login(network.station_admin)
    response = client.post(
        reverse("orgs:user_create"),
        {
            "username": "new_op",
            "password": "Long-enough-2026",
            "first_name": "新",
            "organisation": network.point.pk,
            "role": Role.OPERATOR,
        },
    )
    person = User.objects.get(username="new_op")
    assert response.status_code == 302
    assert person.check_password("Long-enough-2026")
    assert Membership.objects.get(user=person).organisation == network.point
    assert audit_rows(person).get().channel == "web"
    assert "password" not in audit_rows(person).get().changes


def test_when_the_username_is_taken_then_the_field_says_so(client, network):
    client.force_login(network.station_admin)
    response = client.post(
        reverse("orgs:user_create"),
        {
            "username": "POINT_OP",
            "password": "Long-enough-2026",
            "organisation": network.point.pk,
            "role": Role.VIEWER,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["username"]
    assert User.objects.filter(username__iexact="point_op").count() == 1


def test_when_the_password_is_weak_then_the_action_refusal_shows_on_the_password_field(
    client, network
):
    client.force_login(network.station_admin)
    response = client.post(
        reverse("orgs:user_create"),
        {
            "username": "weak",
            "password": "12345678",
            "organisation": network.point.pk,
            "role": Role.VIEWER,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert not User.objects.filter(username="weak").exists()


def test_when_a_password_is_too_short_on_a_chinese_page_then_django_says_so_in_chinese(
    client, network
):
    client.force_login(network.station_admin)
    short = {"username": "short", "password": "q7", "organisation": network.point.pk}
    response = client.post(
        reverse("orgs:user_create"), {**short, "role": Role.VIEWER}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.context["form"].errors["password"] == [
        "密码长度太短。密码必须包含至少 8 个字符。"
    ]
    assert "too short" not in response.content.decode()
    response = client.post(reverse("orgs:user_create"), short, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.context["form"].errors["role"] == ["此项为必填项。"]
    assert not User.objects.filter(username="short").exists()


def test_the_user_form_asks_the_family_name_before_the_given_name(client, network):
    client.force_login(network.station_admin)
    form = client.get(reverse("orgs:user_create")).context["form"]
    names = list(form.fields)
    assert names.index("last_name") < names.index("first_name")
    edit = client.get(reverse("orgs:user_update", args=[network.point_operator.pk])).context["form"]
    assert list(edit.fields)[:2] == ["last_name", "first_name"]


def test_a_station_admin_may_not_grant_the_regulator_role(client, network):
    client.force_login(network.station_admin)
    form = client.get(reverse("orgs:user_create")).context["form"]
    assert Role.REGULATOR not in dict(form.fields["role"].choices)
    assert set(form.fields["organisation"].queryset) >= {network.station, network.point}
    assert network.gov not in form.fields["organisation"].queryset


def test_an_operator_cannot_create_people(client, network):
    client.force_login(network.point_operator)
    assert client.get(reverse("orgs:user_create")).status_code == 403
    html = client.get(reverse("orgs:user_list")).content.decode()
    assert 'data-testid="create"' not in html


def test_people_list_is_scoped_and_filters_by_organisation(client, network):
    client.force_login(network.station_admin)
    response = client.get(reverse("orgs:user_list"), {"organisation": network.point.pk})
    assert {u.username for u in response.context["page"]} == {"point_op", "point_viewer"}
    client.force_login(network.point_operator)
    names = {u.username for u in client.get(reverse("orgs:user_list")).context["page"]}
    assert names == {"point_op", "point_viewer"}


def test_when_an_admin_gives_and_removes_a_role_then_memberships_follow(client, network):
    client.force_login(network.station_admin)
    person = network.point_viewer
    url = reverse("orgs:user_detail", args=[person.pk])
    response = client.post(url, {"organisation": network.other_point.pk, "role": Role.OPERATOR})
    assert response.status_code == 302
    membership = Membership.objects.get(user=person, organisation=network.other_point)
    assert membership.role == Role.OPERATOR
    response = client.post(reverse("orgs:membership_remove", args=[person.pk, membership.pk]))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEntry.objects.filter(action="membership.delete", channel="web").count() == 1


def test_an_operator_cannot_remove_a_role(client, network):
    client.force_login(network.point_operator)
    membership = Membership.objects.get(user=network.point_viewer)
    response = client.post(
        reverse("orgs:membership_remove", args=[network.point_viewer.pk, membership.pk]),
        follow=True,
    )
    assert response.status_code == 200
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert [str(m) for m in response.context["messages"]]  # the refusal is shown


def test_given_a_viewer_editing_a_person_is_forbidden(client, network):
    client.force_login(network.point_viewer)
    url = reverse("orgs:user_update", args=[network.point_operator.pk])
    assert client.get(url).status_code == 403


# --- API tokens -----------------------------------------------------------------------------


def test_when_creating_a_token_then_its_secret_is_shown_once_and_stored_hashed(client, network):
    client.force_login(network.point_operator)
    response = client.post(reverse("orgs:token_list"), {"name": "电子秤"})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("dd_") and secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=network.point_operator)
    assert token.key_hash != secret
    assert secret not in client.get(reverse("orgs:token_list")).content.decode()


def test_when_revoking_a_token_then_it_stops_working(client, network, api):
    from daodi.core.actor import Actor
    from daodi.orgs import actions

    token, secret = actions.create_token(
        actor=Actor.system(), user=network.point_operator, name="t"
    )
    client.force_login(network.point_operator)
    assert client.get(reverse("orgs:token_revoke", args=[token.pk])).status_code == 405
    response = client.post(reverse("orgs:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/organisations/").status_code == 401


def test_another_users_token_cannot_be_revoked(client, network):
    from daodi.core.actor import Actor
    from daodi.orgs import actions

    token, _ = actions.create_token(actor=Actor.system(), user=network.other_operator, name="t")
    client.force_login(network.point_operator)
    assert client.post(reverse("orgs:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
