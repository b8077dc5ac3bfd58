"""RFC 7807 problem documents with the exception types of the EPCIS 2.0 REST bindings.

Every error the ``/epcis/`` interface answers is one of these, served as
``application/problem+json``; the ``type`` is the bindings' ``epcisException:…`` name, the
``title`` a short translated sentence, the ``detail`` what exactly was wrong.
"""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

CONTENT_TYPE = "application/problem+json"

VALIDATION = "epcisException:ValidationException"
QUERY_PARAMETER = "epcisException:QueryParameterException"
QUERY_TOO_LARGE = "epcisException:QueryTooLargeException"
CAPTURE_LIMIT = "epcisException:CaptureLimitExceededException"
NO_SUCH_RESOURCE = "epcisException:NoSuchResourceException"
NO_SUCH_NAME = "epcisException:NoSuchNameException"
ALREADY_EXISTS = "epcisException:ResourceAlreadyExistsException"
SECURITY = "epcisException:SecurityException"
NOT_ACCEPTABLE = "epcisException:NotAcceptableException"
UNSUPPORTED_MEDIA_TYPE = "epcisException:UnsupportedMediaTypeException"
IMPLEMENTATION = "epcisException:ImplementationException"

TITLES = {
    VALIDATION: _("The EPCIS data are not valid."),
    QUERY_PARAMETER: _("A query parameter is not valid."),
    QUERY_TOO_LARGE: _("The query result is too large."),
    CAPTURE_LIMIT: _("The capture payload is too large."),
    NO_SUCH_RESOURCE: _("Resource not found."),
    NO_SUCH_NAME: _("No query with this name."),
    ALREADY_EXISTS: _("A resource with this identifier already exists."),
    SECURITY: _("Access to this resource is not allowed."),
    NOT_ACCEPTABLE: _("The requested version or format is not supported."),
    UNSUPPORTED_MEDIA_TYPE: _("The content type is not supported."),
    IMPLEMENTATION: _("The request could not be carried out."),
}


class Problem(Exception):
    """An error to answer as a problem document; ``extra`` adds extension members."""

    def __init__(self, type_: str, status: int, detail=None, *, headers=None, title=None, **extra):
        self.type = type_
        self.title = title
        self.status = status
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra
        super().__init__(f"{type_}: {detail}")

    def as_dict(self, instance: str | None = None) -> dict:
        title = self.title if self.title is not None else TITLES.get(self.type, "")
        body = {"type": self.type, "title": str(title), "status": self.status}
        if self.detail is not None:
            body["detail"] = str(self.detail)
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body

    def response(self, instance: str | None = None) -> HttpResponse:
        response = HttpResponse(
            json.dumps(self.as_dict(instance), ensure_ascii=False),
            status=self.status,
            content_type=CONTENT_TYPE,
        )
        for name, value in self.headers.items():
            response[name] = value
        return response


def event_error(error: dict, instance: str | None = None) -> dict:
    """One capture error (``{"event", "path", "code", "message"}``) as a problem object that
    still names the event index and the field as extension members."""
    where = f"event {error['event']}, " if error.get("event") is not None else ""
    path = error.get("path") or ""
    detail = f"{where}{path}: {error['message']}" if path else f"{where}{error['message']}"
    problem = Problem(
        CAPTURE_LIMIT if error.get("code") == "capture_limit" else VALIDATION,
        413 if error.get("code") == "capture_limit" else 400,
        detail,
        event=error.get("event"),
        path=path,
        code=error.get("code"),
    )
    return problem.as_dict(instance)


def validation_detail(errors: list[dict]) -> str:
    """All errors of a request in one detail line: ``event 1, bizStep: …; event 2, …``."""
    return "; ".join(event_error(e)["detail"] for e in errors)
