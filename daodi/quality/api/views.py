"""REST endpoints of the quality app. Reads go through ``queries`` (scoped), writes through
``actions`` with ``Actor(user, "api")``; refusals come back in the one error shape."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from daodi.core.api import ActionViewSet, actor_of
from daodi.core.errors import DomainError

from .. import actions, queries, specfile
from ..filters import (
    CertificateFilter,
    MappingFilter,
    NotificationFilter,
    OrderFilter,
    ResultFilter,
    SampleFilter,
    SpecItemFilter,
    SpecSetFilter,
)
from ..models import (
    Certificate,
    ColumnMapping,
    Notification,
    Result,
    Sample,
    SpecItem,
    SpecSet,
    TestOrder,
)
from . import serializers as s


class SpecSetViewSet(ActionViewSet):
    """Specification sets (质量标准), versioned; drafts change, approved sets never do."""

    queryset = SpecSet.objects.none()  # for the schema; get_queryset scopes
    serializer_class = s.SpecSetSerializer
    filterset_class = SpecSetFilter
    ordering_fields = ["code", "version", "name"]

    def get_queryset(self):
        return queries.spec_sets(self.request.user).prefetch_related("items")

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return s.SpecSetUpdateSerializer
        return s.SpecSetSerializer

    @staticmethod
    def create_action(actor, **data):
        return actions.create_spec_set(actor=actor, **data)

    @staticmethod
    def update_action(actor, obj, **data):
        return actions.update_spec_set(actor=actor, spec_set=obj, **data)

    @extend_schema(request=None, responses=s.SpecSetSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        spec_set = actions.approve_spec_set(actor=actor_of(request), spec_set=self.get_object())
        return Response(s.SpecSetSerializer(spec_set).data)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """The set as a CSV specification file (the starter table's columns)."""
        spec_set = self.get_object()
        response = HttpResponse(
            specfile.csv_text(queries.spec_rows(spec_set)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{spec_set.code}-v{spec_set.version}.csv"'
        )
        return response


class SpecItemViewSet(ActionViewSet):
    """Items of specification sets; added and changed while their set is a draft."""

    queryset = SpecItem.objects.none()
    serializer_class = s.SpecItemSerializer
    filterset_class = SpecItemFilter

    def get_queryset(self):
        return queries.spec_items(self.request.user)

    @staticmethod
    def create_action(actor, **data):
        return actions.create_spec_item(actor=actor, **data)

    @staticmethod
    def update_action(actor, obj, **data):
        return actions.update_spec_item(actor=actor, item=obj, **data)

    @extend_schema(request=None, responses=s.SpecItemSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """Record that the caller checked the item against the printed standard."""
        item = actions.verify_spec_item(actor=actor_of(request), item=self.get_object())
        return Response(s.SpecItemSerializer(item).data)


class SampleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Samples taken from lots (each an EPCIS sampling event); with ``lab`` and
    ``spec_sets`` the test order is placed at once."""

    queryset = Sample.objects.none()
    serializer_class = s.SampleSerializer
    filterset_class = SampleFilter

    def get_queryset(self):
        return queries.samples(self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if not data.get("variant"):
            data["variant"] = None
        sample = actions.take_sample(actor=actor_of(request), **data)
        return Response(self.get_serializer(sample).data, status=status.HTTP_201_CREATED)


class TestOrderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Test orders: the lab's queue, the review (approve or send back) and instrument imports."""

    queryset = TestOrder.objects.none()
    serializer_class = s.TestOrderSerializer
    filterset_class = OrderFilter

    def get_queryset(self):
        return queries.orders(self.request.user).prefetch_related("spec_sets")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = actions.create_order(actor=actor_of(request), **serializer.validated_data)
        return Response(self.get_serializer(order).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.CertificateSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """A second person approves the results: the certificate is issued and the lot held
        or released."""
        certificate = actions.approve_order(actor=actor_of(request), order=self.get_object())
        return Response(s.CertificateSerializer(certificate).data)

    @extend_schema(request=s.ReasonSerializer, responses=s.TestOrderSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request, pk=None):
        order = self.get_object()
        body = s.ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        order = actions.return_order(actor=actor_of(request), order=order, **body.validated_data)
        return Response(s.TestOrderSerializer(order).data)

    @extend_schema(
        request=s.ImportResultsSerializer, responses={201: s.ResultSerializer(many=True)}
    )
    @action(detail=True, methods=["post"], url_path="import-results")
    def import_results(self, request, pk=None):
        """Results from an instrument's CSV export (``file`` or ``content``) through a saved
        column mapping; all or nothing."""
        order = self.get_object()
        body = s.ImportResultsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data.get("file")
        if upload is not None:
            data, name = upload.read(), upload.name
        elif body.validated_data.get("content"):
            data, name = body.validated_data["content"].encode("utf-8"), "content"
        else:
            raise DomainError(code="file_required", fields={"file": ["file or content"]})
        mapping = body.validated_data["mapping"]
        if not queries.mappings(request.user).filter(pk=mapping.pk).exists():
            mapping = None
        if mapping is None:
            raise DomainError(code="unknown_mapping", fields={"mapping": ["unknown"]})
        created = actions.import_results(
            actor=actor_of(request), order=order, data=data, mapping=mapping, filename=name
        )
        return Response(s.ResultSerializer(created, many=True).data, status=status.HTTP_201_CREATED)


class ResultViewSet(ActionViewSet):
    """Results as reported. Create enters one; update corrects one before approval (with
    ``reason``); ``retest`` records a new result that supersedes it."""

    queryset = Result.objects.none()
    serializer_class = s.ResultSerializer
    filterset_class = ResultFilter

    def get_queryset(self):
        return queries.results(self.request.user)

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return s.CorrectionSerializer
        return s.ResultSerializer

    @staticmethod
    def create_action(actor, **data):
        return actions.enter_result(actor=actor, **data)

    @staticmethod
    def update_action(actor, obj, **data):
        return actions.correct_result(actor=actor, result=obj, **data)

    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        response.data = s.ResultSerializer(self.get_object()).data
        return response

    @extend_schema(request=s.RetestSerializer, responses={201: s.ResultSerializer})
    @action(detail=True, methods=["post"])
    def retest(self, request, pk=None):
        result = self.get_object()
        body = s.RetestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = {k: v for k, v in body.validated_data.items() if v is not None}
        retest = actions.retest_result(actor=actor_of(request), result=result, **data)
        return Response(s.ResultSerializer(retest).data, status=status.HTTP_201_CREATED)


class CertificateViewSet(viewsets.ReadOnlyModelViewSet):
    """Certificates of analysis with their content and fingerprint."""

    queryset = Certificate.objects.none()
    serializer_class = s.CertificateSerializer
    filterset_class = CertificateFilter

    def get_queryset(self):
        return queries.certificates(self.request.user)


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """Out-of-specification notices to lot holders and regulators."""

    queryset = Notification.objects.none()
    serializer_class = s.NotificationSerializer
    filterset_class = NotificationFilter

    def get_queryset(self):
        return queries.notifications(self.request.user)

    @extend_schema(request=None, responses=s.NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = actions.mark_read(actor=actor_of(request), notification=self.get_object())
        return Response(s.NotificationSerializer(notification).data)


class ColumnMappingViewSet(ActionViewSet):
    """Saved column mappings of instrument CSV exports, per lab."""

    queryset = ColumnMapping.objects.none()
    serializer_class = s.MappingSerializer
    filterset_class = MappingFilter

    def get_queryset(self):
        return queries.mappings(self.request.user)

    @staticmethod
    def create_action(actor, **data):
        return actions.create_mapping(actor=actor, **data)

    @staticmethod
    def update_action(actor, obj, **data):
        return actions.update_mapping(actor=actor, mapping=obj, **data)
