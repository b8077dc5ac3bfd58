"""``daodi quality``: judging files, importing and exporting sets, the starter table."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from .. import starter
from ..models import SpecSet

SPEC = """herb,variant,test_item,op,limit,unit,basis,method,source,confidence
黄芩,,水分,<=,12.0,%,as_is,0832,memory,M
黄芩,,"黄芩苷 (baicalin, C21H18O11)",>=,9.0,%,dry,0512 HPLC,P-SCU,V
黄芩,,二氧化硫残留量,<=,150,mg/kg,as_is,2331,general rule,V
*,,甲胺磷,nd,0.05,mg/kg,as_is,0212,list,M
"""
RESULTS = """test_item,value,unit,loq
水分,10.0,%,
"黄芩苷 (baicalin, C21H18O11)",8.055,%,
二氧化硫残留量,ND,mg/kg,10
甲胺磷,未检出,,
"""
KEYS = {
    "test_item",
    "value",
    "value_converted",
    "value_rounded",
    "op",
    "limit",
    "unit",
    "basis",
    "verdict",
    "reason",
}


def files(tmp_path: Path, spec: str = SPEC, results: str = RESULTS) -> tuple[str, str]:
    (tmp_path / "spec.csv").write_text(spec, encoding="utf-8")
    (tmp_path / "results.csv").write_text(results, encoding="utf-8")
    return str(tmp_path / "spec.csv"), str(tmp_path / "results.csv")


def judge(*args) -> str:
    out = io.StringIO()
    call_command("quality", "judge", *args, stdout=out)
    return out.getvalue()


def test_judge_prints_json_in_the_issues_shape(tmp_path):
    spec, results = files(tmp_path)
    data = json.loads(judge("--spec", spec, "--results", results, "--json"))
    assert set(data) == {"items", "conclusion"}
    assert data["conclusion"] == "conform"
    assert all(set(item) == KEYS for item in data["items"])
    baicalin = data["items"][1]
    assert baicalin == {
        "test_item": "黄芩苷 (baicalin, C21H18O11)",
        "value": "8.055",
        "value_converted": "8.95",  # 8.055 / (1 - 0.100)
        "value_rounded": "9.0",  # half to even: 8.95 → 9.0
        "op": ">=",
        "limit": "9.0",
        "unit": "%",
        "basis": "dry",
        "verdict": "pass",
        "reason": {
            "zh-hans": "8.95 修约为 9.0 %，符合 ≥ 9.0 %。"
            "按干燥品计算，水分 10 %（取自“水分”结果）。",
            "en": "8.95 rounds to 9.0 %, within ≥ 9.0 %. "
            "Dry basis with moisture 10 % (result “水分”).",
        },
    }
    assert data["items"][3]["limit"] == "0.05" and data["items"][3]["verdict"] == "pass"


def test_judge_prints_a_table_with_the_conclusion(tmp_path):
    spec, results = files(tmp_path, results=RESULTS.replace("8.055", "8.04"))
    out = judge("--spec", spec, "--results", results, "--lang", "zh-hans")
    lines = out.splitlines()
    assert lines[0].split() == [
        "检验项目",
        "结果",
        "换算值",
        "修约值",
        "限度",
        "计算基准",
        "判定",
        "理由",
    ]
    assert any(line.startswith("黄芩苷") and "不符合规定" in line for line in lines)
    assert lines[-1] == "结论：不符合规定"


def test_judge_without_moisture_is_incomplete(tmp_path):
    spec, results = files(tmp_path, results=RESULTS.replace("水分,10.0,%,\n", ""))
    data = json.loads(judge("--spec", spec, "--results", results, "--json"))
    assert data["conclusion"] == "incomplete"
    assert data["items"][1]["verdict"] == "not_judged"


def test_judge_with_several_sets_takes_the_gravest(tmp_path):
    two = "herb,test_item,op,limit,unit,edition,authority\n" + (
        "黄芩,水分,<=,12.0,%,ChP 2020,chp\n黄芩,水分,<=,9.0,%,收购标准 2026,buyer\n"
    )
    spec, results = files(tmp_path, spec=two)
    data = json.loads(judge("--spec", spec, "--results", results, "--json"))
    assert [i["verdict"] for i in data["items"]] == ["pass", "fail"]
    assert data["conclusion"] == "not_conform"


@pytest.mark.parametrize(
    "spec,results,message",
    [
        (SPEC, "value\n1\n", "表头必须包含以下列"),
        (SPEC, "test_item,value\n水分,1\n水分,2\n", "重复出现"),
        ("herb,test_item,op,limit,unit\n黄芩,水分,<>,1,%\n", RESULTS, "未知判定符号"),
        ("herb,test_item,op,limit,unit\n黄芩,水分,<=,1,%\n青翘,水分,<=,2,%\n", RESULTS, "--herb"),
    ],
)
def test_bad_files_exit_with_status_one_and_print_nothing(tmp_path, spec, results, message):
    spec_path, results_path = files(tmp_path, spec=spec, results=results)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command(
            "quality", "judge", "--spec", spec_path, "--results", results_path, "--json",
            stdout=out, stderr=err,
        )  # fmt: skip
    assert message in err.getvalue() + str(failed.value)
    assert out.getvalue() == ""


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        judge("--spec", str(tmp_path / "none.csv"), "--results", str(tmp_path / "none.csv"))


@pytest.mark.django_db
def test_import_then_export_gives_the_same_rows(tmp_path):
    source = tmp_path / "set.csv"
    source.write_text(
        "herb,variant,test_item,op,limit,unit,basis,method,source,confidence,edition,authority\n"
        "黄芩,,水分,<=,12.0,%,as_is,0832,memory,M,ChP 2025,chp\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("quality", "import-spec", str(source), stdout=out)
    assert "1 个项目，1 个待核对" in out.getvalue()
    exported = tmp_path / "out.csv"
    call_command("quality", "export-spec", "chp-chp-2025", "--out", str(exported))
    assert (
        exported.read_text(encoding="utf-8")
        .splitlines()[1]
        .startswith("黄芩,,水分,<=,12.0,%,as_is,0832,memory,M,ChP 2025,chp")
    )
    with pytest.raises(CommandError):
        call_command("quality", "export-spec", "no-such-set")


@pytest.mark.django_db
def test_starter_loads_the_shipped_sets():
    out = io.StringIO()
    call_command("quality", "starter", stdout=out)
    assert SpecSet.objects.filter(code__startswith="starter-").count() == 2
    assert "starter-chp-2020" in out.getvalue()


def test_starter_derive_writes_the_data_file(tmp_path, monkeypatch):
    from conftest import shared_path

    reference = shared_path("reference")
    monkeypatch.setattr(starter, "DATA", tmp_path / "starter_specs.csv")
    out = io.StringIO()
    call_command("quality", "starter", "--derive", str(reference), stdout=out)
    assert (tmp_path / "starter_specs.csv").read_text(encoding="utf-8") == (
        Path(starter.__file__).parent / "data" / "starter_specs.csv"
    ).read_text(encoding="utf-8")
    assert "含量测定" in out.getvalue()
