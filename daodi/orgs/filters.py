"""Filter sets shared by the web lists and the REST API (one definition, two doors)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Division, Organisation, Site, User


class SearchFilterSet(django_filters.FilterSet):
    """Adds ``q``: a case-insensitive search over ``search_fields``."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    search_fields: tuple[str, ...] = ()

    def search(self, queryset, name, value):
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": value.strip()})
        return queryset.filter(query)


def date_bounds(field: str, label_from, label_to) -> tuple:
    """``date_from`` and ``date_to`` filters on a date-time field (the dated lists' names)."""
    widget = {"widget": forms.DateInput(attrs={"type": "date"})}
    return (
        django_filters.DateFilter(field, lookup_expr="date__gte", label=label_from, **widget),
        django_filters.DateFilter(field, lookup_expr="date__lte", label=label_to, **widget),
    )


class ReviewFilterSet(SearchFilterSet):
    """Adds ``to_review``: records flagged and not yet reviewed (core.review), or the rest."""

    to_review = django_filters.BooleanFilter(method="awaiting_review", label=_("To review"))

    def awaiting_review(self, queryset, name, value):
        waiting = Q(flagged=True, reviewed_at__isnull=True)
        return queryset.filter(waiting) if value else queryset.exclude(waiting)


class OrganisationFilter(SearchFilterSet):
    search_fields = ("name", "code", "phone", "contact_person")

    class Meta:
        model = Organisation
        fields = ["kind", "managed_by", "division", "is_active"]


class SiteFilter(SearchFilterSet):
    search_fields = ("name", "gln", "address", "organisation__name")

    class Meta:
        model = Site
        fields = ["kind", "organisation", "division", "is_active"]


class UserFilter(SearchFilterSet):
    search_fields = ("username", "first_name", "last_name", "phone", "email")
    organisation = django_filters.NumberFilter(
        field_name="memberships__organisation", label=_("Organisation")
    )

    class Meta:
        model = User
        fields = ["is_active"]


class DivisionFilter(SearchFilterSet):
    search_fields = ("name", "code")

    class Meta:
        model = Division
        fields = ["level", "parent"]
