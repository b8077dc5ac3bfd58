"""Filter sets shared by the farm's web lists and the REST API."""

from daodi.orgs.filters import ReviewFilterSet, SearchFilterSet

from .models import BannedPesticide, FarmRecord, Harvest, Plot, Processing


class PlotFilter(SearchFilterSet):
    search_fields = ("name", "holder__name", "village__name", "site__gln", "variety")

    class Meta:
        model = Plot
        fields = ["holder", "herb", "gap_base", "is_active"]


class FarmRecordFilter(SearchFilterSet):
    search_fields = ("plot__name", "product", "active_ingredient", "operator", "findings")

    class Meta:
        model = FarmRecord
        fields = ["plot", "kind"]


class HarvestFilter(ReviewFilterSet):
    search_fields = ("lot", "holder__name", "plots__name")

    class Meta:
        model = Harvest
        fields = ["herb", "flagged"]


class ProcessingFilter(ReviewFilterSet):
    search_fields = ("lots__lot", "holder__name")

    class Meta:
        model = Processing
        fields = ["kind", "herb", "flagged"]


class BannedPesticideFilter(SearchFilterSet):
    search_fields = ("name", "name_en", "aliases")

    class Meta:
        model = BannedPesticide
        fields = ["is_active"]
