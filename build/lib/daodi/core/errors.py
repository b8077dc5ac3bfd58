"""Domain errors: the one way an action refuses.

Every refusal carries a stable machine code, a message that is translated when it is
rendered (so the API answers in the caller's language) and optional per-field messages.
The web form, the REST API and the CLI each turn a DomainError into their own shape.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A refused action: ``code`` for programs, ``message`` for people, ``fields`` per field."""

    status = 400
    default_code = "invalid"
    default_message = _("The request is not valid.")

    def __init__(self, message=None, *, code: str | None = None, fields: dict | None = None):
        self.message = message if message is not None else self.default_message
        self.code = code or self.default_code
        self.fields = fields or {}
        super().__init__(str(self.message))

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "message": str(self.message),
            "fields": {k: [str(m) for m in v] for k, v in self.fields.items()},
        }

    @classmethod
    def from_validation_error(cls, exc: ValidationError) -> DomainError:
        if hasattr(exc, "error_dict"):
            fields = {
                name: [m for e in errors for m in e.messages]
                for name, errors in exc.error_dict.items()
            }
            non_field = fields.pop("__all__", None)
            message = non_field[0] if non_field else _("Some fields are not valid.")
            return cls(message, code="validation_failed", fields=fields)
        return cls(exc.messages[0] if exc.messages else None, code="validation_failed")


class PermissionDenied(DomainError):
    status = 403
    default_code = "permission_denied"
    default_message = _("You do not have permission to do this.")


class NotFound(DomainError):
    status = 404
    default_code = "not_found"
    default_message = _("Not found.")


class Conflict(DomainError):
    status = 409
    default_code = "conflict"
    default_message = _("This conflicts with an existing record.")
