from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from daodi.core.api import ActionViewSet, actor_of

from .. import actions, queries
from ..filters import DivisionFilter, OrganisationFilter, SiteFilter, UserFilter
from ..models import ApiToken, Division
from . import serializers as s


class DivisionViewSet(viewsets.ReadOnlyModelViewSet):
    """Administrative divisions (行政区划): reference data everyone signed in may read."""

    queryset = Division.objects.all()
    serializer_class = s.DivisionSerializer
    filterset_class = DivisionFilter


class OrganisationViewSet(ActionViewSet):
    """Organisations the caller may see: their own and those they manage."""

    serializer_class = s.OrganisationSerializer
    filterset_class = OrganisationFilter
    ordering_fields = ["name", "code", "kind", "created_at"]

    def get_queryset(self):
        return queries.organisations(self.request.user)

    @staticmethod
    def create_action(actor, **data):
        return actions.create_organisation(actor=actor, **data)

    @staticmethod
    def update_action(actor, obj, **data):
        return actions.update_organisation(actor=actor, organisation=obj, **data)


class SiteViewSet(ActionViewSet):
    """Places of the organisations the caller may see."""

    serializer_class = s.SiteSerializer
    filterset_class = SiteFilter
    ordering_fields = ["name", "gln"]

    def get_queryset(self):
        return queries.sites(self.request.user)

    @staticmethod
    def create_action(actor, **data):
        return actions.create_site(actor=actor, **data)

    @staticmethod
    def update_action(actor, obj, **data):
        return actions.update_site(actor=actor, site=obj, **data)


class UserViewSet(ActionViewSet):
    """People with a role in the organisations the caller may see."""

    serializer_class = s.UserSerializer
    filterset_class = UserFilter
    ordering_fields = ["username"]

    def get_queryset(self):
        return queries.users(self.request.user).prefetch_related("memberships")

    def get_serializer_class(self):
        return s.UserCreateSerializer if self.action == "create" else s.UserSerializer

    @extend_schema(request=s.UserCreateSerializer, responses={201: s.UserSerializer})
    def create(self, request, *args, **kwargs):
        serializer = s.UserCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = actions.create_user(actor=actor_of(request), **serializer.validated_data)
        return Response(s.UserSerializer(user).data, status=status.HTTP_201_CREATED)

    @staticmethod
    def update_action(actor, obj, **data):
        return actions.update_user(actor=actor, user=obj, **data)


class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's own API tokens. Create returns the secret once; revoke ends it at once."""

    serializer_class = s.ApiTokenSerializer
    queryset = ApiToken.objects.none()  # for the schema; get_queryset scopes to the caller
    filterset_fields = []

    def get_queryset(self):
        return ApiToken.objects.filter(user=self.request.user)

    @extend_schema(request=s.ApiTokenSerializer, responses={201: s.NewApiTokenSerializer})
    def create(self, request):
        serializer = s.ApiTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, secret = actions.create_token(
            actor=actor_of(request), user=request.user, name=serializer.validated_data["name"]
        )
        data = s.NewApiTokenSerializer(token).data | {"token": secret}
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.ApiTokenSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = actions.revoke_token(actor=actor_of(request), token=self.get_object())
        return Response(s.ApiTokenSerializer(token).data)
