"""Filter sets shared by the buying network's web lists and the REST API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from daodi.orgs.filters import ReviewFilterSet, SearchFilterSet, date_bounds

from .models import Commingling, Dispatch, GIClaim, Loss, Packing, Pallet, Purchase


class PurchaseFilter(SearchFilterSet):
    search_fields = ("receipt_no", "seller__name", "lot")
    date = django_filters.DateFilter(field_name="bought_at", lookup_expr="date")

    class Meta:
        model = Purchase
        fields = ["point", "seller", "herb", "payment_method"]


class DispatchFilter(ReviewFilterSet):
    search_fields = ("number", "lines__lot", "vehicle")
    date_from, date_to = date_bounds("sent_at", _("Sent from"), _("Sent until"))

    class Meta:
        model = Dispatch
        fields = ["source", "destination", "status", "flagged"]


class ComminglingFilter(SearchFilterSet):
    search_fields = ("lot",)

    class Meta:
        model = Commingling
        fields = ["holder", "herb"]


class PalletFilter(SearchFilterSet):
    search_fields = ("sscc",)

    class Meta:
        model = Pallet
        fields = ["holder"]


class LossFilter(SearchFilterSet):
    search_fields = ("lot", "note")

    class Meta:
        model = Loss
        fields = ["holder", "reason"]


class GIClaimFilter(SearchFilterSet):
    search_fields = ("lot", "reference")

    class Meta:
        model = GIClaim
        fields = ["indication", "purpose"]


class PackingFilter(SearchFilterSet):
    search_fields = ("lot",)

    class Meta:
        model = Packing
        fields = ["trade_item"]
