"""The shell every page shares: home, sign-in, navigation, language switch, admin access."""

import pytest
from django.urls import reverse

from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_given_a_visitor_when_opening_home_then_the_landing_page_offers_sign_in(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert 'data-testid="landing-sign-in"' in html
    assert reverse("orgs:organisation_list") not in html  # no menu for visitors


def test_given_a_visitor_when_opening_a_list_then_they_are_sent_to_sign_in(client):
    response = client.get(reverse("orgs:organisation_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_given_a_point_operator_when_signing_in_then_the_home_shows_the_points_work(
    client, network
):
    response = client.post(
        reverse("login"), {"username": "point_op", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert [s.key for s in response.context["sections"]] == ["point"]
    html = response.content.decode()
    assert "杏树村收购点" in html  # the user's organisation in the navbar
    assert 'data-testid="count-purchases_today"' in html
    assert f'href="{reverse("sourcing:seller_register")}"' in html  # register a household


def test_given_a_viewer_when_opening_home_then_no_add_button_is_shown(client, network):
    client.force_login(network.point_viewer)
    html = client.get("/").content.decode()
    assert 'data-testid="quick-add-org"' not in html


def test_when_switching_to_english_then_the_next_page_is_english(client, network):
    client.force_login(network.point_operator)
    page = reverse("orgs:organisation_list")
    assert '<html lang="zh-hans">' in client.get(page).content.decode()

    response = client.post("/i18n/setlang/", {"language": "en", "next": page})
    assert response.status_code == 302
    assert response["Location"] == page
    html = client.get(page).content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Organisations</h1>" in html
    assert 'id="lang-en"' in html and 'id="lang-zh-hans"' in html


def test_given_a_staff_user_who_is_not_a_platform_admin_then_the_admin_is_closed(client, network):
    staff = network.station_admin
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    assert client.get("/admin/").status_code == 302  # to the admin login
    client.force_login(network.admin)
    assert client.get("/admin/").status_code == 200


def test_navigation_shows_administration_only_to_platform_admins(client, network):
    client.force_login(network.point_operator)
    assert reverse("admin:index") not in client.get("/").content.decode()
    client.force_login(network.admin)
    assert reverse("admin:index") in client.get("/").content.decode()


def test_vendored_assets_exist_with_their_version_in_the_name():
    from pathlib import Path

    vendor = Path(__file__).resolve().parents[1] / "static" / "vendor"
    names = {p.name for p in vendor.iterdir()}
    assert "bootstrap-5.3.8.min.css" in names
    assert "bootstrap-5.3.8.bundle.min.js" in names
    assert "htmx-2.0.11.min.js" in names
    assert "echarts-5.6.0.min.js" in names


def test_every_page_renders_for_a_platform_admin_and_for_an_operator(client, network):
    from daodi.catalog.models import GeographicIndication, Grade, Herb, TradeItem
    from daodi.orgs.models import Site

    herb = Herb.objects.create(code="dangshen", name="党参", pinyin="dangshen")
    grade = Grade.objects.create(herb=herb, grade="统货")
    gi = GeographicIndication.objects.create(
        name="太行潞党参", herb=herb, kind="certification_mark"
    )
    item = TradeItem.objects.create(gtin="09521234000013", herb=herb, grade=grade, pack="散装")
    site = Site.objects.create(organisation=network.point, kind="warehouse", name="仓库")
    records = {
        "orgs:organisation": network.point,
        "orgs:site": site,
        "orgs:user": network.point_viewer,
        "catalog:herb": herb,
        "catalog:grade": grade,
        "catalog:indication": gi,
        "catalog:tradeitem": item,
    }
    for user in (network.admin, network.point_operator):
        client.force_login(user)
        assert client.get("/").status_code == 200
        assert client.get(reverse("orgs:token_list")).status_code == 200
        for name, obj in records.items():
            assert client.get(reverse(f"{name}_list")).status_code == 200, name
            assert client.get(reverse(f"{name}_detail", args=[obj.pk])).status_code == 200, name
        for name, obj in records.items():
            expected = 200 if user.is_superuser or name.startswith("orgs:") else 403
            if name == "orgs:user" and not user.is_superuser:
                expected = 403  # operators do not manage people
            assert client.get(reverse(f"{name}_create")).status_code == expected, name
            assert client.get(reverse(f"{name}_update", args=[obj.pk])).status_code == expected
