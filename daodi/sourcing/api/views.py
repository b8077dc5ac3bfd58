from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from daodi.core.api import ActionViewSet, ReviewFlagMixin, actor_of
from daodi.core.errors import PermissionDenied
from daodi.orgs import policy

from .. import actions, gi, packing, queries
from ..filters import (
    ComminglingFilter,
    DispatchFilter,
    GIClaimFilter,
    LossFilter,
    PackingFilter,
    PalletFilter,
    PurchaseFilter,
)
from ..models import Correction
from . import serializers as s

READ_AND_CREATE = ["get", "post", "head", "options"]
CORRECTIONS = Prefetch(
    "corrections",
    queryset=Correction.objects.select_related("user").select_related("declaration", "corrective"),
)


class PurchaseViewSet(ActionViewSet):
    """Purchases at village points. ``client_key`` makes a resent form harmless: the same key
    answers 200 with the purchase recorded the first time (201 when new)."""

    http_method_names = READ_AND_CREATE
    serializer_class = s.PurchaseSerializer
    filterset_class = PurchaseFilter

    def get_queryset(self):
        return queries.purchases(self.request.user).prefetch_related(CORRECTIONS)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        purchase = actions.record_purchase(actor=actor_of(request), **data)
        code = status.HTTP_200_OK if purchase.replayed else status.HTTP_201_CREATED
        if not purchase.replayed:  # a new purchase has no corrections: not read back
            purchase._prefetched_objects_cache = {"corrections": Correction.objects.none()}
        # As DRF's own save() does: the serializer that read the form shows the record, its
        # fields built once per request.
        serializer.instance = purchase
        return Response(serializer.data, status=code)

    def _writable(self, pk):
        return get_object_or_404(queries.purchases(self.request.user, write=True), pk=pk)

    @extend_schema(request=s.PurchaseCorrectionSerializer, responses=s.PurchaseSerializer)
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """Correct a purchase (only the fields given), saying why in ``note``. A change of
        seller, weight or moisture declares the purchase's event wrong (EPCIS
        ``errorDeclaration``, ``incorrect_data``) and captures the corrective event."""
        body = s.PurchaseCorrectionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        purchase = actions.correct_purchase(
            actor=actor_of(request), purchase=self._writable(pk), **data
        )
        return Response(self.get_serializer(purchase).data)

    @extend_schema(request=s.NoteSerializer, responses=s.PurchaseSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        """Void a purchase that did not happen (``did_not_occur``); refused once its lot
        was dispatched or used."""
        body = s.NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        purchase = actions.void_purchase(
            actor=actor_of(request), purchase=self._writable(pk), **body.validated_data
        )
        return Response(self.get_serializer(purchase).data)


class SellerViewSet(ActionViewSet):
    """Growers the caller may buy from, found by name, phone or ID-card number (``q``).

    ``POST`` registers a grower household at a village point (its code generated); an ID
    card registered already answers 200 with that household instead of a second one.
    """

    http_method_names = READ_AND_CREATE
    serializer_class = s.SellerSerializer

    @extend_schema(request=s.SellerRegistrationSerializer, responses=s.SellerSerializer)
    def create(self, request, *args, **kwargs):
        body = s.SellerRegistrationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        seller = actions.register_seller(actor=actor_of(request), **body.validated_data)
        code = status.HTTP_200_OK if seller.existing else status.HTTP_201_CREATED
        return Response(self.get_serializer(seller).data, status=code)

    def get_queryset(self):
        from daodi.orgs.models import Organisation

        found = queries.sellers(
            self.request.user, self.request.query_params.get("q", ""), limit=1000
        )
        return Organisation.objects.filter(pk__in=[o.pk for o in found]).select_related("identity")


class DispatchViewSet(ReviewFlagMixin, ActionViewSet):
    """Dispatches up the network and their receipt (``POST …/{id}/receive/``); an arrival
    flagged for its weight is reviewed with ``POST …/{id}/review/``."""

    http_method_names = READ_AND_CREATE
    serializer_class = s.DispatchSerializer
    filterset_class = DispatchFilter

    def get_queryset(self):
        return queries.dispatches(self.request.user).prefetch_related(CORRECTIONS)

    @staticmethod
    def create_action(actor, **data):
        return actions.dispatch(actor=actor, **data)

    @staticmethod
    def review_action(actor, obj, note):
        return actions.review_dispatch(actor=actor, dispatch=obj, note=note)

    @extend_schema(request=s.ReceiptSerializer, responses=s.DispatchSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        record = get_object_or_404(self.get_queryset(), pk=pk)
        body = s.ReceiptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        record = actions.receive(
            actor=actor_of(request),
            dispatch=record,
            weights={row["lot"]: row["kg"] for row in body.validated_data["weights"]},
            received_at=body.validated_data.get("received_at"),
        )
        return Response(self.get_serializer(record).data)

    @extend_schema(request=s.NoteSerializer, responses=s.DispatchSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a dispatch in transit, saying why: the lots stay the sender's stock."""
        record = get_object_or_404(queries.dispatches(request.user, write=True), pk=pk)
        body = s.NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        record = actions.cancel_dispatch(
            actor=actor_of(request), dispatch=record, **body.validated_data
        )
        return Response(self.get_serializer(record).data)


class ComminglingViewSet(ActionViewSet):
    """Lots of one herb and grade merged into a new lot."""

    http_method_names = READ_AND_CREATE
    serializer_class = s.ComminglingSerializer
    filterset_class = ComminglingFilter

    def get_queryset(self):
        return queries.comminglings(self.request.user)

    @staticmethod
    def create_action(actor, **data):
        return actions.commingle(actor=actor, **data)


class PalletViewSet(ActionViewSet):
    """Pallets (SSCC) that lots were consolidated onto."""

    http_method_names = READ_AND_CREATE
    serializer_class = s.PalletSerializer
    filterset_class = PalletFilter

    def get_queryset(self):
        return queries.pallets(self.request.user)

    @staticmethod
    def create_action(actor, **data):
        return actions.palletise(actor=actor, **data)


class PackingViewSet(ActionViewSet):
    """Packing runs (分装赋码): a lot packed into serialised retail items, aggregated into
    cases (SSCC); the items' identifiers and the cases come back with the run."""

    http_method_names = READ_AND_CREATE
    serializer_class = s.PackingSerializer
    filterset_class = PackingFilter

    def get_queryset(self):
        return queries.packings(self.request.user)

    @staticmethod
    def create_action(actor, **data):
        return packing.pack(actor=actor, **data)


class LossViewSet(ActionViewSet):
    """Recorded losses of weight (sorting, drying in store, weighing)."""

    http_method_names = READ_AND_CREATE
    serializer_class = s.LossSerializer
    filterset_class = LossFilter

    def get_queryset(self):
        return queries.losses(self.request.user)

    @staticmethod
    def create_action(actor, **data):
        return actions.record_loss(actor=actor, **data)


class GIClaimViewSet(ActionViewSet):
    """Weights sold under a geographic indication; refused when lineage or cap forbid."""

    http_method_names = READ_AND_CREATE
    serializer_class = s.GIClaimSerializer
    filterset_class = GIClaimFilter

    def get_queryset(self):
        return queries.gi_claims(self.request.user)

    @staticmethod
    def create_action(actor, **data):
        return actions.claim_gi(actor=actor, **data)


BALANCE_FIELDS = {
    "node": serializers.CharField(),
    "node_code": serializers.CharField(),
    "herb": serializers.CharField(),
    "lot": serializers.CharField(),
    "received": serializers.DecimalField(max_digits=14, decimal_places=3),
    "dispatched": serializers.DecimalField(max_digits=14, decimal_places=3),
    "losses": serializers.DecimalField(max_digits=14, decimal_places=3),
    "stock": serializers.DecimalField(max_digits=14, decimal_places=3),
    "in_transit": serializers.DecimalField(max_digits=14, decimal_places=3),
    "difference": serializers.DecimalField(max_digits=14, decimal_places=3),
    "tolerance_pct": serializers.DecimalField(max_digits=5, decimal_places=2),
    "imbalanced": serializers.BooleanField(),
}


def balance_row(result, row) -> dict:
    org = result.orgs[row.node]
    return {
        "node": org.name,
        "node_code": org.code,
        "herb": result.herb_names.get(row.herb, ""),
        "lot": row.lot,
        "received": str(row.received),
        "dispatched": str(row.dispatched),
        "losses": str(row.losses),
        "stock": str(row.stock),
        "in_transit": str(row.in_transit),
        "difference": str(row.difference),
        "tolerance_pct": str(row.tolerance_pct),
        "imbalanced": row.imbalanced,
    }


class MassBalanceView(APIView):
    """The mass balance of every node the caller may read, per herb (``?site=&herb=``);
    ``?imbalanced=1`` keeps only the imbalances, node and lot."""

    @extend_schema(
        parameters=[
            OpenApiParameter("site", str, description="organisation code or GLN"),
            OpenApiParameter("herb", str, description="herb code"),
            OpenApiParameter("imbalanced", bool),
        ],
        responses=inline_serializer(
            "MassBalance",
            {
                "nodes": inline_serializer("MassBalanceNode", BALANCE_FIELDS, many=True),
                "lots": inline_serializer("MassBalanceLot", BALANCE_FIELDS, many=True),
            },
        ),
    )
    def get(self, request):
        params = request.query_params
        result = queries.mass_balance(
            request.user, site=params.get("site", ""), herb=params.get("herb", "")
        )
        only = params.get("imbalanced") in ("1", "true")
        nodes = result.imbalances if only else result.herbs
        lots = result.lot_imbalances if only else [r for r in result.lots if r.imbalanced]
        return Response(
            {
                "nodes": [balance_row(result, r) for r in nodes],
                "lots": [balance_row(result, r) for r in lots],
            }
        )


class GIViolationsView(APIView):
    """Existing geographic-indication violations, for regulators (and platform admins)."""

    @extend_schema(
        responses=inline_serializer(
            "GIViolation",
            {
                "indication": serializers.CharField(),
                "lot": serializers.CharField(),
                "holder": serializers.CharField(),
                "reason": serializers.CharField(),
            },
            many=True,
        )
    )
    def get(self, request):
        if not policy.reads_everything(request.user):
            raise PermissionDenied(_("Only regulators see the list of violations."))
        return Response([vars(v) for v in gi.violations()])
