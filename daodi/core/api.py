"""Shared REST plumbing: the one error shape, paging, and the base view set that routes
writes to domain actions and reads through organisation scoping."""

from __future__ import annotations

import copy

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .actor import Actor
from .compiled import by_pk
from .errors import DomainError


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [m for v in detail.values() for m in _flatten(v)]
    if isinstance(detail, list):
        return [m for v in detail for m in _flatten(v)]
    return [str(detail)]


def exception_handler(exc, context):
    """Every API error as ``{"code", "message", "fields"}``, the message in the caller's
    language (Accept-Language, via LocaleMiddleware)."""
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, ValidationError):
        err = DomainError.from_validation_error(exc)
        return Response(err.as_dict(), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        fields = {k: _flatten(v) for k, v in exc.detail.items() if k != "non_field_errors"}
        general = _flatten(exc.detail.get("non_field_errors", []))
        body = {
            "code": "validation_failed",
            "message": general[0] if general else _("Some fields are not valid."),
            "fields": fields,
        }
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        body = {
            "code": codes if isinstance(codes, str) else "invalid",
            "message": " ".join(_flatten(getattr(exc, "detail", str(exc)))),
            "fields": {},
        }
    response.data = body
    return response


class KeyedRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary-key field that finds a record of an unfiltered query set through a look-up
    compiled once (see ``core.compiled``); filtered ones are looked up as DRF does."""

    def to_internal_value(self, data):
        queryset = self.get_queryset()
        if queryset.query.where or queryset.query.select_related:
            return super().to_internal_value(data)
        if isinstance(data, bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            pk = int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        found = by_pk(queryset.model).first(pk) if abs(pk) < 2**63 else None
        if found is None:
            self.fail("does_not_exist", pk_value=data)
        return found


class BuiltOnceFields:
    """For a model serializer on a hot path: its fields are built from the model once per
    class, and each instance gets shallow copies to bind (DRF builds them anew on every
    instantiation, and a deep copy rebuilds each field and its query set; fields keep no
    state of a request but their binding). Nested serializers are copied deeply. Related
    records are found by compiled look-ups."""

    serializer_related_field = KeyedRelatedField

    def get_fields(self):
        built = type(self).__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            type(self)._built_fields = built
        return {
            name: copy.deepcopy(field)
            if isinstance(field, serializers.BaseSerializer)
            else copy.copy(field)
            for name, field in built.items()
        }


def actor_of(request) -> Actor:
    return Actor(user=request.user, channel="api")


class ActionViewSet(viewsets.ModelViewSet):
    """A model view set whose writes call domain actions.

    Subclasses set ``create_action(actor, **data)`` and ``update_action(actor, obj, **data)``
    and ``get_queryset`` (scoped). Deletion is not offered: records are deactivated.
    """

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    create_action = None
    update_action = None

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = type(self).create_action(actor_of(request), **serializer.validated_data)
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        obj = self.get_object()
        serializer = self.get_serializer(obj, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        obj = type(self).update_action(actor_of(request), obj, **serializer.validated_data)
        return Response(self.get_serializer(obj).data)


REVIEW_FIELDS = ["reviewed_at", "reviewed_by", "review_note"]


class ReviewSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, help_text=_l("What the review found."))


class ReviewFlagMixin:
    """``POST …/{id}/review/``: the review of a flagged record (core.review), by someone of
    the organisation above its holder. ``review_action(actor, obj, note)`` records it."""

    review_action = None

    @extend_schema(request=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        obj = self.get_object()
        body = ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        obj = type(self).review_action(actor_of(request), obj, body.validated_data["note"])
        return Response(self.get_serializer(obj).data)
