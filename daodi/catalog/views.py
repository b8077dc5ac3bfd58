"""Pages of the herb catalogue: herbs, grades, geographic indications and trade items.

Everyone signed in reads the catalogue; only platform administrators see the create and
edit pages (the actions refuse everyone else anyway). The pages are the generic ones of
``daodi.core.views``.
"""

from __future__ import annotations

from django.utils.text import capfirst

from daodi.core.views import Column, Resource
from daodi.orgs import policy

from . import actions
from .filters import GradeFilter, HerbFilter, IndicationFilter, TradeItemFilter
from .forms import GradeForm, HerbForm, IndicationForm, TradeItemForm
from .models import GeographicIndication, Grade, Herb, TradeItem


class CatalogueResource(Resource):
    """Shared reference data: readable by all, written by platform administrators."""

    namespace = "catalog"

    def can_create(self, user):
        return policy.is_platform_admin(user)

    def can_write(self, user, obj):
        return policy.is_platform_admin(user)


class HerbResource(CatalogueResource):
    model, name = Herb, "herb"
    filterset_class = HerbFilter
    form_class = HerbForm
    list_columns = (
        Column("name", link=True),
        Column("trade_name"),
        Column("pinyin", wide=True),
        Column("material_name", wide=True),
        Column("part_used", wide=True),
        Column("is_active"),
    )
    detail_fields = (
        "code",
        "name",
        "trade_name",
        "pinyin",
        "latin_name",
        "material_name",
        "material_latin",
        "part_used",
        "yield_min_kg_per_mu",
        "yield_max_kg_per_mu",
        "dry_ratio_min",
        "dry_ratio_max",
        "price_min_per_kg",
        "price_max_per_kg",
        "max_purchase_kg",
        "is_active",
    )
    detail_template = "catalog/herb_detail.html"

    def queryset(self, user, *, write=False):
        return Herb.objects.all()

    def detail_context(self, request, obj):
        return {
            "grades": obj.grades.all(),
            "indications": obj.indications.all(),
            "trade_items": obj.trade_items.select_related("grade")[:25],
        }

    def create(self, actor, **data):
        return actions.create_herb(actor=actor, **data)

    def update(self, actor, obj, **data):
        return actions.update_herb(actor=actor, herb=obj, **data)


class GradeResource(CatalogueResource):
    model, name = Grade, "grade"
    filterset_class = GradeFilter
    form_class = GradeForm
    list_columns = (
        Column("herb"),
        Column("specification", link=True),
        Column("grade", link=True),
        Column("name_en", wide=True, verbatim=True),  # English on every page
        Column("description", wide=True),
    )
    detail_fields = ("herb", "specification", "grade", "name_en", "description", "sort_order")
    verbatim_fields = ("name_en",)

    def queryset(self, user, *, write=False):
        return Grade.objects.select_related("herb")

    def create(self, actor, **data):
        return actions.create_grade(actor=actor, **data)

    def update(self, actor, obj, **data):
        return actions.update_grade(actor=actor, target=obj, **data)


class IndicationResource(CatalogueResource):
    model, name = GeographicIndication, "indication"
    filterset_class = IndicationFilter
    form_class = IndicationForm
    list_columns = (
        Column("name", link=True),
        Column("herb"),
        Column("kind", wide=True),
        Column("holder", wide=True),
        Column("registration_no", wide=True),
    )
    detail_fields = (
        "name",
        "herb",
        "kind",
        "registration_no",
        "holder",
        "holder_org",
        "registered_on",
        "divisions",
        "description",
    )

    def queryset(self, user, *, write=False):
        return GeographicIndication.objects.select_related("herb", "holder_org").prefetch_related(
            "divisions"
        )

    def create(self, actor, **data):
        return actions.create_indication(actor=actor, **data)

    def update(self, actor, obj, **data):
        return actions.update_indication(actor=actor, indication=obj, **data)


class TradeItemResource(CatalogueResource):
    model, name, segment = TradeItem, "tradeitem", "trade-items"
    filterset_class = TradeItemFilter
    form_class = TradeItemForm
    list_columns = (
        Column("gtin", link=True),
        Column("herb"),
        Column("grade.label_shown", label=capfirst(Grade._meta.verbose_name)),
        Column("pack_shown", label=capfirst(TradeItem._meta.get_field("pack").verbose_name)),
        Column("net_quantity", wide=True),
        Column("unit", wide=True),
    )
    detail_fields = (
        "gtin",
        "herb",
        "grade",
        ("pack_shown", capfirst(TradeItem._meta.get_field("pack").verbose_name)),
        "net_quantity",
        "unit",
    )

    def queryset(self, user, *, write=False):
        return TradeItem.objects.select_related("herb", "grade__herb", "unit")

    def create(self, actor, **data):
        return actions.create_trade_item(actor=actor, **data)

    def update(self, actor, obj, **data):
        return actions.update_trade_item(actor=actor, trade_item=obj, **data)


herbs = HerbResource()
grades = GradeResource()
indications = IndicationResource()
trade_items = TradeItemResource()
