from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..choices import Role
from ..models import ApiToken, Division, Membership, Organisation, Site, User


class DivisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Division
        fields = ["id", "code", "name", "level", "parent"]


class OrganisationSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "kind",
            "kind_display",
            "name",
            "code",
            "managed_by",
            "division",
            "gln",
            "contact_person",
            "phone",
            "address",
            "is_active",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class SiteSerializer(serializers.ModelSerializer):
    sgln = serializers.CharField(read_only=True)

    class Meta:
        model = Site
        fields = [
            "id",
            "organisation",
            "kind",
            "name",
            "gln",
            "sgln",
            "division",
            "address",
            "latitude",
            "longitude",
            "is_active",
        ]


class MembershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = ["id", "organisation", "role"]


class UserSerializer(serializers.ModelSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "phone",
            "is_active",
            "memberships",
        ]
        read_only_fields = ["username"]


class UserCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True, min_length=8)
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    role = serializers.ChoiceField(
        choices=Membership._meta.get_field("role").choices, default=Role.VIEWER
    )
    first_name = serializers.CharField(required=False, allow_blank=True, default="")
    last_name = serializers.CharField(required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True, default="")


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]


class NewApiTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text=_("Shown once; store it safely."))

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
