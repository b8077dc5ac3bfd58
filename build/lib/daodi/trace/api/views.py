from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from daodi.core.errors import DomainError

from .. import queries

_node = inline_serializer(
    "TraceNode",
    {
        "identifier": serializers.CharField(),
        "herb": serializers.CharField(allow_null=True),
        "grade": serializers.CharField(allow_null=True),
        "quantity": serializers.CharField(allow_null=True),
        "unit": serializers.CharField(allow_null=True),
        "holder": serializers.CharField(allow_null=True),
        "place": serializers.CharField(allow_null=True),
        "status": serializers.CharField(allow_null=True),
    },
)
_edge = inline_serializer(
    "TraceEdge",
    {
        "from": serializers.CharField(),
        "to": serializers.CharField(),
        "eventID": serializers.CharField(),
        "bizStep": serializers.CharField(),
        "time": serializers.DateTimeField(),
    },
)


class TraceView(APIView):
    """The lineage graph of a lot or item: where it came from and where it went.

    Lots held by organisations the caller may not read show their herb, grade and status
    only; quantities, holders and places stay private.
    """

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "identifier",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="EPC URN or GS1 Digital Link URI",
            ),
            OpenApiParameter(
                "direction", OpenApiTypes.STR, enum=list(queries.DIRECTIONS), default="both"
            ),
        ],
        responses=inline_serializer(
            "TraceGraph",
            {
                "root": serializers.CharField(),
                "direction": serializers.CharField(),
                "nodes": _node.__class__(many=True),
                "edges": _edge.__class__(many=True),
            },
        ),
    )
    def get(self, request, identifier: str):
        direction = request.query_params.get("direction", "both")
        if direction not in queries.DIRECTIONS:
            raise DomainError(
                _("direction must be backward, forward or both."),
                code="bad_direction",
                fields={"direction": [direction]},
            )
        try:
            graph = queries.graph(identifier, direction=direction, user=request.user)
        except queries.UnknownIdentifier as exc:
            raise DomainError(
                _("Not a valid lot or item identifier."),
                code="bad_identifier",
                fields={"identifier": [str(exc)]},
            ) from exc
        return Response(graph)
