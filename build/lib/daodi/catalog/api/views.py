from rest_framework import viewsets

from daodi.core.api import ActionViewSet

from .. import actions
from ..filters import GradeFilter, HerbFilter, IndicationFilter, TradeItemFilter, UnitFilter
from ..models import GeographicIndication, Grade, Herb, TradeItem, Unit
from . import serializers as s


class HerbViewSet(ActionViewSet):
    """Herbs (品种). Everyone signed in reads; platform administrators write."""

    queryset = Herb.objects.all()
    serializer_class = s.HerbSerializer
    filterset_class = HerbFilter
    ordering_fields = ["code", "name", "pinyin"]

    @staticmethod
    def create_action(actor, **data):
        return actions.create_herb(actor=actor, **data)

    @staticmethod
    def update_action(actor, obj, **data):
        return actions.update_herb(actor=actor, herb=obj, **data)


class GradeViewSet(ActionViewSet):
    """Specifications and grades (规格等级) of herbs."""

    queryset = Grade.objects.select_related("herb")
    serializer_class = s.GradeSerializer
    filterset_class = GradeFilter

    @staticmethod
    def create_action(actor, **data):
        return actions.create_grade(actor=actor, **data)

    @staticmethod
    def update_action(actor, obj, **data):
        return actions.update_grade(actor=actor, target=obj, **data)


class IndicationViewSet(ActionViewSet):
    """Geographic indications (地理标志) with the divisions they cover."""

    queryset = GeographicIndication.objects.select_related("herb").prefetch_related("divisions")
    serializer_class = s.IndicationSerializer
    filterset_class = IndicationFilter

    @staticmethod
    def create_action(actor, **data):
        return actions.create_indication(actor=actor, **data)

    @staticmethod
    def update_action(actor, obj, **data):
        return actions.update_indication(actor=actor, indication=obj, **data)


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Units of measure with their conversion factors."""

    queryset = Unit.objects.all()
    serializer_class = s.UnitSerializer
    filterset_class = UnitFilter


class TradeItemViewSet(ActionViewSet):
    """GS1 trade items (GTIN per herb + grade + pack)."""

    queryset = TradeItem.objects.select_related("herb", "grade")
    serializer_class = s.TradeItemSerializer
    filterset_class = TradeItemFilter

    @staticmethod
    def create_action(actor, **data):
        return actions.create_trade_item(actor=actor, **data)

    @staticmethod
    def update_action(actor, obj, **data):
        return actions.update_trade_item(actor=actor, trade_item=obj, **data)
