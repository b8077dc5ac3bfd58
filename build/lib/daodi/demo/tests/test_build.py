"""The demo county as plain rows: its shape, its identifiers and its determinism (no database)."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.utils import translation

from daodi.core import gs1
from daodi.demo import build
from daodi.demo.codes import DemoError, Numbers, uscc_is_valid
from daodi.orgs.choices import DivisionLevel, OrgKind

PREFIX = "9521234"


@pytest.fixture(scope="module")
def county():
    return build.build_county(company_prefix=PREFIX)


def kinds(county) -> Counter:
    return Counter(o.kind for o in county.organisations)


def test_the_county_has_the_network_the_issue_describes(county):
    assert kinds(county) == {
        OrgKind.COUNTY_HUB: 1,
        OrgKind.TOWNSHIP_STATION: 10,
        OrgKind.VILLAGE_POINT: 50,
        OrgKind.COOPERATIVE: 171,  # 170 co-operatives and the 潞党参 association
        OrgKind.HOUSEHOLD: 2000,
        OrgKind.PROCESSOR: 40,
        OrgKind.LAB: 12,
        OrgKind.TRADER: 4,
        OrgKind.LOGISTICS: 1,
        OrgKind.GOVERNMENT: 2,
        OrgKind.MANUFACTURER: 2,
    }
    labs = [o for o in county.organisations if o.kind == OrgKind.LAB]
    assert [o.managed_by for o in labs].count(build.LAB_CENTRE_CODE) == 11


def test_the_division_tree_has_ten_townships_and_about_a_hundred_villages(county):
    levels = Counter(d.level for d in county.divisions)
    assert levels == {
        DivisionLevel.PROVINCE: 1,
        DivisionLevel.CITY: 1,
        DivisionLevel.COUNTY: 1,
        DivisionLevel.TOWNSHIP: 10,
        DivisionLevel.VILLAGE: 100,
    }
    codes = {d.code for d in county.divisions}
    assert len(codes) == len(county.divisions)
    for d in county.divisions:
        assert re.fullmatch(r"99\d{10}", d.code)
        assert d.parent_code is None or d.parent_code in codes
        if d.level == DivisionLevel.VILLAGE:
            assert d.code.startswith(d.parent_code[:9]) and d.name.endswith("村")
        if d.level == DivisionLevel.TOWNSHIP:
            assert d.name[-1] in "乡镇"


def test_same_seed_gives_identical_rows_and_another_seed_other_people(county):
    again = build.build_county(company_prefix=PREFIX)
    other = build.build_county(company_prefix=PREFIX, seed=7)
    assert again.fingerprint() == county.fingerprint()
    assert again.organisations == county.organisations
    assert other.fingerprint() != county.fingerprint()
    households = [o.name for o in county.organisations if o.kind == OrgKind.HOUSEHOLD]
    assert households != [o.name for o in other.organisations if o.kind == OrgKind.HOUSEHOLD]


def test_every_gln_and_gtin_is_valid_unique_and_under_the_company_prefix(county):
    glns = [o.gln for o in county.organisations] + [s.gln for s in county.sites]
    assert len(set(glns)) == len(glns)
    assert all(gs1.is_valid_key(g, 13) and g.startswith(PREFIX) for g in glns)
    gtins = [t.gtin for t in county.trade_items]
    assert len(set(gtins)) == len(gtins)
    assert all(gs1.is_valid_key(g, 14) and g[1:8] == PREFIX for g in gtins)
    # Bulk goods are variable-measure items (indicator 9), bags fixed (indicator 0); no GLN
    # repeats the 13 digits of a GTIN.
    assert {t.gtin[0] for t in county.trade_items if t.net_quantity is None} == {"9"}
    assert {t.gtin[0] for t in county.trade_items if t.net_quantity} == {"0"}
    assert not {g[1:] for g in gtins} & set(glns)


def test_codes_phones_and_names_are_unique_well_formed_and_fictional(county):
    codes = [o.code for o in county.organisations]
    assert len(set(codes)) == len(codes)
    coops = [
        o
        for o in county.organisations
        if o.kind == OrgKind.COOPERATIVE and o.managed_by is not None
    ]
    assert len(coops) == 170
    assert all(o.code.startswith("93990101") and uscc_is_valid(o.code) for o in coops)
    phones = [o.phone for o in county.organisations] + [u.phone for u in county.users]
    assert len(set(phones)) == len(phones)
    assert all(re.fullmatch(r"1390\d{7}", p) for p in phones)
    for o in county.organisations:
        if o.kind == OrgKind.HOUSEHOLD:
            assert re.fullmatch(r"[\u4e00-\u9fff]{2,3}", o.name) and o.contact_person == o.name
        else:
            assert o.name.startswith(("太行示范县", *(d.name for d in county.divisions)))
    enterprise_names = [o.name for o in county.organisations if o.kind != OrgKind.HOUSEHOLD]
    assert len(set(enterprise_names)) == len(enterprise_names)


def test_every_grower_sells_at_a_point_of_its_own_township(county):
    org = {o.code: o for o in county.organisations}
    township = {d.code: d.parent_code for d in county.divisions if d.level == DivisionLevel.VILLAGE}
    station_of = {
        o.division: o.code for o in county.organisations if o.kind == OrgKind.TOWNSHIP_STATION
    }
    for o in county.organisations:
        if o.kind == OrgKind.HOUSEHOLD:
            point = org[o.managed_by]
            assert point.kind == OrgKind.VILLAGE_POINT
            assert township[point.division] == township[o.division]
        elif o.kind == OrgKind.VILLAGE_POINT or (o.kind == OrgKind.COOPERATIVE and o.managed_by):
            assert o.managed_by == station_of[township[o.division]]
        elif o.kind == OrgKind.TOWNSHIP_STATION:
            assert o.managed_by == build.HUB_CODE
    points_per_township = Counter(
        township[o.division] for o in county.organisations if o.kind == OrgKind.VILLAGE_POINT
    )
    assert set(points_per_township.values()) == {5}


def test_every_site_lies_in_its_organisations_division_near_the_seat(county):
    org = {o.code: o for o in county.organisations}
    seat = {d.code: d for d in county.divisions}
    for site in county.sites:
        assert site.division == org[site.organisation].division
        place = seat[site.division]
        assert abs(site.latitude - place.latitude) < 0.01
        assert abs(site.longitude - place.longitude) < 0.01
    with_site = {s.organisation for s in county.sites}
    assert all((o.kind == OrgKind.HOUSEHOLD) != (o.code in with_site) for o in county.organisations)


def test_the_catalogue_has_six_herbs_their_grades_and_two_indications(county):
    assert [h.name for h in county.herbs] == ["党参", "连翘", "黄芩", "柴胡", "山茱萸", "花椒"]
    for herb in county.herbs:
        assert herb.yield_min_kg_per_mu < herb.yield_max_kg_per_mu
        assert 1 <= herb.dry_ratio_min < herb.dry_ratio_max
    labels = {(g.herb, g.specification, g.grade) for g in county.grades}
    assert {("dangshen", "", g) for g in ("统货", "一等", "二等", "三等")} <= labels
    assert {
        ("lianqiao", "青翘", "统货"),
        ("lianqiao", "青翘", "选货"),
        ("lianqiao", "老翘", "统货"),
    } <= labels
    assert all((t.herb, t.specification, t.grade) in labels for t in county.trade_items)
    townships = {d.code for d in county.divisions if d.level == DivisionLevel.TOWNSHIP}
    dangshen, lianqiao = county.indications
    assert set(dangshen.divisions) <= townships and set(lianqiao.divisions) <= townships
    assert not set(dangshen.divisions) & set(lianqiao.divisions)
    assert dangshen.holder_org in {o.code for o in county.organisations}


def test_scale_two_doubles_growers_cooperatives_and_processors_but_not_the_network(county):
    double = build.build_county(company_prefix=PREFIX, scale=2)
    before, after = kinds(county), kinds(double)
    assert after[OrgKind.HOUSEHOLD] == 2 * before[OrgKind.HOUSEHOLD] == 4000
    assert after[OrgKind.PROCESSOR] == 80
    assert after[OrgKind.COOPERATIVE] == 341
    for kind in (OrgKind.COUNTY_HUB, OrgKind.TOWNSHIP_STATION, OrgKind.VILLAGE_POINT, OrgKind.LAB):
        assert after[kind] == before[kind]
    # The fixed part of the county is the same at every scale.
    assert double.organisations[:61] == county.organisations[:61]


def test_a_scale_below_one_or_beyond_the_gln_space_is_refused():
    with pytest.raises(DemoError):
        build.build_county(company_prefix=PREFIX, scale=0)
    numbers = Numbers("952123456")  # a 9-digit prefix leaves three digits of reference
    with translation.override("en"), pytest.raises(DemoError, match="smaller --scale"):
        for _ in range(1000):
            numbers.gln()
