from rest_framework import serializers

from daodi.core.api import REVIEW_FIELDS, BuiltOnceFields
from daodi.farm.api.serializers import LotWeightSerializer
from daodi.orgs.models import Division, Organisation

from ..models import (
    Commingling,
    Correction,
    Dispatch,
    DispatchLine,
    GIClaim,
    Loss,
    Packing,
    Pallet,
    Purchase,
)


class SourcingCorrectionSerializer(serializers.ModelSerializer):
    """A correction of a purchase or dispatch (its schema name keeps clear of quality's)."""

    user = serializers.StringRelatedField()
    declaration = serializers.SlugRelatedField(slug_field="event_id", read_only=True)
    corrective = serializers.SlugRelatedField(slug_field="event_id", read_only=True)

    class Meta:
        model = Correction
        fields = [
            "kind", "reason", "note", "changes", "user", "created_at", "declaration",
            "corrective",
        ]  # fmt: skip


class PurchaseSerializer(BuiltOnceFields, serializers.ModelSerializer):
    client_key = serializers.CharField(max_length=64)
    id_card = serializers.CharField(max_length=20, required=False, write_only=True)
    lot = serializers.CharField(max_length=255, required=False, allow_blank=True)
    net_kg = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    amount_paid = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    bought_at = serializers.DateTimeField(required=False)
    confirm = serializers.BooleanField(
        required=False,
        write_only=True,
        help_text="Record it although weight or price lie outside the herb's plausible ranges "
        "(refused with code implausible_purchase otherwise).",
    )
    corrections = SourcingCorrectionSerializer(many=True, read_only=True)

    class Meta:
        model = Purchase
        fields = [
            "id", "client_key", "point", "seller", "herb", "grade", "gross_kg", "tare_kg",
            "net_kg", "moisture_pct", "price", "price_unit", "amount_paid", "payment_method",
            "lot", "id_card", "bought_at", "price_per_kg", "amount", "receipt_no",
            "received_lot", "confirm", "voided", "corrections",
        ]  # fmt: skip
        read_only_fields = ["price_per_kg", "amount", "receipt_no", "received_lot", "voided"]
        # The action owns the rules (one purchase per point and key, replays included).
        validators = []


class SellerSerializer(serializers.ModelSerializer):
    id_card = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = ["id", "name", "code", "kind", "phone", "id_card"]

    def get_id_card(self, obj) -> str:
        identity = getattr(obj, "identity", None)
        return identity.id_card_masked if identity is not None else ""


class SellerRegistrationSerializer(serializers.Serializer):
    point = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    name = serializers.CharField(max_length=120)
    id_card = serializers.CharField(max_length=20)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    village = serializers.PrimaryKeyRelatedField(
        queryset=Division.objects.all(), required=False, allow_null=True
    )


class PurchaseCorrectionSerializer(serializers.Serializer):
    """What to correct (only the fields given) and why."""

    note = serializers.CharField(max_length=200)
    confirm = serializers.BooleanField(required=False, default=False)
    seller = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all(), required=False)
    gross_kg = serializers.DecimalField(max_digits=14, decimal_places=3, required=False)
    tare_kg = serializers.DecimalField(max_digits=14, decimal_places=3, required=False)
    moisture_pct = serializers.DecimalField(
        max_digits=5, decimal_places=1, required=False, allow_null=True
    )
    price = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)
    price_unit = serializers.ChoiceField(
        choices=Purchase._meta.get_field("price_unit").choices, required=False
    )
    amount_paid = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    payment_method = serializers.ChoiceField(
        choices=Purchase._meta.get_field("payment_method").choices, required=False
    )


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=200)


class DispatchLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = DispatchLine
        fields = ["lot", "sent_kg", "received_kg", "difference_kg", "flagged", "flag_reason"]


class DispatchSerializer(serializers.ModelSerializer):
    lots = serializers.ListField(child=serializers.CharField(max_length=255), write_only=True)
    lines = DispatchLineSerializer(many=True, read_only=True)
    sent_at = serializers.DateTimeField(required=False)
    corrections = SourcingCorrectionSerializer(many=True, read_only=True)

    class Meta:
        model = Dispatch
        fields = [
            "id", "number", "source", "destination", "lots", "sent_at", "vehicle", "status",
            "received_at", "flagged", "lines", "corrections", *REVIEW_FIELDS,
        ]  # fmt: skip
        read_only_fields = ["number", "status", "received_at", "flagged", *REVIEW_FIELDS]


class ReceiptSerializer(serializers.Serializer):
    weights = LotWeightSerializer(many=True)
    received_at = serializers.DateTimeField(required=False)


class ComminglingSerializer(serializers.ModelSerializer):
    inputs = LotWeightSerializer(many=True)
    made_at = serializers.DateTimeField(required=False)

    class Meta:
        model = Commingling
        fields = ["id", "inputs", "made_at", "holder", "herb", "grade", "lot", "kg"]
        read_only_fields = ["holder", "herb", "grade", "lot", "kg"]

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        value["inputs"] = [(row["lot"], row["kg"]) for row in value["inputs"]]
        return value


class PalletSerializer(serializers.ModelSerializer):
    lots = serializers.ListField(child=serializers.CharField(max_length=255))
    packed_at = serializers.DateTimeField(required=False)

    class Meta:
        model = Pallet
        fields = ["id", "sscc", "holder", "lots", "packed_at"]
        read_only_fields = ["sscc", "holder"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["lots"] = instance.lots
        return data


class PackingSerializer(serializers.ModelSerializer):
    """A packing run: the lot packed from, the retail trade item, how many, per case."""

    packed_at = serializers.DateTimeField(required=False)
    per_case = serializers.IntegerField(min_value=0, required=False)

    class Meta:
        model = Packing
        fields = [
            "id", "lot", "trade_item", "count", "per_case", "packed_at", "holder", "kg",
            "items", "cases",
        ]  # fmt: skip
        read_only_fields = ["holder", "kg", "items", "cases"]


class LossSerializer(serializers.ModelSerializer):
    recorded_at = serializers.DateTimeField(required=False)

    class Meta:
        model = Loss
        fields = ["id", "lot", "kg", "reason", "note", "recorded_at", "holder"]
        read_only_fields = ["holder"]


class GIClaimSerializer(serializers.ModelSerializer):
    class Meta:
        model = GIClaim
        fields = [
            "id", "lot", "indication", "kg", "purpose", "reference", "holder",
            "dry_equivalent_kg", "created_at",
        ]  # fmt: skip
        read_only_fields = ["holder", "dry_equivalent_kg", "created_at"]
