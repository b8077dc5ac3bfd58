"""Bearer-token authentication for the REST API (tokens stored as SHA-256 hashes)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from daodi.core.compiled import CompiledQuery, by_pk

from .actions import hash_token
from .models import ApiToken, User

# Every API request looks its token up: compiled once (see core.compiled).
_TOKEN = CompiledQuery(
    lambda key_hash: ApiToken.objects.filter(key_hash=key_hash, revoked_at__isnull=True)[:1],
    str,
    model=True,
)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>``."""

    keyword = "bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        token = _TOKEN.first(hash_token(header[1]))
        user = by_pk(User).first(token.user_id) if token is not None else None
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        token.user = user
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return user, token

    def authenticate_header(self, request):
        return "Bearer"


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Documents the bearer token in the OpenAPI schema."""

    target_class = "daodi.orgs.tokens.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "daodi API token (daodi createtoken)",
        }
