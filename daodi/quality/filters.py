"""Filter sets shared by the quality pages and the REST API (one definition, two doors)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from daodi.orgs.filters import SearchFilterSet, date_bounds

from .choices import OrderStatus
from .models import (
    Certificate,
    ColumnMapping,
    Notification,
    Result,
    Sample,
    SpecItem,
    SpecSet,
    TestOrder,
)


class SpecSetFilter(SearchFilterSet):
    search_fields = ("name", "code", "edition")

    class Meta:
        model = SpecSet
        fields = ["status", "authority"]


class SpecItemFilter(SearchFilterSet):
    search_fields = ("herb", "variant", "test_item")

    class Meta:
        model = SpecItem
        fields = ["spec_set", "herb", "confidence"]


class SampleFilter(SearchFilterSet):
    search_fields = ("code", "lot__identifier", "lot__batch", "sampler")

    class Meta:
        model = Sample
        fields = ["product_form"]


class OrderFilter(SearchFilterSet):
    search_fields = ("reference", "sample__code", "sample__lot__batch", "lab__name")
    returned = django_filters.BooleanFilter(method="sent_back", label=_("Returned by the reviewer"))

    def sent_back(self, queryset, name, value):
        waiting = Q(status=OrderStatus.TESTING) & ~Q(return_note="")
        return queryset.filter(waiting) if value else queryset.exclude(waiting)

    class Meta:
        model = TestOrder
        fields = ["status"]


class ResultFilter(SearchFilterSet):
    search_fields = ("test_item", "value", "order__reference")

    class Meta:
        model = Result
        fields = ["order", "status"]


class CertificateFilter(SearchFilterSet):
    search_fields = ("number", "lot__identifier", "lot__batch", "lab__name")
    date_from, date_to = date_bounds("issued_at", _("Issued from"), _("Issued until"))

    class Meta:
        model = Certificate
        fields = ["conclusion"]


class NotificationFilter(SearchFilterSet):
    search_fields = ("lot__identifier", "certificate__number")
    unread = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", label=_("Unread")
    )

    class Meta:
        model = Notification
        fields = ["kind", "audience"]


class MappingFilter(SearchFilterSet):
    search_fields = ("name", "lab__name")

    class Meta:
        model = ColumnMapping
        fields = ["is_active"]
