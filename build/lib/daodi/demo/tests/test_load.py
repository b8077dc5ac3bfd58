"""The demo county in the database: what ``load`` writes and what ``daodi demo`` does.

The county is loaded once for this module inside a transaction that is rolled back at the
end; each test runs in a savepoint inside it, so tests may change things freely.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client, override_settings
from django.utils import translation

from daodi.catalog.models import GeographicIndication, Grade, Herb, TradeItem
from daodi.core import gs1
from daodi.core.models import AuditEntry
from daodi.demo import build, load
from daodi.demo.rows import DivisionRow, OrgRow, SiteRow
from daodi.orgs.choices import OrgKind, Role
from daodi.orgs.models import Division, Membership, Organisation, Site, User

# Hashing six passwords at Django's full cost would dominate these tests.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        county = build.build_county(company_prefix=settings.GS1_COMPANY_PREFIX)
        loaded = load.load(county)
        yield county, loaded
        transaction.set_rollback(True)


@pytest.fixture
def county(demo, db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    return demo[0]


def org_rows() -> list[OrgRow]:
    """The organisations as the builder's rows, read back from the database."""
    return [
        OrgRow(
            code=o.code,
            kind=o.kind,
            name=o.name,
            managed_by=o.managed_by.code if o.managed_by_id else None,
            division=o.division.code,
            gln=o.gln,
            contact_person=o.contact_person,
            phone=o.phone,
            address=o.address,
        )
        for o in Organisation.objects.select_related("managed_by", "division")
    ]


def test_the_database_holds_the_county_network_by_kind(county):
    counts = Counter(Organisation.objects.values_list("kind", flat=True))
    assert counts[OrgKind.COUNTY_HUB] == 1
    assert counts[OrgKind.TOWNSHIP_STATION] == 10
    assert counts[OrgKind.VILLAGE_POINT] == 50
    assert counts[OrgKind.COOPERATIVE] == 171
    assert counts[OrgKind.HOUSEHOLD] == 2000
    assert counts[OrgKind.PROCESSOR] == 40
    assert counts[OrgKind.LAB] == 12
    assert Site.objects.count() == len(county.sites)
    assert Division.objects.filter(level="village").count() == 100


def test_what_is_in_the_database_is_exactly_what_was_built(county):
    # The builder is deterministic (see test_build), so equal rows here mean two loads
    # with one seed give identical databases.
    assert sorted(org_rows(), key=lambda r: r.code) == sorted(
        county.organisations, key=lambda r: r.code
    )
    sites = [
        SiteRow(
            organisation=s.organisation.code,
            kind=s.kind,
            name=s.name,
            gln=s.gln,
            division=s.division.code,
            address=s.address,
            latitude=s.latitude,
            longitude=s.longitude,
        )
        for s in Site.objects.select_related("organisation", "division")
    ]
    assert sorted(sites, key=lambda s: s.gln) == sorted(county.sites, key=lambda s: s.gln)
    divisions = {
        (d.code, d.name, d.level, d.parent.code if d.parent_id else None)
        for d in Division.objects.select_related("parent")
    }
    assert divisions == {(d.code, d.name, d.level, d.parent_code) for d in county.divisions}
    assert isinstance(county.divisions[0], DivisionRow)


def test_every_path_is_the_chain_of_managers(county):
    orgs = {o.pk: o for o in Organisation.objects.all()}
    for org in orgs.values():
        manager = orgs.get(org.managed_by_id)
        assert org.path == (manager.path if manager else "/") + f"{org.pk}/"
    hub = Organisation.objects.get(code=build.HUB_CODE)
    assert (
        Organisation.objects.filter(path__startswith=hub.path).count() == 1 + 10 + 50 + 170 + 2000
    )


def test_every_household_is_kept_by_a_point_in_its_own_township(county):
    for household in Organisation.objects.filter(kind=OrgKind.HOUSEHOLD).select_related(
        "division", "managed_by__division"
    ):
        point = household.managed_by
        assert point.kind == OrgKind.VILLAGE_POINT
        assert point.division.parent_id == household.division.parent_id


def test_every_gln_and_gtin_in_the_database_is_valid(county):
    glns = list(Organisation.objects.values_list("gln", flat=True))
    glns += list(Site.objects.values_list("gln", flat=True))
    assert glns and all(gs1.is_valid_key(g, 13) for g in glns)
    gtins = list(TradeItem.objects.values_list("gtin", flat=True))
    assert len(gtins) == 11 and all(gs1.is_valid_key(g, 14) for g in gtins)
    for item in TradeItem.objects.select_related("herb", "grade"):
        item.full_clean()


def test_every_loaded_record_has_its_create_audit_row(county):
    for model, action in (
        (Organisation, "organisation.create"),
        (Site, "site.create"),
        (Division, "division.create"),
        (Herb, "herb.create"),
        (Grade, "grade.create"),
        (User, "user.create"),
        (Membership, "membership.create"),
    ):
        ids = {str(pk) for pk in model.objects.values_list("pk", flat=True)}
        audited = AuditEntry.objects.filter(action=action, channel="system")
        assert set(audited.values_list("target_id", flat=True)) == ids, action
        assert audited.count() == len(ids), action
    entry = AuditEntry.objects.get(
        action="organisation.create", target_id=str(Organisation.objects.get(code="TH-PT01").pk)
    )
    assert entry.actor is None
    assert entry.changes["name"] == [None, "杏树岭村中药材收购点"]
    assert entry.changes["path"][1].endswith("/")


def test_the_demo_logins_authenticate_with_their_roles(county):
    roles = {
        (m.user.username, m.organisation.code, m.role)
        for m in Membership.objects.select_related("user", "organisation")
    }
    assert roles == {
        ("hub", build.HUB_CODE, Role.ADMIN),
        ("station01", "TH-ST01", Role.ADMIN),
        ("point01", "TH-PT01", Role.OPERATOR),
        ("lab01", build.LAB_CENTRE_CODE, Role.OPERATOR),
        ("regulator", build.AGRICULTURE_CODE, Role.REGULATOR),
        ("processor01", "TH-PR001", Role.ADMIN),
    }
    assert User.objects.get(username="admin").is_superuser
    for username, _org, _role in build.USERS:
        assert Client().login(username=username, password=build.DEMO_PASSWORD), username
    assert not Client().login(username="hub", password="wrong-password")


def test_the_indications_cover_their_townships_and_nothing_else(county):
    dangshen = GeographicIndication.objects.get(name="太行潞党参")
    lianqiao = GeographicIndication.objects.get(name="太行连翘")
    assert sorted(dangshen.divisions.values_list("code", flat=True)) == list(build.DANGSHEN_AREA)
    assert sorted(lianqiao.divisions.values_list("code", flat=True)) == list(build.LIANQIAO_AREA)
    assert dangshen.holder_org.code == build.ASSOCIATION_CODE
    village = Division.objects.filter(parent__code=build.DANGSHEN_AREA[0]).first()
    assert dangshen.covers(village) and not lianqiao.covers(village)
    seat_village = Division.objects.filter(parent__code=build.COUNTY_SEAT).first()
    assert not dangshen.covers(seat_village) and not lianqiao.covers(seat_village)


def test_running_the_command_again_is_refused_and_changes_nothing(county):
    before = (Organisation.objects.count(), AuditEntry.objects.count())
    with translation.override("en"), pytest.raises(CommandError, match="已加载示范县"):
        call_command("demo")
    assert (Organisation.objects.count(), AuditEntry.objects.count()) == before


def test_if_empty_leaves_a_loaded_county_alone_and_prints_the_logins(county, capsys):
    before = (Organisation.objects.count(), AuditEntry.objects.count())
    call_command("demo", "--if-empty")
    out = capsys.readouterr().out
    assert "daodi-demo-2026" in out and "point01" in out and "processor01" in out
    assert (Organisation.objects.count(), AuditEntry.objects.count()) == before


def test_reset_at_scale_two_reloads_with_twice_the_growers(county, capsys):
    call_command("demo", "--reset", "--scale", "2")
    out = capsys.readouterr().out
    assert Organisation.objects.filter(kind=OrgKind.HOUSEHOLD).count() == 4000
    assert Organisation.objects.filter(kind=OrgKind.PROCESSOR).count() == 80
    assert Organisation.objects.filter(kind=OrgKind.VILLAGE_POINT).count() == 50
    assert Division.objects.count() == len(county.divisions)
    assert Herb.objects.count() == 6 and GeographicIndication.objects.count() == 2
    assert User.objects.filter(username="point01").count() == 1
    assert AuditEntry.objects.filter(action="demo.remove").count() == 1
    assert "4,000" in out and "daodi-demo-2026" in out
