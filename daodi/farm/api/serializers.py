from rest_framework import serializers

from daodi.core.api import REVIEW_FIELDS

from ..models import BannedPesticide, FarmRecord, Harvest, Plot, Processing, ProcessingLot


class PlotSerializer(serializers.ModelSerializer):
    gln = serializers.CharField(read_only=True)
    geographic_indication = serializers.CharField(source="gi_text", read_only=True)

    class Meta:
        model = Plot
        fields = [
            "id", "holder", "name", "village", "geometry", "area_mu", "herb", "variety",
            "year_planted", "gap_base", "gap_certificate", "is_active", "gln",
            "geographic_indication",
        ]  # fmt: skip


class FarmRecordSerializer(serializers.ModelSerializer):
    photo = serializers.ImageField(required=False, write_only=True)
    photo_name = serializers.CharField(source="photo", read_only=True)
    event_id = serializers.CharField(source="event.event_id", read_only=True, default=None)

    class Meta:
        model = FarmRecord
        fields = [
            "id", "plot", "kind", "date", "operator", "seed_lot", "supplier", "supplier_batch",
            "variety", "product", "active_ingredient", "dose", "area_mu",
            "pre_harvest_interval_days", "water_m3", "method", "findings", "photo", "photo_name",
            "event_id",
        ]  # fmt: skip


class HarvestSerializer(serializers.ModelSerializer):
    plots = serializers.PrimaryKeyRelatedField(many=True, queryset=Plot.objects.all())

    class Meta:
        model = Harvest
        fields = [
            "id", "plots", "harvested_on", "fresh_kg", "herb_age_years", "method", "grade",
            "holder", "herb", "lot", "yield_kg_per_mu", "flagged", "flag_reason", *REVIEW_FIELDS,
        ]  # fmt: skip
        read_only_fields = [
            "holder", "herb", "lot", "yield_kg_per_mu", "flagged", "flag_reason", *REVIEW_FIELDS,
        ]  # fmt: skip


class LotWeightSerializer(serializers.Serializer):
    lot = serializers.CharField(max_length=255)
    kg = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)


class ProcessingLotSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcessingLot
        fields = ["lot", "kg", "is_output"]


class ProcessingSerializer(serializers.ModelSerializer):
    inputs = LotWeightSerializer(many=True, write_only=True)
    lots = ProcessingLotSerializer(many=True, read_only=True)
    sensor_readings = serializers.JSONField(required=False)

    class Meta:
        model = Processing
        fields = [
            "id", "kind", "inputs", "output_kg", "grade", "started_at", "finished_at", "method",
            "temperature_c", "hours", "sensor_readings", "no_sulphur", "no_dye", "no_weighting",
            "holder", "herb", "input_kg", "ratio", "flagged", "flag_reason", "lots",
            *REVIEW_FIELDS,
        ]  # fmt: skip
        read_only_fields = [
            "holder", "herb", "input_kg", "ratio", "flagged", "flag_reason", *REVIEW_FIELDS,
        ]  # fmt: skip

    def validate(self, attrs):
        attrs["inputs"] = [(row["lot"], row["kg"]) for row in attrs.get("inputs", [])]
        return attrs


class BannedPesticideSerializer(serializers.ModelSerializer):
    class Meta:
        model = BannedPesticide
        fields = ["id", "name", "name_en", "aliases", "loq_mg_per_kg", "source", "is_active"]
