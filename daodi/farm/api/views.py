from daodi.core.api import ActionViewSet, ReviewFlagMixin

from .. import actions, queries
from ..filters import (
    BannedPesticideFilter,
    FarmRecordFilter,
    HarvestFilter,
    PlotFilter,
    ProcessingFilter,
)
from . import serializers as s

READ_AND_CREATE = ["get", "post", "head", "options"]


class PlotViewSet(ActionViewSet):
    """Plots (地块) of the growers the caller may see."""

    serializer_class = s.PlotSerializer
    filterset_class = PlotFilter

    def get_queryset(self):
        return queries.plots(self.request.user)

    @staticmethod
    def create_action(actor, **data):
        return actions.create_plot(actor=actor, **data)

    @staticmethod
    def update_action(actor, obj, **data):
        return actions.update_plot(actor=actor, plot=obj, **data)


class FarmRecordViewSet(ActionViewSet):
    """GACP farm records. Records are written once; a mistake is corrected by a new record."""

    http_method_names = READ_AND_CREATE
    serializer_class = s.FarmRecordSerializer
    filterset_class = FarmRecordFilter

    def get_queryset(self):
        return queries.records(self.request.user)

    @staticmethod
    def create_action(actor, **data):
        return actions.record_activity(actor=actor, **data)


class HarvestViewSet(ReviewFlagMixin, ActionViewSet):
    """Harvests: each makes a lot with its GS1 lot number and a commissioning event; one
    flagged for its yield is reviewed with ``POST …/{id}/review/``."""

    http_method_names = READ_AND_CREATE
    serializer_class = s.HarvestSerializer
    filterset_class = HarvestFilter

    def get_queryset(self):
        return queries.harvests(self.request.user)

    @staticmethod
    def create_action(actor, **data):
        return actions.harvest(actor=actor, **data)

    @staticmethod
    def review_action(actor, obj, note):
        return actions.review_harvest(actor=actor, harvest=obj, note=note)


class ProcessingViewSet(ReviewFlagMixin, ActionViewSet):
    """Primary processing runs (drying, 杀青, cutting while fresh) as transformations; one
    flagged for its ratio is reviewed with ``POST …/{id}/review/``."""

    http_method_names = READ_AND_CREATE
    serializer_class = s.ProcessingSerializer
    filterset_class = ProcessingFilter

    def get_queryset(self):
        return queries.processings(self.request.user)

    @staticmethod
    def create_action(actor, **data):
        return actions.process(actor=actor, **data)

    @staticmethod
    def review_action(actor, obj, note):
        return actions.review_processing(actor=actor, run=obj, note=note)


class BannedPesticideViewSet(ActionViewSet):
    """The banned pesticide list: everyone signed in reads; platform administrators write."""

    serializer_class = s.BannedPesticideSerializer
    filterset_class = BannedPesticideFilter

    def get_queryset(self):
        return queries.banned()

    @staticmethod
    def create_action(actor, **data):
        return actions.create_banned_pesticide(actor=actor, **data)

    @staticmethod
    def update_action(actor, obj, **data):
        return actions.update_banned_pesticide(actor=actor, pesticide=obj, **data)
