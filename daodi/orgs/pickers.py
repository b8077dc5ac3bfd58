"""Organisation pickers: which organisations a role may choose where, found as one types.

Each form field that takes an organisation names a *purpose* (``seller`` for a purchase, the
households and co-operatives the point may buy from; ``managed_by`` for an organisation's
keeper ...). A purpose is registered once, here for the orgs pages and from each upper app's
``apps.py`` for its own, with the scoped query that decides what may be chosen. The same
purpose serves the form field's validation and the JSON endpoint
``GET /organisations/pick/?purpose=<purpose>&q=…`` → ``{"results": [{"id", "text", "hint"}]}``
(answered offline by the village point's service worker, so the contract stays as it is).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from daodi.core.pickers import PickerWidget, choices_text, register_filter_field

from . import policy
from .models import Organisation

LIMIT = 20


@dataclass(frozen=True)
class Purpose:
    """Where an organisation is chosen: what may be chosen there and how it is found."""

    choices: Callable  # (user) -> QuerySet[Organisation]
    search: Callable | None = None  # (user, queryset, q) -> QuerySet; default: name/code/phone
    hint: Callable | None = None  # (org) -> str; default: kind · place · keeper · code


PURPOSES: dict[str, Purpose] = {}


def register(
    name: str, choices: Callable, search: Callable | None = None, hint: Callable | None = None
) -> None:
    PURPOSES[name] = Purpose(choices, search, hint)


def choices(purpose: str, user) -> QuerySet:
    return PURPOSES[purpose].choices(user)


def find(purpose: str, user, q: str, limit: int = LIMIT) -> list[Organisation]:
    """The first ``limit`` organisations of ``purpose`` matching ``q`` (all, by name, if empty)."""
    entry = PURPOSES[purpose]
    qs = entry.choices(user).select_related("managed_by", "division")
    q = (q or "").strip()
    if q:
        qs = entry.search(user, qs, q) if entry.search else qs.filter(default_match(q))
    return list(qs.order_by("name", "id")[:limit])


def default_match(q: str) -> Q:
    return Q(name__icontains=q) | Q(code__iexact=q) | Q(phone__contains=q)


def hint(org: Organisation) -> str:
    """What tells two organisations of one name apart: kind, place and keeper."""
    parts = [str(org.get_kind_display())]
    if org.division_id:
        parts.append(org.division.name)
    if org.managed_by_id:
        parts.append(org.managed_by.name)
    if org.code:
        parts.append(org.code)
    return " · ".join(parts)


def result(org: Organisation, purpose: str = "") -> dict:
    entry = PURPOSES.get(purpose)
    shown = entry.hint(org) if entry is not None and entry.hint else hint(org)
    return {"id": org.pk, "text": org.name, "hint": shown}


def resolve(qs: QuerySet, value: str) -> Organisation:
    """The organisation of ``qs`` that ``value`` names: a picked id, a code or a name."""
    value = str(value).strip()
    if value.isdigit():
        found = qs.filter(pk=int(value)).first()
        if found is not None:
            return found
    found = list(qs.filter(code__iexact=value)[:2]) or list(qs.filter(name=value)[:9])
    if not found:
        found = list(qs.filter(name__icontains=value).order_by("name", "id")[:9])
    if len(found) == 1:
        return found[0]
    if not found:
        raise forms.ValidationError(
            _("No organisation you may choose here is called “%(value)s”.") % {"value": value}
        )
    raise forms.ValidationError(
        _("Several organisations match “%(value)s”: %(choices)s. Pick one from the list.")
        % {"value": value, "choices": choices_text([f"{o.name}（{hint(o)}）" for o in found])}
    )


class OrganisationField(forms.Field):
    """An organisation chosen through the picker of ``purpose``; cleans to the instance.

    The form sets ``queryset`` (like a ``ModelChoiceField``) or leaves the purpose's own.
    """

    def __init__(self, *, purpose: str, queryset=None, **kwargs):
        self.purpose, self.queryset = purpose, queryset
        kwargs.setdefault("widget", PickerWidget("orgs:organisation_pick", purpose, hidden_id=True))
        super().__init__(**kwargs)
        self.widget.label_for = self._label_for

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.widget.label_for = result._label_for
        return result

    def for_user(self, user) -> None:
        """Scope the field to what ``user`` may choose for its purpose (unless set already)."""
        if self.queryset is None:
            self.queryset = choices(self.purpose, user)

    def _label_for(self, value):
        if isinstance(value, Organisation):
            return value.name, value.pk
        if str(value).isdigit() and self.queryset is not None:
            org = self.queryset.filter(pk=int(value)).first()
            if org is not None:
                return org.name, org.pk
        return str(value), ""

    def prepare_value(self, value):
        return value.pk if isinstance(value, Organisation) else value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Organisation):
            return value
        if self.queryset is None:
            raise forms.ValidationError(_("Nothing may be chosen here."))
        return resolve(self.queryset, value)


def _writable(user):
    return Organisation.objects.filter(policy.org_q(user, write=True))


def _administered(user):
    return Organisation.objects.filter(policy.org_q(user, admin=True))


register("managed_by", _writable)
register("writable", _writable)
register("administered", _administered)


def _readable(user):
    return Organisation.objects.filter(policy.org_q(user))


def filter_field(field, user) -> OrganisationField:
    """A list filter's organisation choice as a picker over what the user may read."""
    return OrganisationField(
        purpose="readable", queryset=field.queryset.filter(policy.org_q(user)),
        required=False, label=field.label,
    )  # fmt: skip


register("readable", _readable)
register_filter_field("orgs.Organisation", filter_field)
