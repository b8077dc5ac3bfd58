"""The CBV 2.0 EPCIS Event Hash ID of a JSON-LD event: ``ni:///sha-256;<hex>?ver=CBV2.0``.

The hash is taken over a *pre-hash string* that is the same however the event is written
(key order, bare words or URIs, EPC URNs or Digital Links, time zone, number format):

- ``eventType=...`` then the standard fields in the canonical order (:data:`ORDER`), each as
  ``key=value`` or, for structures, the key followed by its children;
- list members sorted as strings (epcs, quantity elements, sensor elements and reports);
- then, sorted as strings, everything else: ``bizTransactionList``, ``sourceList``,
  ``destinationList`` (type first in each member), ``ilmd`` and user extensions, with
  extension names written ``{namespace}localName``; extensions inside ``readPoint``,
  ``bizLocation``, ``sensorElement``, ``sensorMetadata`` and ``sensorReport`` close their
  enclosing field instead;
- values: CBV bare words and ``urn:epcglobal:cbv`` URNs as CBV Web URIs, CURIEs expanded,
  GS1 identifiers as constrained canonical Digital Links, numbers without redundant zeros,
  timestamps in UTC with milliseconds (rounded half up) and ``Z``;
- ``eventID``, ``recordTime`` and ``errorDeclaration`` are left out, as are fields a document
  names in an ``ignoreFields`` header (a convention of the public test vectors).

The ordering of the list fields after ``sensorElementList`` follows the public reference
vectors, which every conformant implementation reproduces.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from . import cbv, identifiers

EXCLUDED = frozenset({"eventID", "recordTime", "type", "errorDeclaration"})
# Comments are annotations, not event data (rdfs:comment, or a bare "comment").
COMMENTS = frozenset({"comment", "{http://www.w3.org/2000/01/rdf-schema#}comment"})
EPC_LISTS = ("epcList", "inputEPCList", "childEPCs", "outputEPCList")
QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")
ORDER = (
    "eventTime",
    "eventTimeZoneOffset",
    "certificationInfo",
    "parentID",
    "epcList",
    "inputEPCList",
    "childEPCs",
    "quantityList",
    "childQuantityList",
    "inputQuantityList",
    "outputEPCList",
    "outputQuantityList",
    "action",
    "transformationID",
    "bizStep",
    "disposition",
    "persistentDisposition",
    "readPoint",
    "bizLocation",
    "sensorElementList",
)
SENSOR_METADATA_ORDER = (
    "time",
    "startTime",
    "endTime",
    "deviceID",
    "deviceMetadata",
    "rawData",
    "dataProcessingMethod",
    "bizRules",
)
SENSOR_REPORT_ORDER = (
    "type",
    "exception",
    "deviceID",
    "deviceMetadata",
    "rawData",
    "dataProcessingMethod",
    "time",
    "microorganism",
    "chemicalSubstance",
    "value",
    "component",
    "stringValue",
    "booleanValue",
    "hexBinaryValue",
    "uriValue",
    "minValue",
    "maxValue",
    "meanValue",
    "sDev",
    "percRank",
    "percValue",
    "uom",
    "coordinateReferenceSystem",
)
VOCABULARY_FIELDS = {
    "bizStep": cbv.BIZ_STEP,
    "disposition": cbv.DISPOSITION,
}
_URN_VOCABULARIES = (
    cbv.BIZ_STEP,
    cbv.DISPOSITION,
    cbv.BIZ_TRANSACTION_TYPE,
    cbv.SOURCE_DEST_TYPE,
    cbv.ERROR_REASON,
)
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_TIME = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|z|[+-]\d\d:\d\d)$")
_MS = Decimal("0.001")


# --- values ---------------------------------------------------------------------------


def parse_time(value: str) -> tuple[datetime, int] | None:
    """An xsd:dateTimeStamp as (aware datetime without fraction, fraction in ns); else None."""
    m = _TIME.match(value.strip()) if isinstance(value, str) else None
    if not m:
        return None
    y, mo, d, h, mi, s, frac, tz = m.groups()
    if tz in ("Z", "z"):
        offset = UTC
    else:
        if int(tz[1:3]) > 14 or int(tz[4:6]) > 59:
            return None
        sign = -1 if tz[0] == "-" else 1
        offset = timezone(sign * timedelta(hours=int(tz[1:3]), minutes=int(tz[4:6])))
    try:
        moment = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=offset)
    except ValueError:
        return None
    return moment, int(Decimal("0." + (frac or "0")) * 10**9)


def normalise_time(value: str) -> str:
    """An xsd:dateTimeStamp in UTC with milliseconds (half up) and ``Z``; else unchanged."""
    parsed = parse_time(value)
    if parsed is None:
        return value.strip()
    moment, nanos = parsed
    ms = int((Decimal(nanos) / 10**9).quantize(_MS, rounding=ROUND_HALF_UP) * 1000)
    moment = (moment + timedelta(milliseconds=ms)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{moment.microsecond // 1000:03d}Z"


def normalise_number(text: str) -> str:
    """A decimal without a plus sign or redundant zeros (``1.50`` → ``1.5``, ``2.0`` → ``2``)."""
    if not _NUMBER.match(text):
        return text
    number = Decimal(text)
    if number == number.to_integral_value():
        return str(int(number))
    return repr(float(text))


class _Canon:
    """The pre-hash rules bound to the namespace prefixes one document declares."""

    def __init__(self, prefixes: Mapping[str, str], ignore: Iterable[str]):
        self.prefixes = {**cbv.STANDARD_PREFIXES, **prefixes}
        self.ignore = set(ignore)
        # value() is pure for given prefixes and the same identifiers and words recur
        # across the events of a document: remember its answers for strings.
        self._values: dict[tuple[str, str | None], str] = {}

    @classmethod
    def for_prefixes(cls, prefixes: Mapping[str, str]) -> _Canon:
        """A shared instance for these prefixes (a document's events all use the same)."""
        key = tuple(sorted(prefixes.items()))
        canon = _CANONS.get(key)
        if canon is None:
            if len(_CANONS) >= 64:
                _CANONS.clear()
            canon = _CANONS[key] = cls(prefixes, ())
        return canon

    def key(self, name: str) -> str:
        """A field name: ``prefix:local`` or a full IRI as ``{namespace}local``."""
        prefix, sep, local = name.partition(":")
        if sep and prefix in self.prefixes and not local.startswith("//"):
            return "{" + self.prefixes[prefix] + "}" + local
        if name.startswith(("http://", "https://")):
            cut = max(name.rfind("/"), name.rfind("#")) + 1
            return "{" + name[:cut] + "}" + name[cut:]
        return name

    def is_extension(self, name: str) -> bool:
        return self.key(name).startswith("{")

    def value(self, value: Any, vocabulary: cbv.Vocabulary | None = None) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return normalise_number(repr(value))
        if value is None:
            return ""
        if type(value) is str:
            key = (value, vocabulary.name if vocabulary is not None else None)
            text = self._values.get(key)
            if text is None:
                if len(self._values) >= _VALUE_CACHE:
                    self._values.clear()
                text = self._values[key] = self._text(value, vocabulary)
            return text
        return self._text(value, vocabulary)

    def _text(self, value: Any, vocabulary: cbv.Vocabulary | None) -> str:
        text = str(value).strip()
        if vocabulary is not None:
            text = vocabulary.expand(text)
        for vocab in _URN_VOCABULARIES:
            text = vocab.expand(text)
        prefix, sep, rest = text.partition(":")
        if sep and prefix in self.prefixes and not rest.startswith("//"):
            text = self.prefixes[prefix] + rest
        return identifiers.normalise(normalise_number(text))

    def scalar(self, name: str, value: Any, vocabulary: cbv.Vocabulary | None = None) -> str:
        local = name.rsplit("}", 1)[-1].lower()
        if isinstance(value, str) and "time" in local and "offset" not in local:
            text = normalise_time(value)
        else:
            text = self.value(value, vocabulary)
        return name + ("=" + text if text else "")

    def generic(self, name: str, value: Any) -> list[str]:
        """Entries for a field outside the canonical order (extensions, ilmd, leftovers)."""
        if isinstance(value, list):
            return [entry for item in value for entry in self.generic(name, item)]
        if isinstance(value, dict):
            text = value.get("@value", value.get("#text"))
            children = sorted(
                entry
                for k, v in value.items()
                if not k.startswith(("@", "#")) and self.key(k) not in COMMENTS
                for entry in self.generic(self.key(k), v)
            )
            head = self.scalar(name, text) if text is not None else name
            return [head + "".join(children)]
        return [self.scalar(name, value)]

    def fields(
        self, obj: dict, order: Iterable[str], path: str, tail: list[str], *, extensible: bool
    ) -> str:
        """``order`` fields of a structure, then its extensions; leftovers go to ``tail``."""
        out = [self.scalar(k, obj[k]) for k in order if k in obj and obj[k] is not None]
        extensions = []
        for k, v in obj.items():
            if k in order or k.startswith("@") or self.key(k) in COMMENTS:
                continue
            if extensible and self.is_extension(k):
                extensions.extend(self.generic(self.key(k), v))
            else:
                tail.extend(path + entry for entry in self.generic(self.key(k), v))
        return "".join(e for e in out if e) + "".join(sorted(extensions))


_CANONS: dict[tuple, _Canon] = {}
_VALUE_CACHE = 1 << 16


def context_prefixes(context: Any) -> dict[str, str]:
    """The namespace prefixes a JSON-LD ``@context`` declares (term → IRI ending in / or #)."""
    prefixes: dict[str, str] = {}
    items = context if isinstance(context, list) else [context]
    for item in items:
        if isinstance(item, dict):
            for term, iri in item.items():
                if isinstance(iri, str) and not term.startswith("@") and ":" in iri:
                    prefixes[term] = iri
    return prefixes


# --- the event -----------------------------------------------------------------------


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _quantity_element(c: _Canon, item: dict, path: str, tail: list[str]) -> str:
    return "quantityElement" + c.fields(
        item, ("epcClass", "quantity", "uom"), path + "quantityElement", tail, extensible=False
    )


def _sensor_element(c: _Canon, element: dict, tail: list[str]) -> str:
    path = "sensorElementListsensorElement"
    parts = []
    meta = element.get("sensorMetadata")
    if isinstance(meta, dict):
        text = c.fields(meta, SENSOR_METADATA_ORDER, path + "sensorMetadata", tail, extensible=True)
        parts.append("sensorMetadata" + text)
    reports = []
    for report in _as_list(element.get("sensorReport")):
        vocabs = {
            "type": cbv.MEASUREMENT_TYPE,
            "exception": cbv.SENSOR_ALERT_TYPE,
            "component": cbv.COMPONENT,
        }
        expanded = {
            k: (vocabs[k].expand(v) if k in vocabs and isinstance(v, str) else v)
            for k, v in report.items()
        }
        text = c.fields(expanded, SENSOR_REPORT_ORDER, path + "sensorReport", tail, extensible=True)
        reports.append("sensorReport" + text)
    parts.extend(sorted(reports))
    rest = {k: v for k, v in element.items() if k not in ("sensorMetadata", "sensorReport")}
    parts.append(c.fields(rest, (), path, tail, extensible=True))
    return "sensorElement" + "".join(parts)


def _typed_list(c: _Canon, name: str, item_key: str, items: list, tail: list[str]) -> str:
    vocab = cbv.BIZ_TRANSACTION_TYPE if name == "bizTransactionList" else cbv.SOURCE_DEST_TYPE
    entries = []
    for item in items:
        if not isinstance(item, dict):
            continue
        text = ""
        if item.get("type") is not None:
            text += c.scalar("type", item["type"], vocab)
        if item.get(item_key) is not None:
            text += c.scalar(item_key, item[item_key])
        rest = {k: v for k, v in item.items() if k not in ("type", item_key)}
        c.fields(rest, (), name + item_key, tail, extensible=False)
        entries.append(text)
    return name + "".join(sorted(entries)) if entries else ""


def prehash(
    event: Mapping[str, Any],
    prefixes: Mapping[str, str] | None = None,
    ignore_fields: Iterable[str] = (),
) -> str:
    """The canonical pre-hash string of one event (a dict parsed from JSON-LD).

    ``prefixes`` are the namespace prefixes of the document's ``@context``
    (:func:`context_prefixes`); ``ignore_fields`` are field names, compact or expanded,
    to leave out.
    """
    c = _Canon.for_prefixes(prefixes or {})
    ignore = {c.key(f) for f in ignore_fields}
    rest = {
        k: v
        for k, v in event.items()
        if k not in EXCLUDED and not k.startswith("@") and c.key(k) not in ignore | COMMENTS
    }
    parts = ["eventType=" + str(event.get("type", ""))]
    tail: list[str] = []
    for name in ORDER:
        value = rest.pop(name, None)
        if value is None:
            continue
        if name in EPC_LISTS:
            epcs = sorted("epc=" + c.value(v) for v in _as_list(value))
            parts.append(name + "".join(epcs) if epcs else "")
        elif name in QUANTITY_LISTS:
            items = sorted(
                _quantity_element(c, q, name, tail) for q in _as_list(value) if isinstance(q, dict)
            )
            parts.append(name + "".join(items) if items else "")
        elif name == "certificationInfo":
            parts.append("".join(sorted(c.scalar(name, v) for v in _as_list(value))))
        elif name == "persistentDisposition" and isinstance(value, dict):
            text = "".join(
                "".join(sorted(c.scalar(k, v, cbv.DISPOSITION) for v in _as_list(value.get(k))))
                for k in ("set", "unset")
            )
            extra = {k: v for k, v in value.items() if k not in ("set", "unset")}
            c.fields(extra, (), name, tail, extensible=False)
            parts.append(name + text if text else "")
        elif name in ("readPoint", "bizLocation") and isinstance(value, dict):
            parts.append(name + c.fields(value, ("id",), name, tail, extensible=True))
        elif name == "sensorElementList":
            elements = sorted(
                _sensor_element(c, e, tail) for e in _as_list(value) if isinstance(e, dict)
            )
            parts.append(name + "".join(elements) if elements else "")
        else:
            parts.append(c.scalar(name, value, VOCABULARY_FIELDS.get(name)))
    for name, value in rest.items():
        if name == "bizTransactionList":
            tail.append(_typed_list(c, name, "bizTransaction", _as_list(value), tail))
        elif name in ("sourceList", "destinationList"):
            key = name.removesuffix("List")
            tail.append(_typed_list(c, name, key, _as_list(value), tail))
        else:
            tail.extend(c.generic(c.key(name), value))
    return "".join(parts) + "".join(sorted(t for t in tail if t))


def hash_prehash(text: str, algorithm: str = "sha-256", version: str = "CBV2.0") -> str:
    """The RFC 6920 ``ni`` URI of a pre-hash string."""
    digest = {"sha-256": hashlib.sha256, "sha-384": hashlib.sha384, "sha-512": hashlib.sha512}
    if algorithm not in digest:
        raise ValueError(f"unsupported digest algorithm {algorithm}")
    hexdigest = digest[algorithm](text.encode("utf-8")).hexdigest()
    return f"ni:///{algorithm};{hexdigest}?ver={version}"


def event_hash(
    event: Mapping[str, Any],
    prefixes: Mapping[str, str] | None = None,
    ignore_fields: Iterable[str] = (),
) -> str:
    """The EPCIS Event Hash ID of one event (see :func:`prehash` for the arguments)."""
    return hash_prehash(prehash(event, prefixes, ignore_fields))


def ignore_fields_from_header(header: Mapping[str, Any]) -> list[str]:
    """Field names listed in a document-level ``<prefix>:ignoreFields`` member, if any.

    A query document carries it in ``queryResults``; both places are looked at.
    """
    results = header.get("queryResults")
    for scope in (header, results if isinstance(results, dict) else {}):
        for key, value in scope.items():
            if key.rpartition(":")[2] == "ignoreFields" and isinstance(value, list):
                return [v for v in value if isinstance(v, str)]
    return []
