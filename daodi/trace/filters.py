"""Filter sets of the trace pages (shared with the API where it lists these records)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from daodi.orgs.filters import SearchFilterSet

from . import usability
from .choices import LotStatus
from .models import Lot, Recall

# The status a list filters on is the one it shows: with what a lot inherits from its inputs.
STATUS_CHOICES = [
    (LotStatus.ACTIVE, LotStatus.ACTIVE.label),
    (LotStatus.ON_HOLD, LotStatus.ON_HOLD.label),
    (usability.FAILED, usability.KIND_LABELS[usability.FAILED]),
    (LotStatus.RECALLED, LotStatus.RECALLED.label),
    (LotStatus.CONSUMED, LotStatus.CONSUMED.label),
    (LotStatus.DESTROYED, LotStatus.DESTROYED.label),
]


class LotFilter(SearchFilterSet):
    search_fields = ("identifier", "batch", "serial", "gtin", "holder__name")
    status = django_filters.ChoiceFilter(
        label=_("status"), choices=STATUS_CHOICES, method="by_status"
    )

    class Meta:
        model = Lot
        fields = ["status", "herb", "grade", "holder"]

    def by_status(self, queryset, name, value):
        blocked = usability.blocked_everywhere()
        kinds = {
            identifier: usability.effective_status(Lot(status=LotStatus.ACTIVE), blocks)
            for identifier, blocks in blocked.items()
        }
        if value in (usability.RECALLED, usability.FAILED, usability.HELD):
            return queryset.filter(identifier__in=[i for i, k in kinds.items() if k == value])
        return queryset.filter(status=value).exclude(Q(identifier__in=list(kinds)))


class RecallFilter(SearchFilterSet):
    search_fields = ("reference", "identifier", "reason")

    class Meta:
        model = Recall
        fields = []
