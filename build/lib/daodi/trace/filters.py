"""Filter sets of the trace pages (shared with the API where it lists these records)."""

from daodi.orgs.filters import SearchFilterSet

from .models import Lot, Recall


class LotFilter(SearchFilterSet):
    search_fields = ("identifier", "batch", "serial", "gtin", "holder__name")

    class Meta:
        model = Lot
        fields = ["status", "herb", "grade", "holder"]


class RecallFilter(SearchFilterSet):
    search_fields = ("reference", "identifier", "reason")

    class Meta:
        model = Recall
        fields = []
