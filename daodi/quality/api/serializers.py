from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from daodi.orgs.models import Organisation
from daodi.trace import queries as trace_queries
from daodi.trace.models import Lot

from .. import actions
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

ITEM_FIELDS = [f for f in actions.ITEM_FIELDS if f != "sort_order"]


class NestedItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = SpecItem
        fields = ITEM_FIELDS


class SpecItemSerializer(serializers.ModelSerializer):
    to_be_verified = serializers.BooleanField(source="is_unverified", read_only=True)

    class Meta:
        model = SpecItem
        fields = ["id", "spec_set", *ITEM_FIELDS, "sort_order", "to_be_verified"]
        read_only_fields = ["verified_by", "verified_at"]


class SpecSetSerializer(serializers.ModelSerializer):
    """A set with its items; ``items`` may be given when a set is created."""

    items = NestedItemSerializer(many=True, required=False)

    class Meta:
        model = SpecSet
        fields = [
            "id",
            "code",
            "version",
            "name",
            "authority",
            "edition",
            "organisation",
            "status",
            "description",
            "supersedes",
            "approved_by",
            "approved_at",
            "items",
        ]
        read_only_fields = ["version", "status", "supersedes", "approved_by", "approved_at"]
        extra_kwargs = {"code": {"required": False, "allow_blank": True}}
        # The code's uniqueness per version is the action's to check (with its own message).
        validators = []


class SpecSetUpdateSerializer(SpecSetSerializer):
    items = NestedItemSerializer(many=True, read_only=True)

    class Meta(SpecSetSerializer.Meta):
        read_only_fields = [*SpecSetSerializer.Meta.read_only_fields, "code", "organisation"]


class LotIdentifierField(serializers.CharField):
    """A lot by its identifier (EPC URN or Digital Link), shown in canonical form."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            canonical = trace_queries.canonical(value)
        except trace_queries.UnknownIdentifier as exc:
            raise serializers.ValidationError(_("Not a valid lot or item identifier.")) from exc
        lot = (
            Lot.objects.select_related("holder", "herb", "grade")
            .filter(identifier=canonical)
            .first()
        )
        if lot is None:
            raise serializers.ValidationError(_("No lot or item with this identifier is known."))
        return lot

    def to_representation(self, value):
        return value.identifier


class SampleSerializer(serializers.ModelSerializer):
    lot = LotIdentifierField()
    lab = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, write_only=True, allow_null=True
    )
    spec_sets = serializers.PrimaryKeyRelatedField(
        queryset=SpecSet.objects.all(), many=True, required=False, write_only=True
    )
    variant = serializers.CharField(required=False, allow_blank=True, max_length=40)

    class Meta:
        model = Sample
        fields = [
            "id",
            "code",
            "lot",
            "organisation",
            "herb",
            "variant",
            "product_form",
            "quantity",
            "unit",
            "taken_at",
            "sampler",
            "note",
            "lab",
            "spec_sets",
            "created_at",
        ]
        read_only_fields = ["code", "herb", "created_at"]
        extra_kwargs = {
            "organisation": {"required": False},
            "taken_at": {"required": False},
        }


class TestOrderSerializer(serializers.ModelSerializer):
    class Meta:
        model = TestOrder
        fields = [
            "id",
            "reference",
            "sample",
            "lab",
            "spec_sets",
            "status",
            "note",
            "return_note",
            "requested_by",
            "requested_at",
            "approved_by",
            "approved_at",
        ]
        read_only_fields = [
            "reference",
            "status",
            "return_note",
            "requested_by",
            "requested_at",
            "approved_by",
            "approved_at",
        ]


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ImportResultsSerializer(serializers.Serializer):
    mapping = serializers.PrimaryKeyRelatedField(queryset=ColumnMapping.objects.all())
    content = serializers.CharField(
        required=False, trim_whitespace=False, help_text=_("The CSV text, instead of a file.")
    )
    file = serializers.FileField(required=False)


class ResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = Result
        fields = [
            "id",
            "order",
            "test_item",
            "value",
            "unit",
            "lod",
            "loq",
            "method",
            "instrument",
            "tested_on",
            "status",
            "analyst",
            "supersedes",
            "retest_reason",
            "correction_reason",
            "source",
            "reviewed_by",
            "reviewed_at",
            "created_at",
        ]
        read_only_fields = [
            "status",
            "analyst",
            "supersedes",
            "retest_reason",
            "correction_reason",
            "source",
            "reviewed_by",
            "reviewed_at",
            "created_at",
        ]


class CorrectionSerializer(serializers.ModelSerializer):
    """A correction: the reported fields and why; order and test item stay."""

    reason = serializers.CharField(write_only=True)

    class Meta:
        model = Result
        fields = ["value", "unit", "lod", "loq", "method", "instrument", "tested_on", "reason"]


class RetestSerializer(serializers.Serializer):
    value = serializers.CharField(max_length=40)
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True)
    loq = serializers.CharField(max_length=20, required=False, allow_blank=True)
    tested_on = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField()


class CertificateSerializer(serializers.ModelSerializer):
    verify_url = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "number",
            "order",
            "lot",
            "lab",
            "conclusion",
            "content",
            "content_hash",
            "pdf_sha256",
            "issued_at",
            "issued_by",
            "superseded_by",
            "verify_url",
        ]

    def get_verify_url(self, obj) -> str:
        from ..actions import verify_url

        return verify_url(obj.number, obj.content_hash)


class NotificationSerializer(serializers.ModelSerializer):
    message = serializers.CharField(read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "audience",
            "organisation",
            "lot",
            "certificate",
            "params",
            "message",
            "created_at",
            "read_at",
            "read_by",
        ]


class MappingSerializer(serializers.ModelSerializer):
    class Meta:
        model = ColumnMapping
        fields = ["id", "lab", *actions.MAPPING_FIELDS]
        validators = []  # the (lab, name) uniqueness is checked by the action
