"""Catalogue pages: everyone signed in reads, only platform administrators write."""

from __future__ import annotations

import pytest
from django.urls import reverse

from daodi.catalog.models import GeographicIndication, Grade, Herb, TradeItem
from daodi.core.models import AuditEntry
from daodi.orgs.models import Division

pytestmark = pytest.mark.django_db


@pytest.fixture
def herb(db):
    return Herb.objects.create(code="dangshen", name="党参", trade_name="潞党参", pinyin="dangshen")


def test_given_an_operator_the_catalogue_reads_but_offers_no_writes(client, network, herb):
    client.force_login(network.point_operator)
    listing = client.get(reverse("catalog:herb_list"))
    assert [h.code for h in listing.context["page"]] == ["dangshen"]
    assert 'data-testid="create"' not in listing.content.decode()
    detail = client.get(reverse("catalog:herb_detail", args=[herb.pk]))
    assert detail.status_code == 200
    assert 'data-testid="edit"' not in detail.content.decode()
    assert client.get(reverse("catalog:herb_create")).status_code == 403
    assert client.get(reverse("catalog:herb_update", args=[herb.pk])).status_code == 403
    response = client.post(
        reverse("catalog:herb_update", args=[herb.pk]),
        {"code": "dangshen", "name": "改", "pinyin": "x", "part_used": "root"},
    )
    assert response.status_code == 403
    herb.refresh_from_db()
    assert herb.name == "党参"


def test_when_a_platform_admin_adds_a_herb_then_it_is_created_and_audited(client, network):
    client.force_login(network.admin)
    response = client.post(
        reverse("catalog:herb_create"),
        {
            "code": "lianqiao",
            "name": "连翘",
            "pinyin": "lianqiao",
            "part_used": "fruit",
            "is_active": "on",
        },
    )
    herb = Herb.objects.get(code="lianqiao")
    assert response.status_code == 302
    entry = AuditEntry.objects.get(target_type="catalog.herb", target_id=str(herb.pk))
    assert (entry.action, entry.channel) == ("herb.create", "web")


def test_when_the_lowest_yield_exceeds_the_highest_then_the_model_rule_shows_on_the_field(
    client, network
):
    client.force_login(network.admin)
    response = client.post(
        reverse("catalog:herb_create"),
        {
            "code": "huangqin",
            "name": "黄芩",
            "pinyin": "huangqin",
            "part_used": "root",
            "yield_min_kg_per_mu": "300",
            "yield_max_kg_per_mu": "100",
        },
    )
    assert response.status_code == 200
    assert "yield_max_kg_per_mu" in response.context["form"].errors
    assert not Herb.objects.filter(code="huangqin").exists()


def test_when_a_grade_exists_twice_then_the_form_reports_it(client, network, herb):
    Grade.objects.create(herb=herb, grade="统货")
    client.force_login(network.admin)
    response = client.post(
        reverse("catalog:grade_create"), {"herb": herb.pk, "grade": "统货", "sort_order": 0}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Grade.objects.filter(herb=herb).count() == 1


def test_when_editing_a_grade_then_the_change_is_audited(client, network, herb):
    grade = Grade.objects.create(herb=herb, grade="一等")
    client.force_login(network.admin)
    response = client.post(
        reverse("catalog:grade_update", args=[grade.pk]),
        {"herb": herb.pk, "grade": "一等", "specification": "条", "sort_order": 1},
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(target_type="catalog.grade", action="grade.update")
    assert entry.changes == {"specification": ["", "条"], "sort_order": [0, 1]}


def test_when_a_trade_item_has_no_gtin_then_the_next_one_is_allocated(client, network, herb):
    client.force_login(network.admin)
    response = client.post(reverse("catalog:tradeitem_create"), {"herb": herb.pk, "pack": "散装"})
    assert response.status_code == 302
    item = TradeItem.objects.get()
    assert len(item.gtin) == 14
    assert item.gtin.startswith("09521234")  # this deployment's company prefix


def test_when_a_gtin_check_digit_is_wrong_then_the_field_says_so(client, network, herb):
    client.force_login(network.admin)
    response = client.post(
        reverse("catalog:tradeitem_create"),
        {"gtin": "09521234000010", "herb": herb.pk, "pack": "散装"},
    )
    assert "gtin" in response.context["form"].errors
    assert not TradeItem.objects.exists()


def test_when_registering_an_indication_then_its_divisions_are_saved(client, network, herb):
    county = Division.objects.create(code="149900000000", name="太行示范县", level="county")
    client.force_login(network.admin)
    response = client.post(
        reverse("catalog:indication_create"),
        {
            "name": "太行潞党参",
            "herb": herb.pk,
            "kind": "certification_mark",
            "divisions": [county.pk],
        },
    )
    assert response.status_code == 302
    gi = GeographicIndication.objects.get()
    assert list(gi.divisions.all()) == [county]
    detail = client.get(reverse("catalog:indication_detail", args=[gi.pk])).content.decode()
    assert "太行示范县" in detail


def test_catalogue_lists_search_and_filter(client, network, herb):
    other = Herb.objects.create(code="lianqiao", name="连翘", pinyin="lianqiao", part_used="fruit")
    Grade.objects.create(herb=herb, grade="统货")
    Grade.objects.create(herb=other, specification="青翘", grade="统货")
    client.force_login(network.point_viewer)
    found = client.get(reverse("catalog:herb_list"), {"q": "潞"}).context["page"]
    assert list(found) == [herb]
    fruit = client.get(reverse("catalog:herb_list"), {"part_used": "fruit"}).context["page"]
    assert list(fruit) == [other]
    grades = client.get(reverse("catalog:grade_list"), {"herb": other.pk}).context["page"]
    assert [g.specification for g in grades] == ["青翘"]
