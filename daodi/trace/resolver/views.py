"""The GS1 Digital Link resolver: ``/01/{gtin}[/10/{lot}][/21/{serial}]``.

A phone that scans a printed code gets the consumer trace page (HTML); a client that asks
for ``application/linkset+json`` (or ``?linkType=linkset``) gets the RFC 9264 linkset of the
GS1-Conformant resolver standard. Anything that is not a valid code of ours gets a friendly
404 page, never an error. Public, without login, limited per client address.

Built pages are cached per identifier and language together with the version stamp of the
lineage they were built from; a scan checks the stamp with one query, so a new event on any
lot of the lineage is seen at once. Each worker process keeps them in memory and also in a
cache all workers share (``RESOLVER_SHARED_CACHE``), so a page built by one is not built
again by the others.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from functools import wraps
from urllib.parse import quote, urlencode, urlsplit

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..epcis import identifiers
from . import story

LINKSET = "application/linkset+json"
GS1_VOC = "https://gs1.org/voc/"
HREFLANG = ["zh-Hans", "en"]
DEFAULT_RATE = "120/min"
CACHE_SECONDS = 15 * 60  # a backstop for changes that come without an event
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_QUALIFIERS = ("10", "21")  # lot, serial: in this order, each at most once
# Part of every cache key: a page built by an older release is never served by a newer one.
PAGE_FORMAT = "p2"


# --- settings ----------------------------------------------------------------------------


def story_cache():
    """The cache for built stories and rate counters (``RESOLVER_CACHE`` alias)."""
    return caches[getattr(settings, "RESOLVER_CACHE", "default")]


def shared_cache():
    """Built pages shared by every worker process (``RESOLVER_SHARED_CACHE`` alias)."""
    return caches[getattr(settings, "RESOLVER_SHARED_CACHE", "default")]


def rate() -> tuple[int, int] | None:
    """(requests, seconds) allowed per client address; None when unlimited.

    ``RESOLVER_RATE`` if set, else the REST API's public throttle rate (``PUBLIC_RATE``),
    e.g. "120/min"; "0" or "off" switches the limit off (load benchmarks).
    """
    value = getattr(settings, "RESOLVER_RATE", None)
    if value is None:
        rates = getattr(settings, "REST_FRAMEWORK", {}).get("DEFAULT_THROTTLE_RATES", {})
        value = rates.get("public") or DEFAULT_RATE
    value = str(value).strip().lower()
    match = re.fullmatch(r"(\d+)\s*/\s*([smhd])\w*", value)
    if not match or int(match.group(1)) == 0:
        return None
    return int(match.group(1)), _PERIODS[match.group(2)]


def client_address(request) -> str:
    """The client's address, taken through ``TRUSTED_PROXIES`` reverse proxies."""
    proxies = getattr(settings, "TRUSTED_PROXIES", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def rate_limited(view):
    """Answer 429 with a friendly page once an address exceeds the public rate."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        limit = rate()
        if limit is not None:
            allowed, period = limit
            window = int(time.time() // period)
            key = f"resolver:rate:{client_address(request)}:{window}"
            cache = story_cache()
            cache.add(key, 0, period + 1)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, period + 1)
                count = 1
            if count > allowed:
                wait = period - int(time.time()) % period
                response = render(request, "trace/resolver/throttled.html", status=429)
                response["Retry-After"] = str(max(wait, 1))
                return response
        return view(request, *args, **kwargs)

    return wrapper


# --- reading the path --------------------------------------------------------------------


def _raw_path(request) -> str:
    """The request path still percent-encoded, so a lot holding an encoded "/" survives.

    Servers that keep the raw URI (gunicorn's RAW_URI, REQUEST_URI) give it exactly; else
    the decoded path is encoded again, where a "/" inside a value is lost.
    """
    raw = request.META.get("RAW_URI") or request.META.get("REQUEST_URI")
    if raw:
        path = urlsplit(raw).path
        script = request.META.get("SCRIPT_NAME", "").rstrip("/")
        if script and path.startswith(script):
            path = path[len(script) :]
        return path
    return quote(request.path_info, safe="/!$&'()*+,;=:@")


def parse_path(path: str) -> identifiers.Identifier | None:
    """The GTIN, lot and serial of a resolver path, check digit verified; None if invalid."""
    segments = path.strip("/").split("/")
    if len(segments) % 2 or segments[0] != "01" or not all(segments):
        return None
    if not re.fullmatch(r"\d{14}", segments[1]):
        return None  # a printed code carries the GTIN-14; shorter forms are not ours
    qualifiers = [segments[i] for i in range(2, len(segments), 2)]
    order = [q for q in _QUALIFIERS if q in qualifiers]
    if qualifiers != order:
        return None
    try:
        return identifiers.parse(identifiers.CANONICAL_HOST + "/" + "/".join(segments))
    except identifiers.IdentifierError:
        return None


# --- the page ----------------------------------------------------------------------------


def _page_path(ident: identifiers.Identifier) -> str:
    """Our own path for an identifier (finest level only, values percent-encoded)."""
    return urlsplit(ident.canonical).path


# The page is rendered once per story and language with these marks where each visitor's
# own CSRF token and path go; a scan then only swaps them in.
_TOKEN_MARK = "\x00csrf\x00"
_NEXT_MARK = "\x00next\x00"


def _entry(canonical: str) -> dict | None:
    """The cached story and its rendered page, rebuilt when the lineage moved on."""
    cache = story_cache()
    language = get_language() or settings.LANGUAGE_CODE
    key = f"resolver:story:{PAGE_FORMAT}:{hashlib.sha1(canonical.encode()).hexdigest()}:{language}"
    got = cache.get_many([key, story.GENERATION_KEY])
    entry, generation = got.get(key), got.get(story.GENERATION_KEY, 0)
    if entry is not None and entry["generation"] == generation:
        if story.version_of(entry["names"]) == entry["version"]:
            return entry
    else:
        # Another worker may have built it (a wrong or stale entry fails the version check).
        shared = shared_cache().get(key)
        if shared is not None and story.version_of(shared["names"]) == shared["version"]:
            shared["generation"] = generation
            cache.set(key, shared, CACHE_SECONDS)
            return shared
    root = story.lookup(canonical)
    if root is None:
        return None
    data = story.build(canonical, root)
    product_path = reverse("resolver:product", args=[root.gtin]) if root.gtin else ""
    body = render_to_string("trace/resolver/_story.html", {"story": data})
    page = render_to_string(
        "trace/resolver/page.html",
        {
            "story": data,
            "body": body,
            "product_path": product_path,
            "csrf_token": _TOKEN_MARK,
            "next_path": _NEXT_MARK,
        },
    )
    entry = {
        "story": data,
        "page": page,
        "names": data["names"],
        "version": data["version"],
        "generation": generation,
    }
    cache.set(key, entry, CACHE_SECONDS)
    shared_cache().set(key, entry, CACHE_SECONDS)
    return entry


def _wants_linkset(request) -> bool:
    if request.GET.get("linkType") in ("linkset", "all"):
        return True
    accept = request.META.get("HTTP_ACCEPT", "")
    if LINKSET in accept:
        return True
    return "application/json" in accept and "text/html" not in accept


def _link_type(request) -> str:
    value = request.GET.get("linkType", "")
    return value[len(GS1_VOC) :] if value.startswith(GS1_VOC) else value.removeprefix("gs1:")


def _linkset(request, anchor: str, links: dict[str, list[dict]]) -> HttpResponse:
    body = {"linkset": [{"anchor": anchor, **{GS1_VOC + k: v for k, v in links.items()}}]}
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=1), content_type=LINKSET, status=200
    )
    response["Vary"] = "Accept, Accept-Language, Cookie"
    return response


def _link_header(request, path: str) -> str:
    url = request.build_absolute_uri(path) + "?" + urlencode({"linkType": "linkset"})
    return f'<{url}>; rel="linkset"; type="{LINKSET}"'


def not_found(request, *, kind: str = "unverified", code: str = "") -> HttpResponse:
    """The friendly 404: ``unverified`` (malformed, bad check digit, not our product) or
    ``unregistered`` (a code of our product that was never issued: possible counterfeit)."""
    if _wants_linkset(request):
        return JsonResponse(
            {
                "type": "about:blank",
                "title": _("This code could not be verified."),
                "status": 404,
                "detail": kind,
            },
            status=404,
            content_type="application/problem+json",
        )
    return render(
        request, "trace/resolver/not_found.html", {"kind": kind, "code": code}, status=404
    )


@rate_limited
def resolve(request, **_kwargs):
    """Every path under /01/: the trace page, the product page or the linkset."""
    ident = parse_path(_raw_path(request))
    if ident is None:
        return not_found(request)
    if ident.scheme == "gtin":
        return product(request, ident)
    canonical = ident.canonical
    entry = _entry(canonical)
    if entry is None:
        kind = "unregistered" if story.gtin_known(ident.key) else "unverified"
        return not_found(request, kind=kind, code=ident.digital_link(""))
    data = entry["story"]
    path = _page_path(ident)
    product_path = reverse("resolver:product", args=[ident.key])
    link_type = _link_type(request)
    if link_type == "pip":
        return HttpResponseRedirect(product_path)
    if link_type == "certificationInfo" and data["links"]:
        return HttpResponseRedirect(data["links"][0]["href"])
    if _wants_linkset(request):
        page = {
            "href": request.build_absolute_uri(path),
            "title": _("Trace of this product"),
            "type": "text/html",
            "hreflang": HREFLANG,
        }
        herb = data["herb"]["name"] if data["herb"] else ""
        links = {
            "pip": [
                {
                    "href": request.build_absolute_uri(product_path),
                    "title": " ".join(filter(None, [herb, data["grade"], data["pack"]]))
                    or _("Product information"),
                    "type": "text/html",
                    "hreflang": HREFLANG,
                }
            ],
            "traceability": [page],
            "defaultLink": [page],
        }
        for link in data["links"]:
            rel = link["rel"].removeprefix(GS1_VOC)
            links.setdefault(rel, []).append({"href": link["href"], "title": link["title"]})
        return _linkset(request, canonical, links)
    page = entry["page"].replace(_TOKEN_MARK, get_token(request), 1)
    page = page.replace(_NEXT_MARK, escape(request.get_full_path()), 1)
    response = HttpResponse(page)
    response["Link"] = _link_header(request, path)
    response["Vary"] = "Accept, Accept-Language, Cookie"
    return response


def product(request, ident: identifiers.Identifier) -> HttpResponse:
    """The product page of a GTIN: herb, grade and pack."""
    data = story.product(ident.key)
    if data is None:
        return not_found(request, code=ident.digital_link(""))
    path = reverse("resolver:product", args=[ident.key])
    if _wants_linkset(request):
        page = {
            "href": request.build_absolute_uri(path),
            "title": " ".join(filter(None, [data["herb"]["name"], data["grade"], data["pack"]])),
            "type": "text/html",
            "hreflang": HREFLANG,
        }
        return _linkset(request, ident.canonical, {"pip": [page], "defaultLink": [page]})
    response = render(request, "trace/resolver/product.html", {"product": data})
    response["Link"] = _link_header(request, path)
    response["Vary"] = "Accept, Accept-Language, Cookie"
    return response
