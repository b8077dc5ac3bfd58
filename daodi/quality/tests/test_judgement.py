"""Acceptance 1: judgement from a table of cases (the pure module, no database).

Each row says: an item (operator, limit as written, unit, basis), the result as reported,
and the verdict with the rounded value the judgement must reach. The rounding rule is the
pharmacopoeia's: round to the limit's places, half to even (GB/T 8170), then compare.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daodi.quality import judgement as j
from daodi.quality import units
from daodi.quality.judgement import Item, Reading

P, F, N = j.PASS, j.FAIL, j.NOT_JUDGED


def verdict(item: Item, value: str, *, unit="", loq="", moisture: str | None = None):
    readings = [Reading(item.test_item, value, unit, loq)]
    if moisture is not None:
        readings.append(Reading("水分", moisture, "%"))
    return j.judge([item], readings).items[0]


# op, limit, item unit, value as reported, result unit, verdict, rounded
OPERATOR_CASES = [
    ("<=", "12.0", "%", "11.95", "", P, "12.0"),  # 9 is odd: up to 12.0, within
    ("<=", "12.0", "%", "12.05", "", P, "12.0"),  # 0 is even: down to 12.0, within
    ("<=", "12.0", "%", "12.06", "", F, "12.1"),
    ("<=", "12.0", "%", "12.15", "", F, "12.2"),
    (">=", "9.0", "%", "8.95", "", P, "9.0"),  # the issue's own example
    (">=", "9.0", "%", "8.94", "", F, "8.9"),
    (">=", "9.0", "%", "8.85", "", F, "8.8"),  # 8 is even: down, not up to 8.9
    (">=", "9.0", "%", "8.75", "", F, "8.8"),
    (">=", "9.0", "%", "9", "", P, "9.0"),
    (">=", "0.15", "%", "0.145", "", F, "0.14"),
    (">=", "0.15", "%", "0.155", "", P, "0.16"),
    (">=", "0.050", "%", "0.0495", "", P, "0.050"),  # three places, as the limit is written
    ("<=", "400", "mg/kg", "400.5", "", P, "400"),
    ("<=", "400", "mg/kg", "401.5", "", F, "402"),
    ("<=", "3", "%", "3.5", "", F, "4"),
    ("<=", "3", "%", "2.5", "", P, "2"),
    ("range", "0.5-1.5", "%", "0.45", "", F, "0.4"),
    ("range", "0.5-1.5", "%", "0.46", "", P, "0.5"),
    ("range", "0.5-1.5", "%", "1.54", "", P, "1.5"),
    ("range", "0.5-1.5", "%", "1.55", "", F, "1.6"),
    ("<=", "12.0", "%", "８．９５", "", P, "9.0"),  # full-width digits, as typed on a phone
]


@pytest.mark.parametrize("op,limit,unit,value,result_unit,expected,rounded", OPERATOR_CASES)
def test_each_operator_rounds_half_to_even_before_comparing(
    op, limit, unit, value, result_unit, expected, rounded
):
    judged = verdict(Item("含量", op, limit, unit), value, unit=result_unit)
    assert judged.verdict == expected, judged.reason.text("en")
    assert str(judged.value_rounded) == rounded


UNIT_CASES = [
    # item limit and unit, result as reported, verdict, value in the item's unit
    ((">=", "0.030", "%"), "0.35 mg/g", P, "0.035"),
    (("<=", "0.03", "%"), "350 mg/kg", F, "0.035"),  # rounds to 0.04
    (("<=", "5", "µg/kg"), "5 ug/kg", P, "5"),
    (("<=", "5", "µg/kg"), "0.006 mg/kg", F, "6"),
    (("<=", "150", "mg/kg"), "150 ppm", P, "150"),
    (("<=", "10", "µg/kg"), "10 ppb", P, "10"),
    ((">=", "2.0", "% (ml/g)"), "2.1 ml/100g", P, "2.1"),
    ((">=", "2.0", "ml/100g"), "0.021 ml/g", P, "2.1"),
    (("<=", "10.0", ""), "9.5", P, "9.5"),  # an acid value has no unit
]


@pytest.mark.parametrize("limit,value,expected,converted", UNIT_CASES)
def test_units_convert_to_the_items_unit(limit, value, expected, converted):
    op, number, unit = limit
    judged = verdict(Item("x", op, number, unit), value)
    assert judged.verdict == expected, judged.reason.text("en")
    assert judged.as_row()["value_converted"] == converted


def test_a_unit_of_another_dimension_is_not_judged_and_says_why():
    judged = verdict(Item("挥发油", ">=", "2.0", "ml/100g"), "2.0 %")
    assert judged.verdict == N
    assert judged.reason.text("en") == "The unit “%” does not convert to “ml/100g”."
    assert "不能换算" in judged.reason.text("zh-hans")


def test_an_unknown_unit_in_the_value_is_not_judged():
    assert verdict(Item("x", "<=", "5", "%"), "2 furlongs").verdict == N


# --- dry basis ------------------------------------------------------------------------------
def test_dry_basis_is_corrected_with_the_samples_moisture_and_names_it():
    item = Item("黄芩苷", ">=", "9.0", "%", j.DRY)
    judged = verdict(item, "8.10", moisture="10.0")
    # 8.10 / (1 - 0.100) = 9.0 exactly
    assert (judged.verdict, judged.as_row()["value_converted"]) == (P, "9")
    assert judged.moisture.test_item == "水分"
    assert "水分" in judged.reason.text("en") and "10 %" in judged.reason.text("en")


def test_dry_basis_below_the_limit_fails():
    judged = verdict(Item("黄芩苷", ">=", "9.0", "%", j.DRY), "8.0", moisture="10.0")
    assert (judged.verdict, str(judged.value_rounded)) == (F, "8.9")  # 8.888… rounds to 8.9


def test_dry_basis_without_moisture_is_not_judged_and_never_passed():
    item = Item("黄芩苷", ">=", "9.0", "%", j.DRY)
    judged = j.judge([item], [Reading("黄芩苷", "12.0")])
    assert judged.items[0].verdict == N
    assert "moisture" in judged.items[0].reason.text("en")
    assert judged.conclusion == j.INCOMPLETE


@pytest.mark.parametrize("moisture", ["ND", "100", "符合规定", "abc"])
def test_an_unusable_moisture_result_is_not_used(moisture):
    judged = verdict(Item("黄芩苷", ">=", "9.0", "%", j.DRY), "9.5", moisture=moisture)
    assert judged.verdict == N
    assert judged.moisture is None


def test_as_is_items_ignore_moisture():
    judged = verdict(Item("总灰分", "<=", "5.0", "%"), "4.96", moisture="50")
    assert (judged.verdict, str(judged.value_rounded)) == (P, "5.0")


# --- LOQ, ND and 未检出 -------------------------------------------------------------------
ND_ITEM = Item("甲胺磷", "nd", "0.05", "mg/kg")
LE_ITEM = Item("二氧化硫残留量", "<=", "150", "mg/kg")
GE_ITEM = Item("连翘苷", ">=", "0.15", "%")

LOQ_CASES = [
    # item, value, its LOQ column, verdict
    (ND_ITEM, "ND", "", P),  # the lab worked to the item's own LOQ
    (ND_ITEM, "未检出", "", P),
    (ND_ITEM, "N.D.", "", P),
    (ND_ITEM, "<0.02", "", P),
    (ND_ITEM, "＜0.02 mg/kg", "", P),  # full-width sign
    (ND_ITEM, "<LOQ", "0.02", P),
    (ND_ITEM, "<LOQ", "20 µg/kg", P),  # LOQ in another unit
    (ND_ITEM, "ND", "0.1", N),  # the method could not see down to 0.05
    (ND_ITEM, "<0.1", "", N),
    (ND_ITEM, "0.03", "", P),  # a number below the required LOQ: not quantified
    (ND_ITEM, "0.045", "", P),  # rounds to 0.04
    (ND_ITEM, "0.05", "", F),  # detected
    (ND_ITEM, "0.08", "", F),
    (LE_ITEM, "ND", "10", P),
    (LE_ITEM, "未检出", "10", P),
    (LE_ITEM, "<10", "", P),
    (LE_ITEM, "<LOQ", "10", P),
    (LE_ITEM, "ND", "", N),  # without an LOQ nothing can be compared
    (LE_ITEM, "<LOQ", "", N),
    (LE_ITEM, "<200", "", N),  # below 200 may still be above 150
    (GE_ITEM, "ND", "0.01", F),  # below 0.01 % is below 0.15 %
    (GE_ITEM, "<0.2", "", N),
]


@pytest.mark.parametrize("item,value,loq,expected", LOQ_CASES)
def test_not_detected_and_below_loq_results(item, value, loq, expected):
    judged = verdict(item, value, loq=loq)
    assert judged.verdict == expected, judged.reason.text("en")
    assert judged.reason.text("zh-hans") and judged.reason.text("en")


def test_detected_analyte_reason_names_the_amount():
    judged = verdict(ND_ITEM, "0.08")
    assert judged.reason.text("en") == "Detected: 0.08 mg/kg."


# --- panels and qualitative items --------------------------------------------------------
PANEL = [
    Item(name, "nd", loq, "mg/kg", panel="33种禁用农药")
    for name, loq in (("甲胺磷", "0.05"), ("对硫磷", "0.02"), ("克百威", "0.05"))
]


def test_a_panel_with_one_detected_analyte_fails_and_names_it():
    readings = [Reading("甲胺磷", "ND"), Reading("对硫磷", "0.03"), Reading("克百威", "未检出")]
    judged = j.judge(PANEL, readings)
    (panel,) = judged.panels
    assert panel.verdict == F
    assert panel.reason.text("en") == "Detected: 对硫磷 0.03 mg/kg."
    assert [i.verdict for i in panel.items] == [P, F, P]
    assert judged.lines == [panel]  # the panel is one line of the set
    assert judged.conclusion == j.NOT_CONFORM


def test_a_panel_with_nothing_detected_passes():
    readings = [Reading(i.test_item, "ND") for i in PANEL]
    judged = j.judge(PANEL, readings)
    assert judged.panels[0].verdict == P
    assert judged.panels[0].reason.text("en") == "None of the 3 analytes detected."


def test_a_panel_missing_an_analyte_is_not_judged():
    judged = j.judge(PANEL, [Reading("甲胺磷", "ND"), Reading("对硫磷", "ND")])
    assert judged.panels[0].verdict == N
    assert judged.conclusion == j.INCOMPLETE


@pytest.mark.parametrize(
    "value,expected",
    [
        ("符合规定", P),
        ("符合", P),
        ("conforms", P),
        ("不符合规定", F),
        ("does not conform", F),
        ("12", N),
    ],
)
def test_qualitative_items(value, expected):
    assert verdict(Item("性状", "conforms"), value).verdict == expected


def test_a_number_item_given_words_is_not_judged():
    assert verdict(Item("水分", "<=", "12.0", "%"), "符合规定").verdict == N


# --- conclusions, several sets -----------------------------------------------------------
CHP = [
    Item("水分", "<=", "12.0", "%"),
    Item("黄芩苷", ">=", "9.0", "%", j.DRY),
    Item("性状", "conforms"),
    Item("甲胺磷", "nd", "0.05", "mg/kg", panel="农药", required=False),
]
FOOD = [Item("铅 (Pb)", "<=", "1.0", "mg/kg"), Item("二氧化硫残留量", "<=", "400", "mg/kg")]
SAMPLE = [
    Reading("水分", "10.0"),
    Reading("黄芩苷", "8.20"),
    Reading("性状", "符合规定"),
    Reading("铅 (Pb)", "0.8", "mg/kg"),
    Reading("二氧化硫残留量", "<10", "mg/kg"),
]


def test_optional_items_without_a_result_do_not_make_a_set_incomplete():
    judged = j.judge(CHP, SAMPLE)
    assert [i.verdict for i in judged.items] == [P, P, P, N]
    assert judged.conclusion == j.CONFORM


def test_a_missing_required_item_makes_the_set_incomplete():
    judged = j.judge(CHP, [r for r in SAMPLE if r.test_item != "性状"])
    assert judged.conclusion == j.INCOMPLETE
    assert judged.items[2].reason.text("en") == "No result for this item."


def test_a_failure_outweighs_a_missing_item():
    readings = [Reading("水分", "12.1"), Reading("黄芩苷", "9.5")]  # 性状 missing, 水分 fails
    assert j.judge(CHP, readings).conclusion == j.NOT_CONFORM


def test_several_sets_at_once_each_keep_their_conclusion():
    judged, overall = j.judge_sets([("chp", CHP), ("food", FOOD)], SAMPLE)
    assert [(s.key, s.conclusion) for s in judged] == [("chp", j.CONFORM), ("food", j.CONFORM)]
    assert overall == j.CONFORM

    lead = [r if r.test_item != "铅 (Pb)" else Reading("铅 (Pb)", "1.06", "mg/kg") for r in SAMPLE]
    judged, overall = j.judge_sets([("chp", CHP), ("food", FOOD)], lead)
    assert [s.conclusion for s in judged] == [j.CONFORM, j.NOT_CONFORM]  # 1.06 rounds to 1.1
    assert overall == j.NOT_CONFORM


@pytest.mark.parametrize(
    "conclusions,expected",
    [
        ([j.CONFORM, j.CONFORM], j.CONFORM),
        ([j.CONFORM, j.INCOMPLETE], j.INCOMPLETE),
        ([j.INCOMPLETE, j.NOT_CONFORM], j.NOT_CONFORM),
        ([], j.INCOMPLETE),
    ],
)
def test_the_overall_conclusion_is_the_gravest(conclusions, expected):
    assert j.overall(conclusions) == expected


def test_two_results_for_one_item_are_refused():
    with pytest.raises(ValueError, match="two results"):
        j.judge(CHP, [Reading("水分", "10"), Reading(" 水分 ", "11")])


def test_reasons_come_in_both_languages():
    judged = verdict(Item("水分", "<=", "12.0", "%"), "12.06")
    both = judged.reason.both()
    assert both["en"] == "12.06 rounds to 12.1 %, outside ≤ 12.0 %."
    assert both["zh-hans"] == "12.06 修约为 12.1 %，不符合 ≤ 12.0 %。"


@pytest.mark.parametrize(
    "op,limit,loq",
    [("<=", "abc", ""), ("range", "1.5-0.5", ""), ("nd", "0", ""), ("bigger", "1", "")],
)
def test_bad_items_are_refused_by_check_item(op, limit, loq):
    with pytest.raises(j.SpecError):
        j.check_item(Item("x", op, limit, "%", loq=loq))


# --- properties ---------------------------------------------------------------------------
@given(st.text(max_size=30))
def test_reading_any_text_either_works_or_says_it_cannot(text):
    try:
        measured = j.read_value(Reading("x", text))
    except (j.ValueUnreadable, units.UnitError):
        return
    assert measured.kind in (j.NUMBER, j.BELOW, j.NOT_DETECTED, j.QUALITATIVE)
    assert measured.number is None or measured.number >= 0


@given(
    st.decimals(min_value=0, max_value=100000, places=3, allow_nan=False, allow_infinity=False),
    st.sampled_from(["150", "400", "10.0", "0.5"]),
)
def test_the_verdict_does_not_depend_on_the_unit_the_lab_wrote(value, limit):
    item = Item("x", "<=", limit, "mg/kg")
    in_mg_kg = verdict(item, f"{value} mg/kg")
    in_percent = verdict(item, f"{value / Decimal(10000)} %")
    assert in_mg_kg.verdict == in_percent.verdict
    assert in_mg_kg.value_rounded == in_percent.value_rounded
