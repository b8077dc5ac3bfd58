"""Excel import and export: all-or-nothing import, idempotence, scoping, templates, CLI, pages.

Every test writes a real .xlsx file to ``tmp_path`` and reads real files back.
"""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from daodi.catalog.models import Grade, Herb
from daodi.core import exchange, gs1
from daodi.core.actor import Actor
from daodi.core.models import AuditEntry
from daodi.orgs import actions as org_actions
from daodi.orgs.models import Division, Organisation, Site

GLN_A = gs1.make_key("9521234", 101, 13)
GLN_B = gs1.make_key("9521234", 102, 13)

ORG_HEADER = ["code", "name", "kind", "managed by (code)", "phone", "active"]
SITE_HEADER = ["Organisation (code)", "Name", "Kind", "GLN", "Latitude", "Longitude"]
HERB_HEADER = ["Code", "Chinese name", "Pinyin", "Part used", "Lowest fresh:dry ratio"]
GRADE_HEADER = ["Herb (code)", "Specification", "Grade", "Order"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def write_book(path, sheets: dict[str, list[list]]):
    """Write ``sheets`` (title → rows, the first row being the header) as a real .xlsx."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        ws = workbook.create_sheet(title)
        for row in rows:
            ws.append(row)
    workbook.save(path)
    return path


def good_book(path):
    """Two new organisations (the second managed by the first), a site, a herb, two grades.

    Cells come as a spreadsheet program stores them: phone and GLN typed as numbers,
    stray spaces, an empty row in the middle.
    """
    return write_book(
        path,
        {
            "organisations": [
                ORG_HEADER,
                ["PT9 ", "梨花村收购点", "Village buying point", "ST1", 13800000001, "yes"],
                [None, None, None, None, None, None],
                ["HH9", "赵春生", "household", "PT9", "0355-1234567", ""],
            ],
            "sites": [
                SITE_HEADER,
                ["HH9", "赵春生 1 号地块", "plot", int(GLN_A), 36.5, 113.25],
            ],
            "herbs": [
                HERB_HEADER,
                ["lianqiao", "连翘", "lianqiao", "fruit", 2.5],
            ],
            "grades": [
                GRADE_HEADER,
                ["lianqiao", "青翘", "统货", 1],
                ["lianqiao", "老翘", "统货", 2.0],
            ],
        },
    )


def importing(user, path, lang="en"):
    with translation.override(lang):
        return exchange.import_workbook(actor=Actor(user=user, channel="web"), file=path)


def counts(result) -> dict:
    return {c.key: (c.created, c.updated, c.unchanged) for c in result.counts}


def errors(result) -> list[tuple]:
    return [(e.sheet, e.row, e.column, e.message) for e in result.errors]


def snapshot_db() -> tuple:
    return (
        Organisation.objects.count(),
        Site.objects.count(),
        Herb.objects.count(),
        Grade.objects.count(),
        AuditEntry.objects.count(),
    )


# --- a good file --------------------------------------------------------------------------------
def test_good_file_imports_everything_with_audit_rows(network, tmp_path):
    audit_before = AuditEntry.objects.count()

    result = importing(network.admin, good_book(tmp_path / "good.xlsx"))

    assert result.ok, errors(result)
    assert counts(result) == {
        "organisations": (2, 0, 0),
        "sites": (1, 0, 0),
        "herbs": (1, 0, 0),
        "grades": (2, 0, 0),
    }
    point = Organisation.objects.get(code="PT9")
    household = Organisation.objects.get(code="HH9")
    assert (point.kind, point.managed_by, point.phone) == (
        "village_point",
        network.station,
        "13800000001",
    )
    assert (household.managed_by, household.phone, household.is_active) == (
        point,
        "0355-1234567",
        True,
    )
    assert household.path == f"{point.path}{household.pk}/"
    site = Site.objects.get(gln=GLN_A)
    assert (site.organisation, site.kind, site.latitude, site.longitude) == (
        household,
        "plot",
        Decimal("36.5"),
        Decimal("113.25"),
    )
    herb = Herb.objects.get(code="lianqiao")
    assert (herb.part_used, herb.dry_ratio_min) == ("fruit", Decimal("2.5"))
    assert list(herb.grades.values_list("specification", "grade", "sort_order")) == [
        ("青翘", "统货", 1),
        ("老翘", "统货", 2),
    ]
    created = AuditEntry.objects.filter(pk__gt=0).order_by("id")[audit_before:]
    assert [(a.action, a.actor, a.channel) for a in created] == [
        ("organisation.create", network.admin, "web"),
        ("organisation.create", network.admin, "web"),
        ("site.create", network.admin, "web"),
        ("herb.create", network.admin, "web"),
        ("grade.create", network.admin, "web"),
        ("grade.create", network.admin, "web"),
    ]


def test_same_file_twice_creates_no_duplicates(network, tmp_path):
    path = good_book(tmp_path / "good.xlsx")
    assert importing(network.admin, path).ok
    before = snapshot_db()

    again = importing(network.admin, path)

    assert again.ok
    assert counts(again) == {
        "organisations": (0, 0, 2),
        "sites": (0, 0, 1),
        "herbs": (0, 0, 1),
        "grades": (0, 0, 2),
    }
    assert snapshot_db() == before  # no new records and no audit rows for unchanged ones


def test_a_changed_row_updates_its_record_found_by_natural_key(network, tmp_path):
    importing(network.admin, good_book(tmp_path / "good.xlsx"))
    path = write_book(
        tmp_path / "changed.xlsx",
        {
            "organisations": [
                ORG_HEADER,
                ["HH9", "赵春生", "household", "PT9", "13900000000", "no"],
            ],
            # The same site, found by its GLN, moved a little.
            "sites": [SITE_HEADER, ["HH9", "赵春生 1 号地块", "plot", GLN_A, "36.6", 113.25]],
        },
    )

    result = importing(network.admin, path)

    assert result.ok, errors(result)
    assert counts(result) == {"organisations": (0, 1, 0), "sites": (0, 1, 0)}
    household = Organisation.objects.get(code="HH9")
    assert (household.phone, household.is_active) == ("13900000000", False)
    assert Site.objects.get(gln=GLN_A).latitude == Decimal("36.6")
    entry = AuditEntry.objects.filter(action="organisation.update").latest("id")
    assert entry.changes == {"phone": ["0355-1234567", "13900000000"], "is_active": [True, False]}


def test_herb_tolerances_are_set_from_the_sheet_and_an_empty_cell_keeps_them(network, tmp_path):
    header = [*HERB_HEADER, "Arrival weight tolerance (%)", "物料平衡容差（%）"]
    first = write_book(
        tmp_path / "herbs.xlsx",
        {"herbs": [header, ["lianqiao", "连翘", "lianqiao", "fruit", 2.5, 5, None]]},
    )
    assert importing(network.admin, first).ok
    herb = Herb.objects.get(code="lianqiao")
    # Fresh 青翘 loses water on the road: 5 %; the balance tolerance left empty: the default.
    assert (herb.arrival_tolerance_pct, herb.balance_tolerance_pct) == (Decimal(5), Decimal(2))
    again = write_book(
        tmp_path / "herbs2.xlsx",
        {"herbs": [header, ["lianqiao", "连翘", "lianqiao", "fruit", 2.5, None, "3.5"]]},
    )
    result = importing(network.admin, again)
    assert result.ok and counts(result) == {"herbs": (0, 1, 0)}
    herb.refresh_from_db()
    assert (herb.arrival_tolerance_pct, herb.balance_tolerance_pct) == (Decimal(5), Decimal("3.5"))
    bad = write_book(
        tmp_path / "bad.xlsx",
        {"herbs": [header, ["lianqiao", "连翘", "lianqiao", "fruit", 2.5, -1, None]]},
    )
    result = importing(network.admin, bad)
    assert not result.ok and errors(result)[0][:2] == ("herbs", 2)
    herb.refresh_from_db()
    assert herb.arrival_tolerance_pct == Decimal(5)


def test_exported_herbs_carry_their_tolerances(network, tmp_path):
    Herb.objects.create(code="shanyao", name="山药", pinyin="shanyao", arrival_tolerance_pct=8)
    path = tmp_path / "export.xlsx"
    with translation.override("zh-hans"):
        exchange.export_workbook(
            actor=Actor(user=network.admin, channel="web"), kind="herbs", file=path
        )
    sheet = openpyxl.load_workbook(path).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    row = next(r for r in rows if "shanyao" in r)
    assert float(row[header.index("到货重量容差（%）")]) == 8
    assert float(row[header.index("物料平衡容差（%）")]) == 2


# --- bad rows -----------------------------------------------------------------------------------
def bad_book(path, *, chinese: bool = False):
    """Good rows plus one bad row in the organisations sheet (row 3, an unknown kind) and
    one in the sites sheet (row 2, a latitude beyond 90)."""
    if chinese:
        return write_book(
            path,
            {
                "组织": [
                    ["编码", "名称", "类型", "上级组织编码"],
                    ["PT9", "梨花村收购点", "village_point", "ST1"],
                    ["HH9", "赵春生", "农场主", "PT9"],
                ],
                "场所": [
                    ["所属组织编码", "名称", "类型", "纬度"],
                    ["PT9", "梨花村收购点", "buying_point", 100],
                ],
            },
        )
    return write_book(
        path,
        {
            "organisations": [
                ORG_HEADER,
                ["PT9", "梨花村收购点", "Village buying point", "ST1", "", ""],
                ["HH9", "赵春生", "farmer", "PT9", "", ""],
            ],
            "sites": [SITE_HEADER, ["PT9", "梨花村收购点", "buying_point", "", 100, 113]],
        },
    )


def test_bad_rows_in_two_sheets_import_nothing_and_are_reported_in_english(network, tmp_path):
    before = snapshot_db()

    result = importing(network.admin, bad_book(tmp_path / "bad.xlsx"), lang="en")

    assert not result.ok
    assert result.counts == []
    allowed = "、".join(
        [
            "Grower household",
            "Co-operative",
            "Village buying point",
            "Township station",
            "County hub",
            "Processor",
            "Pharmaceutical manufacturer",
            "Testing lab",
            "Trader / e-commerce seller",
            "Logistics",
            "Government department",
        ]
    )
    assert errors(result) == [
        ("organisations", 3, "Kind", f"Unknown value “farmer”. Allowed: {allowed}."),
        ("sites", 2, "Latitude", "Ensure this value is less than or equal to 90."),
    ]
    with translation.override("en"):
        assert str(result.errors[0]).startswith(
            "Sheet “organisations”, row 3, column “Kind”: Unknown value “farmer”."
        )
    # The good rows before and between the bad ones were rolled back too.
    assert snapshot_db() == before
    assert not Organisation.objects.filter(code="PT9").exists()


def test_bad_rows_are_reported_in_chinese_by_default(network, tmp_path):
    before = snapshot_db()

    with translation.override("zh-hans"):
        result = exchange.import_workbook(
            actor=Actor(user=network.admin, channel="web"),
            file=bad_book(tmp_path / "bad.xlsx", chinese=True),
        )
        lines = [str(e) for e in result.errors]

    assert [(e.sheet, e.row, e.column) for e in result.errors] == [
        ("组织", 3, "类型"),
        ("场所", 2, "纬度"),
    ]
    assert "农场主" in result.errors[0].message
    # One line per error naming the sheet and column as the user wrote them.
    assert len(lines) == 2
    assert "“组织”" in lines[0] and "3" in lines[0] and "“类型”" in lines[0]
    assert "“场所”" in lines[1] and "2" in lines[1] and "“纬度”" in lines[1]
    assert snapshot_db() == before


def test_english_file_is_read_by_a_chinese_user_and_chinese_file_by_an_english_one(
    network, tmp_path
):
    english = importing(network.admin, good_book(tmp_path / "good.xlsx"), lang="zh-hans")
    chinese = importing(
        network.admin,
        write_book(
            tmp_path / "zh.xlsx",
            {
                "品种": [
                    ["编码", "中文名", "拼音", "药用部位", "启用"],
                    ["huangqin", "黄芩", "huangqin", "root", "是"],
                ],
            },
        ),
        lang="en",
    )

    assert english.ok and chinese.ok, (errors(english), errors(chinese))
    assert Herb.objects.get(code="huangqin").is_active is True


def test_an_operator_cannot_import_a_household_under_another_point(network, tmp_path):
    path = write_book(
        tmp_path / "households.xlsx",
        {
            "organisations": [
                ORG_HEADER,
                ["HH10", "张三", "household", "PT1", "", ""],
                ["HH11", "李四", "household", "PT2", "", ""],
                ["HH2", "李小梅（改）", "household", "PT1", "", ""],
            ],
        },
    )
    before = snapshot_db()

    result = importing(network.point_operator, path)

    # PT2 is outside the operator's records, so its code names nothing they can see; HH2
    # exists but is not theirs, so the row would create a second HH2, which the code forbids.
    assert errors(result) == [
        ("organisations", 3, "Managed by (code)", "No organisation with the code “PT2”."),
        ("organisations", 4, "Code", "Organisation with this Code already exists."),
    ]
    assert snapshot_db() == before


def test_a_viewer_may_not_write_and_the_action_says_so(network, tmp_path):
    path = write_book(
        tmp_path / "households.xlsx",
        {
            "organisations": [ORG_HEADER, ["HH10", "张三", "household", "PT1", "", ""]],
        },
    )

    result = importing(network.point_viewer, path)

    assert errors(result) == [
        ("organisations", 2, "", "You do not have permission to do this."),
    ]
    assert not Organisation.objects.filter(code="HH10").exists()


def test_an_operator_imports_their_own_households(network, tmp_path):
    path = write_book(
        tmp_path / "households.xlsx",
        {
            "organisations": [ORG_HEADER, ["HH10", "张三", "household", "PT1", "", ""]],
            "herbs": [HERB_HEADER],  # headers only: nothing to do, and no catalogue rights needed
        },
    )

    result = importing(network.point_operator, path)

    assert result.ok, errors(result)
    assert counts(result) == {"organisations": (1, 0, 0)}
    assert Organisation.objects.get(code="HH10").managed_by == network.point


def test_operators_may_not_change_the_catalogue(network, tmp_path):
    path = write_book(
        tmp_path / "herbs.xlsx",
        {
            "herbs": [HERB_HEADER, ["lianqiao", "连翘", "lianqiao", "fruit", ""]],
        },
    )

    result = importing(network.point_operator, path)

    assert errors(result) == [("herbs", 2, "", "You do not have permission to do this.")]
    assert not Herb.objects.exists()


def test_each_bad_cell_of_a_row_is_reported_and_a_repeated_row_is_refused(network, tmp_path):
    path = write_book(
        tmp_path / "cells.xlsx",
        {
            "organisations": [
                ORG_HEADER,
                ["", "无名", "household", "PT404", "", "maybe"],
                ["HH10", "张三", "household", "PT1", "phone?", ""],
                ["HH12", "王五", "household", "PT1", "", ""],
                ["HH12", "王五", "household", "PT1", "", ""],
            ],
            "sites": [SITE_HEADER, ["HH1", "地块", "plot", "", "north", ""]],
        },
    )

    result = importing(network.admin, path)

    assert errors(result) == [
        ("organisations", 2, "Code", "This field is required."),
        ("organisations", 2, "Managed by (code)", "No organisation with the code “PT404”."),
        ("organisations", 2, "Active", "Enter yes or no."),
        ("organisations", 3, "Phone", "Enter a phone number of digits only."),
        ("organisations", 5, "", "This row describes the same record as row 4."),
        ("sites", 2, "Latitude", "Enter a number."),
    ]
    assert not Organisation.objects.filter(code__in=["HH10", "HH12"]).exists()


def test_an_invalid_gln_is_reported_under_its_column(network, tmp_path):
    wrong = GLN_B[:-1] + str((int(GLN_B[-1]) + 1) % 10)
    path = write_book(
        tmp_path / "gln.xlsx",
        {
            "sites": [SITE_HEADER, ["HH1", "地块", "plot", int(wrong), "", ""]],
        },
    )

    result = importing(network.admin, path)

    assert errors(result) == [("sites", 2, "GLN", "Not a valid 13-digit GLN (check digit).")]


# --- malformed files ------------------------------------------------------------------------------
@pytest.mark.parametrize("content", [b"", b"code,name\nHH1,x\n", b"PK\x03\x04 not really a zip"])
def test_a_file_that_is_not_a_workbook_is_refused(network, tmp_path, content):
    path = tmp_path / "not.xlsx"
    path.write_bytes(content)

    result = importing(network.admin, path)

    assert errors(result) == [("", None, "", "This file is not an Excel workbook (.xlsx).")]


def test_an_uploaded_file_object_is_read_too(network, tmp_path):
    data = good_book(tmp_path / "good.xlsx").read_bytes()

    result = importing(network.admin, io.BytesIO(data))

    assert result.ok and counts(result)["grades"] == (2, 0, 0)


@pytest.mark.parametrize(
    ("sheets", "expected"),
    [
        ({"organisations": [ORG_HEADER]}, [("", None, "", "The file holds no rows to import.")]),
        ({"Sheet1": []}, [("", None, "", "The file holds no rows to import.")]),
        (
            {"organisations": [["code", "name"], ["HH10", "张三"]]},
            [("organisations", 1, "Kind", "This required column is missing.")],
        ),
        (
            {"organisations": [["code", "name", "kind", "colour"], ["HH10", "张三", "household"]]},
            [("organisations", 1, "colour", "Unknown column.")],
        ),
        (
            {"organisations": [["code", "name", "kind", "名称"], ["HH10", "张三", "household"]]},
            [("organisations", 1, "Name", "This column appears twice.")],
        ),
        (
            {"organisations": [[], ORG_HEADER, ["HH10", "张三", "household", "PT1", "", ""]]},
            [("organisations", 1, "", "The first row must hold the column headers.")],
        ),
        (
            {"farmers": [["code"], ["HH10"]]},
            [
                (
                    "farmers",
                    None,
                    "",
                    "Unknown sheet. Expected one of: organisations "
                    "(Organisations)、sites (Sites)、herbs (Herbs)、grades (Grades).",
                )
            ],
        ),
        (
            {
                "organisations": [ORG_HEADER, ["HH10", "张三", "household", "PT1", "", ""]],
                "组织": [ORG_HEADER, ["HH11", "李四", "household", "PT1", "", ""]],
            },
            [("组织", None, "", "The sheet “organisations” already holds Organisations.")],
        ),
    ],
    ids=[
        "headers-only",
        "empty-sheet",
        "missing-required-header",
        "unknown-header",
        "duplicate-header",
        "header-not-first",
        "unknown-sheet",
        "kind-twice",
    ],
)
def test_malformed_workbooks_import_nothing(network, tmp_path, sheets, expected):
    before = snapshot_db()

    result = importing(network.admin, write_book(tmp_path / "bad.xlsx", sheets))

    assert errors(result) == expected
    assert snapshot_db() == before


# --- export -----------------------------------------------------------------------------------
def test_export_holds_what_the_user_may_read_in_their_language(network, tmp_path):
    path = tmp_path / "orgs.xlsx"
    with translation.override("en"):
        written = exchange.export_workbook(
            actor=Actor(user=network.point_operator, channel="web"), kind="organisations", file=path
        )

    workbook = openpyxl.load_workbook(path)
    ws = workbook["Organisations"]
    rows = list(ws.iter_rows(values_only=True))
    assert written == 2
    assert rows[0] == (
        "Code",
        "Name",
        "Kind",
        "Managed by (code)",
        "Division (code)",
        "Party GLN",
        "Contact person",
        "Phone",
        "Address",
        "Active",
    )
    assert rows[1:] == [
        ("PT1", "杏树村收购点", "Village buying point", "ST1", None, None, None, None, None, "yes"),
        ("HH1", "王大山", "Grower household", "PT1", None, None, None, None, None, "yes"),
    ]
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width == 24


def test_export_in_chinese_uses_chinese_headers_and_sheet_titles(network, tmp_path):
    path = tmp_path / "grades.xlsx"
    with translation.override("zh-hans"):
        exchange.export_workbook(actor=Actor.system(), kind="grades", file=path)

    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["规格等级"]
    assert next(workbook["规格等级"].iter_rows(values_only=True)) == (
        "品种编码",
        "规格",
        "等级",
        "说明",
        "排序",
    )


def test_export_then_import_round_trip(network, tmp_path):
    importing(network.admin, good_book(tmp_path / "good.xlsx"))
    path = tmp_path / "all.xlsx"
    with translation.override("en"):
        exchange.export_workbook(
            actor=Actor(user=network.admin, channel="web"), kind="all", file=path
        )
    household = Organisation.objects.get(code="HH9")
    org_actions.update_organisation(actor=Actor.system(), organisation=household, name="改名")
    before = snapshot_db()

    # Exported in English, imported by a Chinese user: labels and headers are understood.
    result = importing(network.admin, path, lang="zh-hans")

    assert result.ok, errors(result)
    assert counts(result) == {
        "organisations": (0, 1, 8),
        "sites": (0, 0, 1),
        "herbs": (0, 0, 1),
        "grades": (0, 0, 2),
    }
    assert Organisation.objects.get(code="HH9").name == "赵春生"
    assert snapshot_db()[:4] == before[:4]


def test_an_export_imports_into_an_empty_database(network, tmp_path):
    path = tmp_path / "orgs.xlsx"
    exchange.export_workbook(actor=Actor.system(), kind="organisations", file=path)
    exported = list(
        Organisation.objects.order_by("code").values_list(
            "code", "name", "kind", "managed_by__code"
        )
    )
    for org in sorted(Organisation.objects.all(), key=lambda o: -len(o.path)):
        org.delete()  # the deepest first: managers are protected while they manage others

    result = importing(None, path)  # the system, as the command line does without --user

    assert result.ok, errors(result)
    assert counts(result) == {"organisations": (7, 0, 0)}
    assert (
        list(
            Organisation.objects.order_by("code").values_list(
                "code", "name", "kind", "managed_by__code"
            )
        )
        == exported
    )


def test_an_unknown_kind_is_refused(tmp_path):
    with pytest.raises(exchange.ExchangeError) as exc:
        exchange.export_workbook(actor=Actor.system(), kind="plots", file=tmp_path / "x.xlsx")
    assert exc.value.code == "unknown_kind"


# --- templates --------------------------------------------------------------------------------
def test_template_has_headers_and_instructions_and_imports_once_filled(network, tmp_path):
    Division.objects.create(code="140000000000", name="山西省", level="province")
    path = tmp_path / "template.xlsx"
    with translation.override("zh-hans"):
        exchange.template_workbook("organisations", path)

    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["组织", "说明／Instructions"]
    sheet = workbook["组织"]
    header = [c.value for c in sheet[1]]
    assert header == [
        "编码",
        "名称",
        "类型",
        "上级组织编码",
        "行政区划代码",
        "主体GLN",
        "联系人",
        "电话",
        "地址",
        "启用",
    ]
    assert sheet.max_row == 1 and sheet.freeze_panes == "A2"
    info = list(workbook["说明／Instructions"].iter_rows(values_only=True))
    kind_row = next(r for r in info if r[0] == "类型")
    assert "农户" in kind_row[3] and "政府部门" in kind_row[3]
    example = info[-1][: len(header)]
    assert info[-2][: len(header)] == tuple(header)

    # Copying the example row under the headers makes a file that imports.
    sheet.append(list(example))
    workbook.save(path)
    result = importing(network.admin, path, lang="zh-hans")
    assert result.ok, errors(result)
    assert Organisation.objects.get(code="HH0001").managed_by == network.point


# --- command line -----------------------------------------------------------------------------
def test_import_command_imports_a_good_file(network, tmp_path):
    out = io.StringIO()

    call_command("import", str(good_book(tmp_path / "good.xlsx")), "--lang", "en", stdout=out)

    assert out.getvalue().splitlines() == [
        "Organisations: 2 created, 0 updated, 0 unchanged.",
        "Sites: 1 created, 0 updated, 0 unchanged.",
        "Herbs: 1 created, 0 updated, 0 unchanged.",
        "Grades: 2 created, 0 updated, 0 unchanged.",
    ]
    entry = AuditEntry.objects.filter(action="organisation.create").latest("id")
    assert (entry.actor, entry.channel) == (None, "cli")


def test_import_command_prints_every_error_and_fails(network, tmp_path, monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en_US:en")
    err = io.StringIO()
    before = snapshot_db()

    with pytest.raises(CommandError) as exc:
        call_command("import", str(bad_book(tmp_path / "bad.xlsx")), stderr=err)

    assert str(exc.value) == "Nothing was imported: 2 errors."
    lines = err.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Sheet “organisations”, row 3, column “Kind”: Unknown value")
    assert lines[1] == (
        "Sheet “sites”, row 2, column “Latitude”: Ensure this value is less than or equal to 90."
    )
    assert snapshot_db() == before


def test_import_command_speaks_chinese_by_default(network, tmp_path, monkeypatch):
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import", str(bad_book(tmp_path / "bad.xlsx", chinese=True)), stderr=err)

    lines = err.getvalue().splitlines()
    assert len(lines) == 2 and "“类型”" in lines[0] and "“纬度”" in lines[1]


def test_import_command_acts_as_the_named_user(network, tmp_path):
    path = write_book(
        tmp_path / "households.xlsx",
        {
            "organisations": [ORG_HEADER, ["HH11", "李四", "household", "PT2", "", ""]],
        },
    )
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import", str(path), "--user", "point_op", "--lang", "en", stderr=err)
    call_command("import", str(path), "--user", "other_op", "--lang", "en", stdout=io.StringIO())

    assert "No organisation with the code “PT2”." in err.getvalue()
    assert Organisation.objects.get(code="HH11").managed_by == network.other_point
    with pytest.raises(CommandError, match="No active user named nobody."):
        call_command("import", str(path), "--user", "nobody", "--lang", "en")


def test_import_command_refuses_a_missing_or_malformed_file(network, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    err = io.StringIO()

    with pytest.raises(CommandError, match="No file at"):
        call_command("import", str(tmp_path / "absent.xlsx"), "--lang", "en")
    with pytest.raises(CommandError, match="Nothing was imported: 1 error."):
        call_command("import", str(bad), "--lang", "en", stderr=err)
    assert err.getvalue().strip() == "This file is not an Excel workbook (.xlsx)."


def test_export_command_writes_a_workbook_that_imports_back(network, tmp_path):
    path = tmp_path / "orgs.xlsx"
    out = io.StringIO()

    call_command(
        "export", "organisations", str(path), "--user", "station_admin", "--lang", "en", stdout=out
    )
    result = importing(network.station_admin, path)

    assert out.getvalue().strip() == f"5 records written to {path}."
    codes = [
        r[0]
        for r in openpyxl.load_workbook(path)["Organisations"].iter_rows(
            min_row=2, values_only=True
        )
    ]
    assert sorted(codes) == ["HH1", "HH2", "PT1", "PT2", "ST1"]
    assert counts(result) == {"organisations": (0, 0, 5)}
    with pytest.raises(CommandError, match="Unknown kind “plots”"):
        call_command("export", "plots", str(path), "--lang", "en")


# --- pages ------------------------------------------------------------------------------------
def test_pages_need_a_signed_in_user(client, network):
    for url in (
        reverse("exchange:index"),
        reverse("exchange:template", args=["herbs"]),
        reverse("exchange:export", args=["herbs"]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_upload_page_offers_exports_and_templates_of_every_kind(client, network):
    client.force_login(network.point_viewer)

    response = client.get(reverse("exchange:index"))

    assert response.status_code == 200
    page = response.content.decode()
    for kind in ("organisations", "sites", "herbs", "grades"):
        assert reverse("exchange:export", args=[kind]) in page
        assert reverse("exchange:template", args=[kind]) in page
    assert 'enctype="multipart/form-data"' in page


def test_upload_page_imports_and_shows_the_summary(client, network, tmp_path):
    client.force_login(network.admin)
    with open(good_book(tmp_path / "good.xlsx"), "rb") as f:
        response = client.post(reverse("exchange:index"), {"file": f}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.context["result"].ok
    assert b'data-testid="import-summary"' in response.content
    assert Organisation.objects.filter(code__in=["PT9", "HH9"]).count() == 2


def test_upload_page_shows_the_error_table_and_imports_nothing(client, network, tmp_path):
    client.force_login(network.admin)
    before = snapshot_db()
    with open(bad_book(tmp_path / "bad.xlsx", chinese=True), "rb") as f:
        response = client.post(reverse("exchange:index"), {"file": f})

    assert response.status_code == 422
    assert [(e.sheet, e.row, e.column) for e in response.context["errors"]] == [
        ("组织", 3, "类型"),
        ("场所", 2, "纬度"),
    ]
    assert b'data-testid="import-errors"' in response.content
    assert "农场主" in response.content.decode()
    assert snapshot_db() == before


def test_export_and_template_downloads(client, network):
    client.force_login(network.point_operator)

    export = client.get(reverse("exchange:export", args=["sites"]))
    template = client.get(reverse("exchange:template", args=["grades"]))
    unknown = client.get(reverse("exchange:export", args=["plots"]))

    assert export["Content-Type"] == exchange.XLSX_CONTENT_TYPE
    assert export["Content-Disposition"] == 'attachment; filename="daodi-sites.xlsx"'
    assert openpyxl.load_workbook(io.BytesIO(export.content)).sheetnames == ["场所"]
    assert openpyxl.load_workbook(io.BytesIO(template.content)).sheetnames == [
        "规格等级",
        "说明／Instructions",
    ]
    assert unknown.status_code == 404
