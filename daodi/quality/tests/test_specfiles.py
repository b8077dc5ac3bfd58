"""Specification sets as data: import and export as CSV and XLSX, versions, approval, and the
starter table the platform ships (derived from the shared reference tables)."""

from __future__ import annotations

import io

import openpyxl
import pytest

from conftest import shared_path
from daodi.core.actor import Actor
from daodi.core.errors import DomainError, PermissionDenied

from .. import actions, queries, specfile, starter
from ..choices import SpecStatus
from ..models import SpecItem, SpecSet

HEADER = ",".join(specfile.COLUMNS)
GOOD_FILE = (
    f"{HEADER}\n"
    "黄芩,,水分,<=,12.0,%,as_is,0832 第二法,memory,M,ChP 2025,chp\n"
    '黄芩,,"黄芩苷 (baicalin, C21H18O11)",>=,9.0,%,dry,0512 HPLC,P-SCU,V,ChP 2025,chp\n'
    "黄芩,,二氧化硫残留量,<=,150,mg/kg,as_is,2331,general rule,V/M,ChP 2025,chp\n"
    "黄芩,,铅 (Pb),<=,5,mg/kg,as_is,2321,guideline,S,内控 2026,internal\n"
).encode()


def system():
    return Actor.system()


@pytest.mark.django_db
def test_a_file_becomes_one_draft_set_per_authority_and_edition():
    outcome = actions.import_spec_file(actor=system(), data=GOOD_FILE, filename="s.csv")
    assert [(s.code, s.status, state) for s, state in outcome] == [
        ("chp-chp-2025", SpecStatus.DRAFT, "created"),
        ("internal-2026", SpecStatus.DRAFT, "created"),
    ]
    chp = outcome[0][0]
    assert chp.name == "中国药典 ChP 2025"
    items = list(chp.items.order_by("sort_order"))
    assert [i.test_item for i in items] == [
        "水分",
        "黄芩苷 (baicalin, C21H18O11)",
        "二氧化硫残留量",
    ]
    assert [i.confidence for i in items] == ["M", "V", "M"]  # "V/M" counts as its weakest
    assert [i.is_unverified for i in items] == [True, False, True]
    assert items[1].basis == "dry" and items[1].limit == "9.0"


@pytest.mark.django_db
def test_importing_the_same_file_again_changes_nothing():
    actions.import_spec_file(actor=system(), data=GOOD_FILE)
    before = list(SpecItem.objects.values_list("pk", flat=True))
    outcome = actions.import_spec_file(actor=system(), data=GOOD_FILE)
    assert [state for _s, state in outcome] == ["unchanged", "unchanged"]
    assert list(SpecItem.objects.values_list("pk", flat=True)) == before


@pytest.mark.django_db
def test_a_changed_file_replaces_a_drafts_items_and_versions_an_approved_set():
    (chp, _), _other = actions.import_spec_file(actor=system(), data=GOOD_FILE)
    changed = GOOD_FILE.replace(b"<=,12.0,%", b"<=,10.0,%")
    (again, state), _ = actions.import_spec_file(actor=system(), data=changed)
    assert (again.pk, state) == (chp.pk, "updated")
    assert again.items.get(test_item="水分").limit == "10.0"

    actions.approve_spec_set(actor=system(), spec_set=again)
    (newer, state), _ = actions.import_spec_file(actor=system(), data=GOOD_FILE)
    assert (state, newer.version, newer.status, newer.supersedes) == (
        "created",
        2,
        SpecStatus.DRAFT,
        again,
    )
    assert newer.items.get(test_item="水分").limit == "12.0"
    assert again.items.get(test_item="水分").limit == "10.0"  # the approved version stays


BAD_ROWS = [
    ("黄芩,,水分,=<>,12.0,%,as_is,,,M,ChP 2025,chp", "op"),
    ("黄芩,,水分,<=,twelve,%,as_is,,,M,ChP 2025,chp", "limit"),
    ("黄芩,,水分,<=,12.0,furlong,as_is,,,M,ChP 2025,chp", "unit"),
    ("黄芩,,水分,<=,12.0,%,wet,,,M,ChP 2025,chp", "basis"),
    ("黄芩,,水分,<=,12.0,%,as_is,,,X,ChP 2025,chp", "confidence"),
    ("黄芩,,水分,<=,12.0,%,as_is,,,M,,chp", "edition"),
    ("黄芩,,水分,<=,12.0,%,as_is,,,M,ChP 2025,pharmacy", "authority"),
    (",,水分,<=,12.0,%,as_is,,,M,ChP 2025,chp", "herb"),
    ("黄芩,,,<=,12.0,%,as_is,,,M,ChP 2025,chp", "test_item"),
    ("黄芩,,水分,range,15-5,%,as_is,,,M,ChP 2025,chp", "limit"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("row,column", BAD_ROWS)
def test_a_bad_row_rejects_the_whole_file_naming_line_and_column(row, column):
    data = GOOD_FILE + row.encode() + b"\n"
    with pytest.raises(DomainError) as refused:
        actions.import_spec_file(actor=system(), data=data)
    assert refused.value.code == "bad_file"
    messages = refused.value.fields["file"]
    assert len(messages) == 1
    assert messages[0].startswith(f"第 6 行, “{column}”列")
    assert not SpecSet.objects.exists() and not SpecItem.objects.exists()


@pytest.mark.django_db
def test_duplicate_rows_and_unknown_columns_are_refused():
    duplicate = GOOD_FILE + "黄芩,,水分,<=,11.0,%,as_is,,,M,ChP 2025,chp\n".encode()
    with pytest.raises(DomainError) as refused:
        actions.import_spec_file(actor=system(), data=duplicate)
    assert "与第 2 行重复" in refused.value.fields["file"][0]
    misspelt = GOOD_FILE.replace(b"confidence", b"confidance")
    with pytest.raises(DomainError) as refused:
        actions.import_spec_file(actor=system(), data=misspelt)
    assert any("confidance" in m for m in refused.value.fields["file"])
    assert not SpecSet.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data,message",
    [
        (b"", "表头必须包含以下列"),
        (b"\x00\x01binary", "不是文本"),
        (HEADER.encode() + b"\n", "没有标准项目"),
        (f'{HEADER}\n"黄芩,,水分\n'.encode(), "CSV 文件格式有误"),
        (b"PK\x03\x04 not really a workbook", "不是 Excel"),
    ],
)
def test_malformed_files_are_refused_in_the_users_language(data, message):
    with pytest.raises(DomainError) as refused:
        actions.import_spec_file(actor=system(), data=data)
    assert message in " ".join(refused.value.fields["file"])
    assert not SpecSet.objects.exists()


@pytest.mark.django_db
def test_gb18030_text_is_read():
    outcome = actions.import_spec_file(actor=system(), data=GOOD_FILE.decode().encode("gb18030"))
    assert outcome[0][0].items.count() == 3


@pytest.mark.django_db
def test_export_csv_then_import_again_is_unchanged():
    (chp, _), _ = actions.import_spec_file(actor=system(), data=GOOD_FILE)
    text = specfile.csv_text(queries.spec_rows(chp))
    assert text.splitlines()[0].startswith(HEADER)
    outcome = actions.import_spec_file(actor=system(), data=text.encode())
    assert outcome == [(chp, "unchanged")]


@pytest.mark.django_db
def test_export_xlsx_then_import_again_is_unchanged(client, network):
    (chp, _), _ = actions.import_spec_file(actor=system(), data=GOOD_FILE)
    client.force_login(network.point_operator)  # platform sets are readable by everyone
    response = client.get(f"/quality/spec-sets/{chp.pk}/export/?format=xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book.active[2]][:12] == list(specfile.COLUMNS)
    outcome = actions.import_spec_file(actor=system(), data=response.content, filename="x.xlsx")
    assert outcome == [(chp, "unchanged")]


@pytest.mark.django_db
def test_only_platform_admins_write_platform_sets_and_members_their_own(network):
    with pytest.raises(PermissionDenied):
        actions.import_spec_file(actor=Actor(network.point_operator, "web"), data=GOOD_FILE)
    own = actions.import_spec_file(
        actor=Actor(network.point_operator, "web"), data=GOOD_FILE, organisation=network.point
    )
    assert own[0][0].code == "pt1-chp-chp-2025" and own[0][0].organisation == network.point
    assert list(queries.spec_sets(network.other_operator)) == []
    assert set(queries.spec_sets(network.station_admin)) == {s for s, _ in own}


@pytest.mark.django_db
def test_approved_sets_are_never_changed_and_a_new_version_copies_them():
    (chp, _), _ = actions.import_spec_file(actor=system(), data=GOOD_FILE)
    item = chp.items.first()
    actions.approve_spec_set(actor=system(), spec_set=chp)
    with pytest.raises(DomainError) as refused:
        actions.update_spec_item(actor=system(), item=item, limit="13.0")
    assert refused.value.code == "set_not_draft"
    draft = actions.new_spec_version(actor=system(), spec_set=chp)
    assert (draft.version, draft.items.count()) == (2, 3)
    with pytest.raises(DomainError):
        actions.new_spec_version(actor=system(), spec_set=chp)  # the draft exists already
    actions.approve_spec_set(actor=system(), spec_set=draft)
    chp.refresh_from_db()
    assert chp.status == SpecStatus.RETIRED


@pytest.mark.django_db
def test_verifying_an_item_records_who_and_when(network):
    (chp, _), _ = actions.import_spec_file(actor=system(), data=GOOD_FILE)
    network.admin.first_name, network.admin.last_name = "明", "李"
    network.admin.save()
    item = chp.items.get(test_item="水分")
    verified = actions.verify_spec_item(actor=Actor(network.admin, "web"), item=item)
    assert verified.verified_by == "李明" and verified.verified_at is not None
    assert not verified.is_unverified


# --- the starter table ----------------------------------------------------------------------
def test_the_shipped_starter_file_is_what_the_reference_tables_give():
    reference = shared_path("reference")
    text, skipped = starter.derive_text(reference)
    assert starter.DATA.read_text(encoding="utf-8") == text
    assert (6, "no operator (—): 含量测定") in skipped  # 党参 has no assay in ChP 2020


def test_the_starter_table_splits_and_expands_the_reference_rows():
    rows = specfile.read(starter.DATA.read_bytes())
    keys = {(r.herb, r.variant, r.product_form, r.test_item) for r in rows}
    assert ("山药", "毛山药", "crude", "二氧化硫残留量") in keys
    assert ("山药", "光山药", "crude", "二氧化硫残留量") in keys
    assert ("连翘", "青翘", "crude", "水分") in keys and ("连翘", "老翘", "crude", "水分") in keys
    assert ("党参", "", "food", "铅 (Pb)") in keys
    assert ("党参", "", "pieces", "总灰分") in keys  # "same as the 药材"
    assert ("桃仁", "焯桃仁", "pieces", "苦杏仁苷") in keys
    assert ("郁李仁", "", "crude", "二氧化硫残留量") in keys  # "all three"
    pesticides = [r for r in rows if r.panel == starter.PESTICIDE_PANEL]
    assert len(pesticides) == 33 and {r.herb for r in pesticides} == {"*"}
    assert not any(r.required for r in pesticides)
    peach = {
        r.variant: r.limit for r in rows if r.herb == "桃仁" and r.test_item.startswith("苦杏仁苷")
    }
    assert peach == {"": "2.0", "焯桃仁": "1.5", "炒桃仁": "1.6"}
    food = next(r for r in rows if r.authority == "food" and r.test_item == "二氧化硫残留量")
    assert food.limit == "400" and food.edition == starter.FOOD_EDITION


@pytest.mark.django_db
def test_the_platform_loads_the_starter_as_draft_sets_marked_to_be_verified(network):
    outcome = actions.load_starter(actor=system())
    assert [(s.code, s.status) for s, _ in outcome] == [
        ("starter-chp-2020", SpecStatus.DRAFT),
        ("starter-food-2023", SpecStatus.DRAFT),
    ]
    chp = outcome[0][0]
    unverified = [i for i in chp.items.all() if i.is_unverified]
    assert len(unverified) > 100 and chp.items.filter(confidence="V").exists()
    assert [state for _s, state in actions.load_starter(actor=system())] == ["unchanged"] * 2
    with pytest.raises(PermissionDenied):
        actions.load_starter(actor=Actor(network.point_operator, "web"))
