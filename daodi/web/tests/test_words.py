"""The words pages use: people by name, the catalogue's English names, a plot on a map."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from daodi.catalog import actions as catalog_actions
from daodi.catalog.models import Unit
from daodi.core.actor import Actor
from daodi.farm import actions as farm_actions
from daodi.orgs import actions as org_actions
from daodi.orgs.choices import OrgKind
from daodi.orgs.models import Division

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_a_chinese_name_is_family_name_first_without_a_space_and_others_given_name_first(
    network,
):
    person = network.point_operator
    person.last_name, person.first_name = "郭", "来保"
    assert person.display_name == "郭来保" == str(person)
    person.last_name, person.first_name = "Doe", "Jane"
    assert person.display_name == "Jane Doe"
    person.last_name = person.first_name = ""
    assert person.display_name == "point_op"


def test_an_audit_row_names_the_person_and_what_they_did_not_the_username_or_code(client, network):
    org_actions.update_user(
        actor=Actor.system(), user=network.point_operator, last_name="郭", first_name="来保"
    )
    client.force_login(network.point_operator)
    client.post(
        reverse("orgs:organisation_create"),
        {
            "kind": OrgKind.HOUSEHOLD,
            "name": "赵铁柱",
            "code": "HH9",
            "managed_by": network.point.pk,
        },
    )
    page = client.get(reverse("orgs:organisation_list") + "?q=HH9")
    detail = client.get(reverse("orgs:organisation_detail", args=[page.context["page"][0].pk]))
    text = detail.content.decode()
    assert "郭来保<span" in text and "· 网页" in text and "<td>新建</td>" in text
    assert "point_op" not in text and "organisation.create" not in text
    assert "郭来保" in client.get("/").content.decode()  # the user menu names them too


def _catalogue():
    system = Actor.system()
    herb = catalog_actions.create_herb(
        actor=system,
        code="dangshen",
        name="党参",
        pinyin="dangshen",
        material_latin="Codonopsis Radix",
    )
    grade = catalog_actions.create_grade(actor=system, herb=herb, grade="一等", name_en="grade 1")
    item = catalog_actions.create_trade_item(
        actor=system,
        herb=herb,
        grade=grade,
        pack="500 g 袋",
        pack_en="500 g bag",
        net_quantity=Decimal("0.5"),
        unit=Unit.objects.get(code="kg"),
    )
    return herb, grade, item


def test_english_pages_name_herbs_grades_and_packs_in_english_where_the_catalogue_has_them(
    client, network
):
    herb, grade, item = _catalogue()
    client.force_login(network.station_admin)
    listing = client.get(reverse("catalog:tradeitem_list"), **ENGLISH).content.decode()
    assert "Codonopsis Radix (Dangshen)" in listing
    assert "grade 1" in listing and "500 g bag" in listing and "500 g 袋" not in listing
    detail = client.get(reverse("catalog:tradeitem_detail", args=[item.pk]), **ENGLISH)
    assert "Codonopsis Radix (Dangshen), grade 1" in detail.content.decode()
    chinese = client.get(reverse("catalog:tradeitem_list")).content.decode()
    assert "500 g 袋" in chinese and "Codonopsis" not in chinese and "grade 1" not in chinese
    grades = client.get(reverse("catalog:grade_list"), **ENGLISH).content.decode()
    assert "Codonopsis Radix (Dangshen)" in grades


def test_a_grade_without_an_english_name_stays_chinese_on_english_pages(client, network):
    herb, grade, item = _catalogue()
    grade.name_en = ""
    grade.save()
    assert (
        grade.english_name == "" and item.english_name == "Codonopsis Radix (Dangshen), 500 g bag"
    )


def test_a_plot_shows_its_place_on_a_map_and_in_words_not_as_geojson(client, network):
    herb, _grade, _item = _catalogue()
    household = network.household
    village = Division.objects.create(code="990101100201", name="杏树村", level="village")
    plot = farm_actions.create_plot(
        actor=Actor.system(),
        holder=household,
        name="党参地块1",
        village=village,
        herb=herb,
        area_mu=Decimal("1.2"),
        geometry={"type": "Point", "coordinates": [113.4, 36.2]},
    )
    client.force_login(network.station_admin)
    page = client.get(reverse("farm:plot_detail", args=[plot.pk]))
    text = page.content.decode()
    assert 'data-testid="plot-map"' in text and "echarts-5.6.0.min.js" in text
    assert "北纬 36.2°，东经 113.4°" in text
    assert page.context["plot_map"]["village"]["name"] == village.name
    assert "{&#x27;type&#x27;" not in text and "{'type'" not in text
