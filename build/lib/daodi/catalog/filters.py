"""Filter sets shared by the web lists and the REST API."""

import django_filters

from daodi.orgs.filters import SearchFilterSet

from .models import GeographicIndication, Grade, Herb, TradeItem, Unit


class HerbFilter(SearchFilterSet):
    search_fields = ("name", "trade_name", "pinyin", "latin_name", "material_name", "code")

    class Meta:
        model = Herb
        fields = ["part_used", "is_active"]


class GradeFilter(SearchFilterSet):
    search_fields = ("specification", "grade", "herb__name")

    class Meta:
        model = Grade
        fields = ["herb"]


class IndicationFilter(SearchFilterSet):
    search_fields = ("name", "holder", "registration_no", "herb__name")

    class Meta:
        model = GeographicIndication
        fields = ["herb", "kind"]


class UnitFilter(django_filters.FilterSet):
    class Meta:
        model = Unit
        fields = ["dimension"]


class TradeItemFilter(SearchFilterSet):
    search_fields = ("gtin", "pack", "herb__name")

    class Meta:
        model = TradeItem
        fields = ["herb", "grade"]
