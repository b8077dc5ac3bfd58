from rest_framework import serializers

from daodi.orgs.models import Division

from ..models import GeographicIndication, Grade, Herb, TradeItem, Unit


class HerbSerializer(serializers.ModelSerializer):
    class Meta:
        model = Herb
        fields = [
            "id",
            "code",
            "name",
            "trade_name",
            "pinyin",
            "latin_name",
            "material_name",
            "material_latin",
            "part_used",
            "yield_min_kg_per_mu",
            "yield_max_kg_per_mu",
            "dry_ratio_min",
            "dry_ratio_max",
            "price_min_per_kg",
            "price_max_per_kg",
            "max_purchase_kg",
            "arrival_tolerance_pct",
            "balance_tolerance_pct",
            "is_active",
        ]


class GradeSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = Grade
        fields = ["id", "herb", "specification", "grade", "label", "description", "sort_order"]


class IndicationSerializer(serializers.ModelSerializer):
    divisions = serializers.PrimaryKeyRelatedField(
        queryset=Division.objects.all(), many=True, required=False
    )

    class Meta:
        model = GeographicIndication
        fields = [
            "id",
            "name",
            "herb",
            "kind",
            "registration_no",
            "holder",
            "holder_org",
            "registered_on",
            "divisions",
            "description",
        ]


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "name", "dimension", "factor", "uncefact"]


class TradeItemSerializer(serializers.ModelSerializer):
    gtin = serializers.CharField(max_length=14, required=False, allow_blank=True)

    class Meta:
        model = TradeItem
        fields = ["id", "gtin", "herb", "grade", "pack", "net_quantity", "unit"]
