"""The EPCIS 2.0 REST interface (JSON-LD binding) at ``/epcis/``.

It follows GS1's own bindings (``openapi.yaml`` of the standard), not the conventions of
``/api/``: bodies are JSON-LD, errors are RFC 7807 problem documents with the bindings'
``epcisException:…`` types, paging is ``perPage`` + ``nextPageToken`` with a ``Link``
header. So these views stay out of the project's OpenAPI schema. Authentication is the
project's (bearer token or session); what a caller sees is scoped by ``orgs.policy``.

Capture runs within the request (the job is finished when 202 is answered), streaming
the body through a spooled temporary file so a large document never sits in memory whole.
"""

from __future__ import annotations

import json
import re
import uuid
from tempfile import SpooledTemporaryFile
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from daodi.core.actor import Actor
from daodi.core.errors import DomainError
from daodi.orgs import policy

from .. import actions
from ..epcis import hashing
from ..models import Capture, Event, NamedQuery
from . import paging, problems, query, rendering
from .problems import Problem

SPOOL_IN_MEMORY = 1024 * 1024  # bodies above 1 MB go to a temporary file
CHUNK = 64 * 1024
JSON_TYPES = ("application/json", "application/ld+json")
_VERSION = re.compile(r"^\d+(\.\d+)*$")


def capture_limit() -> int:
    return int(getattr(settings, "EPCIS_CAPTURE_LIMIT", 10_000))


def file_size_limit() -> int:
    return int(getattr(settings, "EPCIS_CAPTURE_FILE_SIZE_LIMIT", 100 * 1024 * 1024))


def limit_headers() -> dict[str, str]:
    return {
        "GS1-EPCIS-Capture-Limit": str(capture_limit()),
        "GS1-EPCIS-Capture-File-Size-Limit": str(file_size_limit()),
    }


def visible_events(user):
    """Events captured by organisations ``user`` may read (all for regulators and admins)."""
    return Event.objects.filter(policy.org_q(user, prefix="organisation__"))


def visible_captures(user):
    """The caller's own captures and those of organisations they may read."""
    return Capture.objects.filter(Q(user=user) | policy.org_q(user, prefix="organisation__"))


def _version(value: str) -> tuple[int, ...]:
    return tuple(int(p) for p in value.split("."))


class _AnyAccept(BaseContentNegotiation):
    """Bodies are always JSON(-LD); an Accept header never turns a request into a 406."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@extend_schema(exclude=True)
class EpcisView(APIView):
    """Base of every ``/epcis/`` view: problem documents, version headers, OPTIONS."""

    content_negotiation_class = _AnyAccept
    renderer_classes = [JSONRenderer]
    parser_classes = []  # bodies are read as streams by the views themselves

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.check_versions(request)

    def check_versions(self, request) -> None:
        """Refuse (406) a request that needs an EPCIS or CBV version other than 2.x."""
        headers = request.headers
        for name in ("GS1-EPCIS-Version", "GS1-CBV-Version"):
            value = headers.get(name)
            if value and (not _VERSION.match(value.strip()) or _version(value)[0] != 2):
                raise Problem(
                    problems.NOT_ACCEPTABLE, 406, _("Only version 2.0 is supported: %s") % name
                )
        for kind in ("EPCIS", "CBV"):
            low, high = headers.get(f"GS1-{kind}-Min"), headers.get(f"GS1-{kind}-Max")
            try:
                too_high = low and _version(low.strip()) > (2, 0, 0)
                too_low = high and _version(high.strip()) < (2,)
            except ValueError:
                too_high = too_low = True
            if too_high or too_low:
                raise Problem(problems.NOT_ACCEPTABLE, 406, _("This server speaks %s 2.0.") % kind)

    def options(self, request, *args, **kwargs):
        return HttpResponse(status=204)  # Allow is set by DRF from the methods defined

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["GS1-EPCIS-Version"] = rendering.EPCIS_VERSION
        response["GS1-CBV-Version"] = rendering.CBV_VERSION
        response["GS1-EPCIS-Min"] = response["GS1-EPCIS-Max"] = rendering.EPCIS_VERSION
        response["GS1-CBV-Min"] = response["GS1-CBV-Max"] = rendering.CBV_VERSION
        # Events are returned as they were captured (EPC URNs or Digital Links as sent).
        response["GS1-EPC-Format"] = "Never_Translates"
        return response

    def handle_exception(self, exc):
        problem = self.as_problem(exc)
        if problem is None:
            return super().handle_exception(exc)
        response = problem.response(instance=self.request.path)
        if problem.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="epcis"'
        response.exception = True
        return response

    @staticmethod
    def as_problem(exc) -> Problem | None:
        if isinstance(exc, Problem):
            return exc
        if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
            return Problem(problems.SECURITY, 401, exc.detail)
        if isinstance(exc, exceptions.PermissionDenied):
            return Problem(problems.SECURITY, 403, exc.detail)
        if isinstance(exc, query.QueryParameterError):
            return Problem(problems.QUERY_PARAMETER, 400, str(exc), parameter=exc.parameter)
        if isinstance(exc, paging.PageTokenError):
            return Problem(problems.QUERY_PARAMETER, 400, str(exc), parameter="nextPageToken")
        if isinstance(exc, Http404):
            return Problem(problems.NO_SUCH_RESOURCE, 404)
        if isinstance(exc, exceptions.MethodNotAllowed):
            return Problem("about:blank", 405, exc.detail, title=_("Method not allowed."))
        if isinstance(exc, DomainError):
            kind = {
                403: problems.SECURITY,
                404: problems.NO_SUCH_RESOURCE,
                409: problems.ALREADY_EXISTS,
            }.get(exc.status, problems.VALIDATION)
            return Problem(kind, exc.status, exc.message, code=exc.code)
        return None

    # --- helpers for subclasses ---------------------------------------------------------

    def actor(self) -> Actor:
        return Actor(user=self.request.user, channel="api")

    def require_json(self, request) -> None:
        content_type = (request.content_type or "").split(";")[0].strip().lower()
        if content_type not in JSON_TYPES:
            raise Problem(
                problems.UNSUPPORTED_MEDIA_TYPE,
                415,
                _("Send application/ld+json or application/json."),
            )

    def spool(self, request) -> SpooledTemporaryFile:
        """The request body in a temporary file, refused (413) beyond the size limit.

        Content-Length is checked before anything is read; the bytes are counted as they
        are copied for a body that announces no length or lies about it.
        """
        limit = file_size_limit()
        announced = request.META.get("CONTENT_LENGTH")
        if announced and announced.isdigit() and int(announced) > limit:
            raise self.too_large(_("The body is larger than %(limit)s bytes.") % {"limit": limit})
        fp = SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - the caller closes it
        total = 0
        while chunk := request._request.read(CHUNK):
            total += len(chunk)
            if total > limit:
                fp.close()
                raise self.too_large(
                    _("The body is larger than %(limit)s bytes.") % {"limit": limit}
                )
            fp.write(chunk)
        fp.seek(0)
        return fp

    def read_json(self, request):
        """A small JSON body (one event, a named query), within the size limit."""
        self.require_json(request)
        with self.spool(request) as fp:
            try:
                return json.load(fp)
            except (ValueError, UnicodeDecodeError) as exc:
                raise Problem(
                    problems.VALIDATION, 400, _("The body is not well-formed JSON: %s") % exc
                ) from exc

    @staticmethod
    def too_large(detail) -> Problem:
        return Problem(problems.CAPTURE_LIMIT, 413, detail, headers=limit_headers())

    def page_params(self, request) -> tuple[int, str | None]:
        try:
            size = paging.per_page(request.GET.get("perPage"))
        except ValueError as exc:
            raise query.QueryParameterError(
                "perPage", _("must be a positive whole number")
            ) from exc
        return size, request.GET.get("nextPageToken") or None

    def link_next(self, request, response, cursor) -> None:
        params = [(k, v) for k, vs in request.GET.lists() if k != "nextPageToken" for v in vs]
        params.append(("nextPageToken", paging.encode(cursor)))
        url = request.build_absolute_uri(request.path) + "?" + urlencode(params)
        response["Link"] = f'<{url}>; rel="next"'

    def run_query(self, request, params, *, name="SimpleEventQuery", extra=()) -> HttpResponse:
        """Answer an EPCISQueryDocument for ``params``, one page at a time."""
        parsed = query.parse(params)
        qs = parsed.apply(visible_events(request.user))
        for q in extra:
            qs = qs.filter(q)
        size, token = self.page_params(request)
        key = query.digest({**params, "@path": [request.path]})
        if token:
            cursor = paging.decode(token, key)
        else:
            cursor = paging.start(qs, key)
            if parsed.max_event_count is not None:
                found = qs.filter(id__lte=cursor.high_water).count()
                if found > parsed.max_event_count:
                    raise Problem(
                        problems.QUERY_TOO_LARGE,
                        413,
                        _("%(found)s events match, more than maxEventCount %(max)s.")
                        % {"found": found, "max": parsed.max_event_count},
                    )
        rows, following = paging.page(
            qs,
            cursor,
            order_by=parsed.order_by,
            descending=parsed.descending,
            size=size,
            limit=parsed.event_count_limit,
        )
        response = rendering.json_response(rendering.query_document(rows, name))
        if following is not None:
            self.link_next(request, response, following)
        return response

    def only_paging(self, request) -> None:
        for name in request.GET:
            if name not in query.PAGING:
                raise query.QueryParameterError(name, _("unknown or unsupported query parameter"))


class TopLevelView(EpcisView):
    """``GET /epcis/``: the resources this repository offers."""

    def get(self, request):
        return rendering.json_response(
            rendering.collection(["capture", "events", "eventTypes", "epcs", "queries"])
        )


class CaptureView(EpcisView):
    """``/epcis/capture``: capture a document (POST), list capture jobs (GET)."""

    def options(self, request, *args, **kwargs):
        response = super().options(request, *args, **kwargs)
        for name, value in limit_headers().items():
            response[name] = value
        response["GS1-Capture-Error-Behaviour"] = "all"
        return response

    def get(self, request):
        self.only_paging(request)
        size, token = self.page_params(request)
        qs = visible_captures(request.user)
        key = query.digest({"@path": [request.path]})
        cursor = paging.decode(token, key) if token else paging.start(qs, key)
        rows, following = paging.page(qs, cursor, order_by=None, descending=False, size=size)
        response = rendering.json_response(
            [rendering.capture_job(c, self.job_url(c)) for c in rows],
            content_type="application/json",
        )
        for name, value in limit_headers().items():
            response[name] = value
        if following is not None:
            self.link_next(request, response, following)
        return response

    @staticmethod
    def job_url(capture: Capture) -> str:
        return reverse("epcis_rest:capture-job", args=[str(capture.capture_id)])

    def post(self, request):
        behaviour = request.headers.get("GS1-Capture-Error-Behaviour", "rollback").strip()
        if behaviour not in (actions.ROLLBACK, actions.PROCEED):
            raise Problem(
                problems.VALIDATION,
                400,
                _("GS1-Capture-Error-Behaviour must be rollback or proceed."),
            )
        self.require_json(request)
        actor = self.actor()
        actions.capturing_organisation(actor)  # refuse before reading a large body
        with self.spool(request) as fp:
            outcome = actions.capture(
                actor=actor,
                fp=fp,
                proceed=behaviour == actions.PROCEED,
                event_limit=capture_limit(),
            )
        job = outcome.capture
        url = self.job_url(job)
        if any(e.get("code") == "capture_limit" for e in outcome.errors):
            raise self.too_large(
                _("The document holds more than %(limit)s events.") % {"limit": capture_limit()}
            )
        document_errors = [e for e in outcome.errors if e.get("event") is None]
        if any(e.get("code") == "malformed" for e in outcome.errors) or document_errors:
            # Not an EPCIS document at all: refused on receipt, as the bindings' 400.
            raise Problem(
                problems.VALIDATION,
                400,
                problems.validation_detail(outcome.errors),
                captureID=str(job.capture_id),
            )
        response = rendering.json_response(
            rendering.capture_job(job, url), status=202, content_type="application/json"
        )
        response["Location"] = url
        return response


class CaptureJobView(EpcisView):
    """``GET /epcis/capture/{captureID}``: the state of one capture job."""

    def get(self, request, capture_id: str):
        try:
            key = uuid.UUID(capture_id)
        except ValueError as exc:
            raise Http404 from exc
        job = visible_captures(request.user).filter(capture_id=key).first()
        if job is None:
            raise Http404
        return rendering.json_response(
            rendering.capture_job(job, request.path), content_type="application/json"
        )


class EventsView(EpcisView):
    """``/epcis/events``: query events (GET), capture one event (POST)."""

    def get(self, request):
        return self.run_query(request, query.from_querydict(request.GET))

    def post(self, request):
        event = self.read_json(request)
        if not isinstance(event, dict) or event.get("type") in (
            "EPCISDocument",
            "EPCISQueryDocument",
        ):
            raise Problem(
                problems.VALIDATION,
                400,
                _("Send one event as a JSON object; documents go to /epcis/capture."),
            )
        outcome = actions.capture_event(actor=self.actor(), event=event)
        if outcome.errors:
            raise Problem(
                problems.VALIDATION,
                400,
                problems.validation_detail(outcome.errors),
                errors=[problems.event_error(e) for e in outcome.errors],
            )
        if outcome.duplicates:
            prefixes = hashing.context_prefixes(event.get("@context"))
            known = Event.objects.filter(event_hash=hashing.event_hash(event, prefixes)).first()
            raise Problem(
                problems.ALREADY_EXISTS,
                409,
                _("This event exists already: %s") % (known.event_id if known else ""),
            )
        stored = outcome.stored[0]
        response = rendering.json_response(stored.document, status=201)
        response["Location"] = event_url(stored.event_id)
        return response


def event_url(event_id: str) -> str:
    return reverse("epcis_rest:events") + "/" + quote(event_id, safe="")


class EventView(EpcisView):
    """``GET /epcis/events/{eventID}``: one event with its error declarations."""

    def get(self, request, event_id: str):
        rows = list(visible_events(request.user).filter(event_id=event_id).order_by("id"))
        if not rows:
            raise Http404
        return rendering.json_response(rendering.query_document(rows))


class EventTypesView(EpcisView):
    """``GET /epcis/eventTypes``: the five EPCIS event types."""

    def get(self, request):
        return rendering.json_response(rendering.collection(rendering.event_types()))


class EventTypeEventsView(EpcisView):
    """``GET /epcis/eventTypes/{eventType}/events``: the events of one type."""

    def get(self, request, event_type: str):
        return self.run_query(
            request, query.from_querydict(request.GET), extra=[Q(event_type=event_type)]
        )


class EpcEventsView(EpcisView):
    """``GET /epcis/epcs/{epc}/events``: events naming an identifier in any role."""

    def get(self, request, epc: str):
        return self.run_query(
            request,
            query.from_querydict(request.GET),
            extra=[query.match_identifiers([epc], query.ALL_ROLES)],
        )


def _named(named: NamedQuery) -> dict:
    return {"name": named.name, "query": named.parameters}


class QueriesView(EpcisView):
    """``/epcis/queries``: named queries, listed (GET) and created (POST).

    Named queries are shared views: every caller may list and run them, and each sees only
    the events their own scope allows.
    """

    def get(self, request):
        self.only_paging(request)
        size, token = self.page_params(request)
        qs = NamedQuery.objects.all()
        key = query.digest({"@path": [request.path]})
        cursor = paging.decode(token, key) if token else paging.start(qs, key)
        rows, following = paging.page(qs, cursor, order_by=None, descending=False, size=size)
        response = rendering.json_response(
            [_named(n) for n in rows], content_type="application/json"
        )
        if following is not None:
            self.link_next(request, response, following)
        return response

    def post(self, request):
        body = self.read_json(request)
        if not isinstance(body, dict) or not isinstance(body.get("name"), str):
            raise Problem(problems.VALIDATION, 400, _('Send {"name": …, "query": {…}}.'))
        named = actions.create_named_query(
            actor=self.actor(), name=body["name"], parameters=body.get("query") or {}
        )
        response = rendering.json_response(
            _named(named), status=201, content_type="application/json"
        )
        response["Location"] = reverse("epcis_rest:query", args=[named.name])
        return response


def _named_or_404(name: str) -> NamedQuery:
    named = NamedQuery.objects.filter(name=name).first()
    if named is None:
        raise Problem(problems.NO_SUCH_NAME, 404, name)
    return named


class QueryView(EpcisView):
    """``/epcis/queries/{queryName}``: one named query (GET), removed (DELETE)."""

    def get(self, request, name: str):
        return rendering.json_response(_named(_named_or_404(name)), content_type="application/json")

    def delete(self, request, name: str):
        actions.delete_named_query(actor=self.actor(), named_query=_named_or_404(name))
        return HttpResponse(status=204)


class QueryEventsView(EpcisView):
    """``GET /epcis/queries/{queryName}/events``: run a named query; only paging parameters
    may be added in the URL."""

    def get(self, request, name: str):
        named = _named_or_404(name)
        self.only_paging(request)
        return self.run_query(request, query.from_json(named.parameters), name=named.name)
