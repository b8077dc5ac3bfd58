"""The EPCIS 2.0 query language (``SimpleEventQuery`` parameters) as ORM filters.

A query arrives either as URL parameters (``EQ_bizStep=shipping|receiving``: several values
of one parameter are separated by ``|``, the bindings' ``pipeDelimited`` style) or as the
JSON object of a named query (``{"EQ_bizStep": ["shipping", "receiving"]}``). Both become
``{name: [value, ...]}`` and then one :class:`Query`: a list of ``Q`` objects for the typed
columns, the identifier index and the stored JSON document, plus the ordering. Paging
parameters (``perPage``, ``nextPageToken``) are the view's business, not the query's.

Identifiers are matched in canonical form (EPC URN and Digital Link are one identifier);
CBV values may be bare words, Web URIs or EPCIS 1.x URNs; CURIEs are expanded with the
standard prefixes, the daodi profile prefix and any ``@context`` the query carries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from ..choices import IdentifierRole as Role
from ..epcis import cbv, identifiers, profile
from ..epcis.hashing import context_prefixes
from ..models import EventIdentifier

PAGING = frozenset({"perPage", "nextPageToken"})

EPC_ROLES = {
    "MATCH_epc": (Role.EPC, Role.CHILD),
    "MATCH_parentID": (Role.PARENT,),
    "MATCH_inputEPC": (Role.INPUT,),
    "MATCH_outputEPC": (Role.OUTPUT,),
    "MATCH_anyEPC": (Role.EPC, Role.PARENT, Role.CHILD, Role.INPUT, Role.OUTPUT),
    "MATCH_epcClass": (Role.CLASS, Role.CHILD_CLASS),
    "MATCH_inputEPCClass": (Role.INPUT_CLASS,),
    "MATCH_outputEPCClass": (Role.OUTPUT_CLASS,),
    "MATCH_anyEPCClass": (Role.CLASS, Role.CHILD_CLASS, Role.INPUT_CLASS, Role.OUTPUT_CLASS),
}
ALL_ROLES = tuple(Role.values)
TIME_COLUMNS = {
    "GE_eventTime": ("event_time", "gte"),
    "LT_eventTime": ("event_time", "lt"),
    "GE_recordTime": ("record_time", "gte"),
    "LT_recordTime": ("record_time", "lt"),
}
ORDER_COLUMNS = {"eventTime": "event_time", "recordTime": "record_time"}
SINGLE = frozenset(
    {
        *TIME_COLUMNS,
        "orderBy",
        "orderDirection",
        "eventCountLimit",
        "maxEventCount",
        "EXISTS_errorDeclaration",
    }
)
# Extension field parameters: EQ_ILMD_prefix:name, EQ_prefix:name, or the full-URI forms.
_EXTENSION = re.compile(r"^EQ_(ILMD_)?(.+)$")


class QueryParameterError(ValueError):
    """A parameter that is unknown or has a value it cannot have (QueryParameterException)."""

    def __init__(self, parameter: str, message: str):
        self.parameter = parameter
        super().__init__(f"{parameter}: {message}")


@dataclass
class Query:
    """A parsed query: filters to AND together, the ordering and the count limits."""

    filters: list[Q] = field(default_factory=list)
    order_by: str | None = None  # a column of Event, or None for capture order
    descending: bool = False
    event_count_limit: int | None = None
    max_event_count: int | None = None
    digest: str = ""  # identifies the parameters, so a page token cannot switch queries

    def apply(self, qs):
        for q in self.filters:
            qs = qs.filter(q)
        return qs


# --- collecting the parameters ------------------------------------------------------------


def from_querydict(querydict) -> dict[str, list[str]]:
    """URL parameters as ``{name: [values]}``: ``|`` separates values, repeats add more."""
    params: dict[str, list[str]] = {}
    for name in querydict:
        if name in PAGING:
            continue
        for raw in querydict.getlist(name):
            params.setdefault(name, []).extend(raw.split("|") if name not in SINGLE else [raw])
    return params


def from_json(query: Any) -> dict[str, list[str]]:
    """A named query's JSON object (``query-schema.json``) as ``{name: [values]}``."""
    if not isinstance(query, dict):
        raise QueryParameterError("query", _("must be a JSON object"))
    params: dict[str, list[str]] = {}
    for name, value in query.items():
        if name == "@context":
            params[name] = [json.dumps(value)]
            continue
        items = value if isinstance(value, list) else [value]
        out = []
        for item in items:
            if isinstance(item, bool):
                out.append("true" if item else "false")
            elif item is None:
                out.append("")
            elif isinstance(item, (str, int, float)):
                out.append(str(item))
            else:
                raise QueryParameterError(name, _("values must be strings or numbers"))
        params[name] = out
    return params


# --- values -------------------------------------------------------------------------------


def _prefixes(params: Mapping[str, list[str]]) -> dict[str, str]:
    prefixes = {**cbv.STANDARD_PREFIXES, **profile.CONTEXT}
    if "@context" in params:
        try:
            prefixes.update(context_prefixes(json.loads(params["@context"][0])))
        except ValueError as exc:
            raise QueryParameterError("@context", _("must be JSON")) from exc
    return prefixes


def _expand(value: str, prefixes: Mapping[str, str]) -> str:
    prefix, sep, rest = value.partition(":")
    if sep and prefix in prefixes and not rest.startswith("//"):
        return prefixes[prefix] + rest
    return value


def _time(name: str, values: list[str]) -> dt.datetime:
    value = _single(name, values)
    # An unencoded "+" of a time zone offset arrives as a space in a URL query.
    value = re.sub(r" (\d\d:\d\d)$", r"+\1", value.strip())
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise QueryParameterError(
            name, _("must be a date-time such as 2026-06-01T08:00:00+08:00")
        ) from exc
    if moment.tzinfo is None:
        raise QueryParameterError(name, _("needs a time zone (Z or an offset such as +08:00)"))
    return moment


def _single(name: str, values: list[str]) -> str:
    if len(values) != 1:
        raise QueryParameterError(name, _("takes exactly one value"))
    return values[0]


def _integer(name: str, values: list[str]) -> int:
    value = _single(name, values)
    try:
        number = int(value)
    except ValueError as exc:
        raise QueryParameterError(name, _("must be a positive whole number")) from exc
    if number < 1:
        raise QueryParameterError(name, _("must be a positive whole number"))
    return number


def _vocabulary(name: str, values: list[str], vocab: cbv.Vocabulary, prefixes) -> list[str]:
    """Values as stored: a CBV bare word, else the full URI."""
    out = []
    for value in values:
        expanded = _expand(value.strip(), prefixes)
        word = vocab.word(expanded)
        if word is None and ":" not in expanded:
            raise QueryParameterError(
                name, _("'%(value)s' is neither a CBV value nor a URI") % {"value": value}
            )
        out.append(word or expanded)
    return out


def _identifier_q(values: list[str]) -> Q:
    """Index rows naming one of ``values``; an EPC pattern (``…idpat…*``) matches its class."""
    exact, patterns = [], []
    for value in values:
        value = value.strip()
        try:
            ident = identifiers.parse(value, verify=False)
        except identifiers.IdentifierError:
            exact.append(value)  # any other URI names an object as it is
            continue
        if ident.is_pattern:
            canon = ident.canonical
            patterns.append(canon + "/" if ident.ai == "01" else canon)
            exact.append(canon)
        else:
            exact.append(ident.canonical)
    q = Q(identifier__in=exact)
    for prefix in patterns:
        q |= Q(identifier__startswith=prefix)
    return q


def match_identifiers(values: list[str], roles: Iterable[str]) -> Q:
    """Events whose identifier index names one of ``values`` in one of ``roles``."""
    rows = EventIdentifier.objects.filter(
        _identifier_q(values), event=OuterRef("pk"), role__in=list(roles)
    )
    return Q(Exists(rows))


def _json_values(values: list[str]) -> list[Any]:
    """A parameter value as the JSON values it may equal: the string, and the number."""
    out: list[Any] = []
    for value in values:
        out.append(value)
        for number in (int, float):
            try:
                out.append(number(value))
                break
            except ValueError:
                continue
        if value in ("true", "false"):
            out.append(value == "true")
    return out


def _extension_q(name: str, field_name: str, values: list[str], ilmd: bool, prefixes) -> Q:
    """Equality on a user extension field of the stored event (or of its ``ilmd``).

    Events are stored as sent, so the field may be written with any prefix the sender
    declared for its namespace, or as a full URI: every known spelling is tried, and a
    prefixed spelling only counts where the event's own ``@context`` binds that prefix to
    the namespace asked for. A prefix the server does not know matches events that used the
    same prefix.
    """
    prefix, sep, local = field_name.partition(":")
    if not sep or not local:
        raise QueryParameterError(name, _("name a field as prefix:name or by its full URI"))
    base = ["document", "ilmd"] if ilmd else ["document"]
    candidates = _json_values(values)

    def equals(key: str) -> Q:
        lookup = "__".join([*base, key])
        return reduce(or_, (Q(**{lookup: v}) for v in candidates))

    if local.startswith("//"):  # a full URI: namespace up to the last / or #
        uri = field_name
        cut = max(uri.rfind("/"), uri.rfind("#")) + 1
        namespace, local = uri[:cut], uri[cut:]
        if not local:
            raise QueryParameterError(name, _("the field URI has no local name"))
    elif prefix in prefixes:
        namespace = prefixes[prefix]
    else:
        return equals(field_name)
    q = equals(namespace + local)
    for known, uri in prefixes.items():
        if uri == namespace:
            bound = Q(**{f"document__@context__1__{known}": namespace})
            q |= equals(f"{known}:{local}") & bound
    return q


# --- the query ----------------------------------------------------------------------------


def parse(params: Mapping[str, list[str]]) -> Query:
    """Translate ``{name: [values]}`` into a :class:`Query`; QueryParameterError if invalid."""
    query = Query()
    prefixes = _prefixes(params)
    add = query.filters.append
    for name, values in params.items():
        if name == "@context":
            continue
        blank = not values or any(v == "" for v in values)
        if blank and name != "EXISTS_errorDeclaration":
            raise QueryParameterError(name, _("needs a value"))
        if name == "eventType":
            add(Q(event_type__in=values))
        elif name in TIME_COLUMNS:
            column, op = TIME_COLUMNS[name]
            add(Q(**{f"{column}__{op}": _time(name, values)}))
        elif name == "EQ_action":
            bad = set(values) - cbv.ACTIONS
            if bad:
                raise QueryParameterError(name, _("must be ADD, OBSERVE or DELETE"))
            add(Q(action__in=values))
        elif name == "EQ_bizStep":
            add(Q(biz_step__in=_vocabulary(name, values, cbv.BIZ_STEP, prefixes)))
        elif name == "EQ_disposition":
            add(Q(disposition__in=_vocabulary(name, values, cbv.DISPOSITION, prefixes)))
        elif name in ("EQ_readPoint", "EQ_bizLocation"):
            column = "read_point" if name == "EQ_readPoint" else "biz_location"
            normalised = [identifiers.normalise(_expand(v.strip(), prefixes)) for v in values]
            add(Q(**{f"{column}__in": normalised}))
        elif name in EPC_ROLES:
            add(match_identifiers(values, EPC_ROLES[name]))
        elif name == "EQ_eventID":
            add(Q(event_id__in=values))
        elif name == "EXISTS_errorDeclaration":
            flag = _single(name, values).strip().lower()
            if flag not in ("", "true", "1", "false", "0"):
                raise QueryParameterError(name, _("must be true or false"))
            if flag in ("", "true", "1"):
                add(Q(is_declaration=True))
        elif name == "orderBy":
            value = _single(name, values)
            if value not in ORDER_COLUMNS:
                raise QueryParameterError(name, _("must be eventTime or recordTime"))
            query.order_by = ORDER_COLUMNS[value]
        elif name == "orderDirection":
            value = _single(name, values)
            if value not in ("ASC", "DESC"):
                raise QueryParameterError(name, _("must be ASC or DESC"))
        elif name == "eventCountLimit":
            query.event_count_limit = _integer(name, values)
        elif name == "maxEventCount":
            query.max_event_count = _integer(name, values)
        elif (m := _EXTENSION.match(name)) and ":" in m.group(2):
            add(_extension_q(name, m.group(2), values, bool(m.group(1)), prefixes))
        else:
            raise QueryParameterError(name, _("unknown or unsupported query parameter"))
    if query.order_by:
        # The standard's default direction when orderBy is given is descending.
        query.descending = (params.get("orderDirection") or ["DESC"])[0] == "DESC"
    elif "orderDirection" in params:
        raise QueryParameterError("orderDirection", _("needs orderBy"))
    if query.event_count_limit is not None:
        if query.order_by is None:
            raise QueryParameterError("eventCountLimit", _("needs orderBy"))
        if query.max_event_count is not None:
            raise QueryParameterError("eventCountLimit", _("cannot be combined with maxEventCount"))
    query.digest = digest(params)
    return query


def digest(params: Mapping[str, list[str]]) -> str:
    """A short fingerprint of the parameters (page tokens carry it)."""
    text = json.dumps({k: list(v) for k, v in sorted(params.items())}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
