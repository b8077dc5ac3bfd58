"""Spreadsheet columns of herbs and grades (see ``daodi.core.xlsx``).

The catalogue is shared reference data: everyone reads all of it, only platform
administrators change it (the actions refuse everyone else, row by row).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from daodi.core.xlsx import (
    Boolean,
    Choice,
    CodeText,
    Column,
    Integer,
    Lookup,
    Number,
    TableSpec,
    Term,
    register,
)

from . import actions
from .choices import PartUsed
from .models import Grade, Herb


def herbs(actor):
    return Herb.objects.all()


TOLERANCES = ("arrival_tolerance_pct", "balance_tolerance_pct")


@register
class HerbTable(TableSpec):
    """Herbs by their code."""

    key = "herbs"
    title = Term(_("Herbs"), "品种")
    order = 30
    columns = (
        Column(
            "code",
            Term(_("Code"), "编码"),
            CodeText(),
            required=True,
            help=_(
                "Unique code of lower-case letters, digits, - and _, e.g. dangshen. "
                "A row whose code exists updates that herb."
            ),
            example="dangshen",
            width=14,
        ),
        Column("name", Term(_("Chinese name"), "中文名"), required=True, example="党参", width=12),
        Column("trade_name", Term(_("Trade name"), "商品名"), example="潞党参", width=12),
        Column("pinyin", Term(_("Pinyin"), "拼音"), required=True, example="dangshen", width=14),
        Column(
            "latin_name",
            Term(_("Botanical name"), "植物学名"),
            example="Codonopsis pilosula (Franch.) Nannf.",
            width=30,
        ),
        Column("material_name", Term(_("Medicinal material"), "药材名"), example="党参"),
        Column(
            "material_latin",
            Term(_("Material Latin name"), "药材拉丁名"),
            example="Codonopsis Radix",
            width=20,
        ),
        Column(
            "part_used",
            Term(_("Part used"), "药用部位"),
            Choice(PartUsed),
            required=True,
            example=PartUsed.ROOT.label,
            width=14,
        ),
        Column(
            "yield_min_kg_per_mu",
            Term(_("Lowest plausible yield (kg/mu)"), "最低合理亩产（kg/亩）"),
            Number(),
            help=_("Dry weight per mu; used to flag implausible harvests."),
            example="80",
            width=14,
        ),
        Column(
            "yield_max_kg_per_mu",
            Term(_("Highest plausible yield (kg/mu)"), "最高合理亩产（kg/亩）"),
            Number(),
            example="250",
            width=14,
        ),
        Column(
            "dry_ratio_min",
            Term(_("Lowest fresh:dry ratio"), "最低折干率（鲜:干）"),
            Number(),
            help=_("Kilograms of fresh herb per kilogram of dried herb, at least 1."),
            example="2.5",
            width=14,
        ),
        Column(
            "dry_ratio_max",
            Term(_("Highest fresh:dry ratio"), "最高折干率（鲜:干）"),
            Number(),
            example="4",
            width=14,
        ),
        Column(
            "price_min_per_kg",
            Term(_("Lowest plausible price (yuan/kg)"), "最低合理价格（元/kg）"),
            Number(),
            help=_("A purchase priced outside the range is confirmed before it is saved."),
            example="5",
            width=14,
        ),
        Column(
            "price_max_per_kg",
            Term(_("Highest plausible price (yuan/kg)"), "最高合理价格（元/kg）"),
            Number(),
            example="60",
            width=14,
        ),
        Column(
            "max_purchase_kg",
            Term(_("Largest plausible purchase (kg)"), "单笔收购最大合理重量（kg）"),
            Number(),
            example="3000",
            width=14,
        ),
        Column(
            "arrival_tolerance_pct",
            Term(_("Arrival weight tolerance (%)"), "到货重量容差（%）"),
            Number(),
            help=_(
                "How far a weight found on arrival may differ from the weight sent before it "
                "is flagged; empty keeps the current value (2 for a new herb)."
            ),
            example="2",
            width=14,
        ),
        Column(
            "balance_tolerance_pct",
            Term(_("Mass balance tolerance (%)"), "物料平衡容差（%）"),
            Number(),
            help=_(
                "How far a node's mass balance of this herb may be off before it is listed; "
                "empty keeps the current value (2 for a new herb)."
            ),
            example="2",
            width=14,
        ),
        Column(
            "is_active",
            Term(_("Active"), "启用"),
            Boolean(),
            help=_("Whether the record is in use."),
            width=8,
        ),
    )

    def queryset(self, actor):
        return Herb.objects.order_by("code")

    @staticmethod
    def _given(values):
        """The row's values, but a tolerance left empty (the herb keeps its own)."""
        return {k: v for k, v in values.items() if not (k in TOLERANCES and v is None)}

    def natural_key(self, values):
        return (values["code"],)

    def find(self, actor, values):
        return Herb.objects.filter(code=values["code"]).first()

    def create(self, actor, values):
        return actions.create_herb(actor=actor, **self._given(values))

    def update(self, actor, obj, values):
        return actions.update_herb(actor=actor, herb=obj, **self._given(values))


@register
class GradeTable(TableSpec):
    """Grades by herb, specification and grade."""

    key = "grades"
    title = Term(_("Grades"), "规格等级")
    order = 40
    columns = (
        Column(
            "herb",
            Term(_("Herb (code)"), "品种编码"),
            Lookup(herbs),
            required=True,
            help=_("Code of the herb; it may be defined in the herbs sheet of this file."),
            example="dangshen",
            width=14,
        ),
        Column(
            "specification",
            Term(_("Specification"), "规格"),
            help=_("e.g. 青翘 / 老翘; empty when the herb has one."),
            example="",
            width=14,
        ),
        Column(
            "grade",
            Term(_("Grade"), "等级"),
            required=True,
            help=_("e.g. 统货, 一等, 二等. Herb, specification and grade identify the row."),
            example="一等",
            width=12,
        ),
        Column(
            "description",
            Term(_("Description"), "说明"),
            width=40,
            example="条长 ≥ 20 cm，芦下直径 ≥ 1.2 cm",
        ),
        Column(
            "sort_order",
            Term(_("Order"), "排序"),
            Integer(empty=0),
            help=_("Position in lists, smallest first."),
            example="1",
            width=8,
        ),
    )

    def queryset(self, actor):
        return Grade.objects.select_related("herb").order_by(
            "herb__code", "sort_order", "specification", "grade"
        )

    def natural_key(self, values):
        return (values["herb"].pk, values.get("specification") or "", values["grade"])

    def find(self, actor, values):
        return Grade.objects.filter(
            herb=values["herb"],
            specification=values.get("specification") or "",
            grade=values["grade"],
        ).first()

    def create(self, actor, values):
        return actions.create_grade(actor=actor, **values)

    def update(self, actor, obj, values):
        return actions.update_grade(actor=actor, target=obj, **values)
