"""Validate one EPCIS 2.0 event (a dict parsed from JSON-LD) and normalise it for storage.

:func:`validate_event` checks what the standard and its JSON binding require: the five
event types and their required fields, the shape of every standard field, CBV values (bare
words or CBV URIs; anything else must be an absolute URI), GS1 identifiers with their check
digits (:mod:`.identifiers`), and user extensions named with a declared namespace prefix or a
full URI. It returns every problem found, each naming the event, the JSON path of the field
and a short message; an empty list means valid.

:func:`normalise_event` turns a valid event into the dict we store: CBV values as bare
words (their JSON-LD form), CURIEs of other vocabularies expanded, identifiers in canonical
form, ``eventTime`` in UTC, and its own ``@context`` so it reads without the document.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _

from . import cbv, identifiers
from .hashing import context_prefixes, parse_time

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$")
_OFFSET = re.compile(r"^[+-]((0\d|1[0-3]):[0-5]\d|14:00)$")
_UOM = re.compile(r"^[A-Z0-9]{2,3}$")
_HEX = re.compile(r"^[A-Fa-f0-9]+$")

COMMON_FIELDS = frozenset(
    {
        "@context",
        "type",
        "eventTime",
        "recordTime",
        "eventTimeZoneOffset",
        "eventID",
        "certificationInfo",
        "errorDeclaration",
        "bizStep",
        "disposition",
        "readPoint",
        "bizLocation",
        "bizTransactionList",
        "sourceList",
        "destinationList",
        "sensorElementList",
    }
)
TYPE_FIELDS = {
    "ObjectEvent": {"action", "epcList", "quantityList", "persistentDisposition", "ilmd"},
    "AggregationEvent": {"action", "parentID", "childEPCs", "childQuantityList"},
    "TransactionEvent": {"action", "parentID", "epcList", "quantityList"},
    "TransformationEvent": {
        "inputEPCList",
        "inputQuantityList",
        "outputEPCList",
        "outputQuantityList",
        "transformationID",
        "persistentDisposition",
        "ilmd",
    },
    "AssociationEvent": {"action", "parentID", "childEPCs", "childQuantityList"},
}
STANDARD_FIELDS = COMMON_FIELDS.union(*TYPE_FIELDS.values())
SENSOR_METADATA_FIELDS = frozenset(
    {
        "time",
        "startTime",
        "endTime",
        "deviceID",
        "deviceMetadata",
        "rawData",
        "dataProcessingMethod",
        "bizRules",
    }
)
SENSOR_REPORT_URIS = frozenset(
    {
        "deviceID",
        "deviceMetadata",
        "rawData",
        "dataProcessingMethod",
        "bizRules",
        "microorganism",
        "chemicalSubstance",
        "coordinateReferenceSystem",
        "uriValue",
    }
)
SENSOR_REPORT_NUMBERS = frozenset(
    {"value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue"}
)
SENSOR_REPORT_FIELDS = (
    SENSOR_REPORT_URIS
    | SENSOR_REPORT_NUMBERS
    | {"type", "exception", "time", "component", "stringValue", "booleanValue"}
    | {"hexBinaryValue", "uom"}
)
# Where identifiers sit, and the role each plays in the identifier index (trace.choices).
EPC_LIST_ROLES = {
    "epcList": "epc",
    "childEPCs": "child",
    "inputEPCList": "input",
    "outputEPCList": "output",
}
QUANTITY_LIST_ROLES = {
    "quantityList": "class",
    "childQuantityList": "child_class",
    "inputQuantityList": "input_class",
    "outputQuantityList": "output_class",
}


@dataclass(frozen=True)
class EventError:
    """One problem: the event's index in its document, the JSON path of the field, a message."""

    event: int | None
    path: str
    code: str
    msgid: Any
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return str(self.msgid) % self.params if self.params else str(self.msgid)

    def as_dict(self) -> dict:
        return {"event": self.event, "path": self.path, "code": self.code, "message": self.message}

    def __str__(self) -> str:
        where = f"event {self.event}, " if self.event is not None else ""
        return f"{where}{self.path}: {self.message}"


def is_uri(value: Any) -> bool:
    """True for a string that is an absolute URI (a scheme, a colon, no whitespace)."""
    return isinstance(value, str) and bool(_URI.match(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Validator:
    def __init__(self, index: int | None, prefixes: Mapping[str, str]):
        self.index = index
        self.prefixes = {**cbv.STANDARD_PREFIXES, **prefixes}
        self.errors: list[EventError] = []

    def error(self, path: str, code: str, msgid: Any, **params: Any) -> None:
        self.errors.append(EventError(self.index, path, code, msgid, params))

    # --- shapes ---------------------------------------------------------------------

    def uri(self, value: Any, path: str) -> bool:
        if not is_uri(value):
            self.error(path, "uri", _("must be an absolute URI"))
            return False
        return True

    def identifier(self, value: Any, path: str, *, class_level: bool = False) -> None:
        """A URI; when it is an EPC URN or a GS1 Digital Link it must be a valid one."""
        if not self.uri(value, path):
            return
        problem, reason, instance = identifiers.verdict(value)
        if problem:  # any URI that is not a GS1 identifier may name an object
            self.error(path, problem, _("invalid identifier: %(reason)s"), reason=reason)
        elif class_level and instance:
            self.error(path, "not_class", _("must identify a class, not an instance"))

    def time(self, value: Any, path: str) -> None:
        if parse_time(value) is None:
            self.error(path, "time", _("must be a date-time with a time zone"))

    def vocabulary(self, value: Any, path: str, vocab: cbv.Vocabulary) -> None:
        """A bare CBV word, a CBV URI of a known word, or any other absolute URI."""
        if not isinstance(value, str):
            self.error(path, "type", _("must be a string"))
            return
        if value in vocab.words:
            return
        prefix, sep, rest = value.partition(":")
        if sep and prefix in self.prefixes and not rest.startswith("//"):
            value = self.prefixes[prefix] + rest
        for standard in (vocab.uri_prefix, vocab.urn_prefix):
            if standard and value.startswith(standard):
                if vocab.word(value) is None:
                    self.error(
                        path,
                        "unknown_vocabulary",
                        _("unknown %(vocab)s: %(value)s"),
                        vocab=vocab.name,
                        value=value,
                    )
                return
        if not is_uri(value):
            self.error(
                path,
                "unknown_vocabulary",
                _("unknown %(vocab)s '%(value)s': use a CBV word or a URI"),
                vocab=vocab.name,
                value=value,
            )

    def extension_key(self, key: str, path: str) -> bool:
        """A user extension name: ``prefix:name`` with a declared prefix, or a full URI."""
        prefix, sep, rest = key.partition(":")
        if not sep:
            return False
        if rest.startswith("//") or prefix in ("urn",):
            return True
        if prefix not in self.prefixes:
            self.error(
                path,
                "undeclared_prefix",
                _("namespace prefix '%(prefix)s' is not declared in @context"),
                prefix=prefix,
            )
        return True

    def extension_value(self, value: Any, path: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                if k.startswith("@") or k == "#text":
                    continue
                if not self.extension_key(k, f"{path}.{k}"):
                    self.error(f"{path}.{k}", "unknown_field", _("needs a namespace prefix"))
                self.extension_value(v, f"{path}.{k}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self.extension_value(item, f"{path}[{i}]")

    def extensions(self, obj: dict, known: set | frozenset, path: str) -> None:
        """Fields of ``obj`` outside ``known`` must be user extensions."""
        for key, value in obj.items():
            if key in known or key in ("rdfs:comment", "comment"):
                continue
            where = f"{path}.{key}" if path else key
            if self.extension_key(key, where):
                self.extension_value(value, where)
            else:
                self.error(where, "unknown_field", _("unknown field"))

    def object(self, value: Any, path: str) -> bool:
        if not isinstance(value, dict):
            self.error(path, "type", _("must be a JSON object"))
            return False
        return True

    def array(self, value: Any, path: str) -> bool:
        if not isinstance(value, list):
            self.error(path, "type", _("must be a JSON array"))
            return False
        return True

    # --- standard fields ------------------------------------------------------------

    def quantity_list(self, items: Any, path: str) -> None:
        if not self.array(items, path):
            return
        for i, item in enumerate(items):
            where = f"{path}[{i}]"
            if not self.object(item, where):
                continue
            if "epcClass" not in item:
                self.error(f"{where}.epcClass", "required", _("is required"))
            else:
                self.identifier(item["epcClass"], f"{where}.epcClass", class_level=True)
            quantity, uom = item.get("quantity"), item.get("uom")
            if "quantity" in item and not _is_number(quantity):
                self.error(f"{where}.quantity", "type", _("must be a number"))
            elif "uom" not in item and _is_number(quantity) and quantity != int(quantity):
                self.error(f"{where}.uom", "required", _("is required for a non-integer quantity"))
            if "uom" in item:
                if "quantity" not in item:
                    self.error(f"{where}.quantity", "required", _("is required with uom"))
                if not isinstance(uom, str) or not _UOM.match(uom):
                    self.error(f"{where}.uom", "uom", _("must be a UN/CEFACT unit code"))
            for key in item:
                if key not in ("epcClass", "quantity", "uom"):
                    self.error(f"{where}.{key}", "unknown_field", _("unknown field"))

    def epc_list(self, items: Any, path: str) -> None:
        if self.array(items, path):
            for i, item in enumerate(items):
                self.identifier(item, f"{path}[{i}]")

    def location(self, value: Any, path: str) -> None:
        if not self.object(value, path):
            return
        if "id" not in value:
            self.error(f"{path}.id", "required", _("is required"))
        else:
            self.identifier(value["id"], f"{path}.id")
        self.extensions(value, {"id"}, path)

    def typed_list(self, items: Any, path: str, key: str, vocab: cbv.Vocabulary, type_required):
        if not self.array(items, path):
            return
        for i, item in enumerate(items):
            where = f"{path}[{i}]"
            if not self.object(item, where):
                continue
            if key not in item:
                self.error(f"{where}.{key}", "required", _("is required"))
            else:
                self.identifier(item[key], f"{where}.{key}")
            if "type" in item:
                self.vocabulary(item["type"], f"{where}.type", vocab)
            elif type_required:
                self.error(f"{where}.type", "required", _("is required"))
            for extra in item:
                if extra not in (key, "type"):
                    self.error(f"{where}.{extra}", "unknown_field", _("unknown field"))

    def sensor_elements(self, items: Any, path: str) -> None:
        if not self.array(items, path):
            return
        for i, element in enumerate(items):
            where = f"{path}[{i}]"
            if not self.object(element, where):
                continue
            meta = element.get("sensorMetadata")
            if meta is not None and self.object(meta, f"{where}.sensorMetadata"):
                for key in ("time", "startTime", "endTime"):
                    if key in meta:
                        self.time(meta[key], f"{where}.sensorMetadata.{key}")
                for key in SENSOR_METADATA_FIELDS - {"time", "startTime", "endTime"}:
                    if key in meta:
                        self.uri(meta[key], f"{where}.sensorMetadata.{key}")
                self.extensions(meta, SENSOR_METADATA_FIELDS, f"{where}.sensorMetadata")
            reports = element.get("sensorReport")
            if reports is None:
                self.error(f"{where}.sensorReport", "required", _("is required"))
            elif self.array(reports, f"{where}.sensorReport"):
                if not reports:
                    self.error(f"{where}.sensorReport", "required", _("must not be empty"))
                for j, report in enumerate(reports):
                    self.sensor_report(report, f"{where}.sensorReport[{j}]")
            self.extensions(element, {"sensorMetadata", "sensorReport"}, where)

    def sensor_report(self, report: Any, path: str) -> None:
        if not self.object(report, path):
            return
        if "type" not in report:
            self.error(f"{path}.type", "required", _("is required"))
        else:
            self.vocabulary(report["type"], f"{path}.type", cbv.MEASUREMENT_TYPE)
        if "exception" in report:
            self.vocabulary(report["exception"], f"{path}.exception", cbv.SENSOR_ALERT_TYPE)
        if "component" in report:
            self.vocabulary(report["component"], f"{path}.component", cbv.COMPONENT)
        if "time" in report:
            self.time(report["time"], f"{path}.time")
        for key in SENSOR_REPORT_URIS & report.keys():
            self.uri(report[key], f"{path}.{key}")
        for key in SENSOR_REPORT_NUMBERS & report.keys():
            if not _is_number(report[key]):
                self.error(f"{path}.{key}", "type", _("must be a number"))
        if "stringValue" in report and not isinstance(report["stringValue"], str):
            self.error(f"{path}.stringValue", "type", _("must be a string"))
        if "booleanValue" in report and not isinstance(report["booleanValue"], bool):
            self.error(f"{path}.booleanValue", "type", _("must be true or false"))
        hex_value = report.get("hexBinaryValue")
        if "hexBinaryValue" in report and not (
            isinstance(hex_value, str) and _HEX.match(hex_value)
        ):
            self.error(f"{path}.hexBinaryValue", "type", _("must be hexadecimal"))
        if "uom" in report and not (isinstance(report["uom"], str) and _UOM.match(report["uom"])):
            self.error(f"{path}.uom", "uom", _("must be a UN/CEFACT unit code"))
        self.extensions(report, SENSOR_REPORT_FIELDS, path)

    def persistent_disposition(self, value: Any, path: str) -> None:
        if not self.object(value, path):
            return
        if not ({"set", "unset"} & value.keys()):
            self.error(path, "required", _("needs set or unset"))
        for key, items in value.items():
            if key not in ("set", "unset"):
                self.error(f"{path}.{key}", "unknown_field", _("unknown field"))
            elif self.array(items, f"{path}.{key}"):
                if not items:
                    self.error(f"{path}.{key}", "required", _("must not be empty"))
                for i, item in enumerate(items):
                    self.vocabulary(item, f"{path}.{key}[{i}]", cbv.DISPOSITION)

    def error_declaration(self, value: Any, path: str) -> None:
        if not self.object(value, path):
            return
        if "declarationTime" not in value:
            self.error(f"{path}.declarationTime", "required", _("is required"))
        else:
            self.time(value["declarationTime"], f"{path}.declarationTime")
        if "reason" in value:
            self.vocabulary(value["reason"], f"{path}.reason", cbv.ERROR_REASON)
        if "correctiveEventIDs" in value and self.array(
            value["correctiveEventIDs"], f"{path}.correctiveEventIDs"
        ):
            for i, item in enumerate(value["correctiveEventIDs"]):
                self.uri(item, f"{path}.correctiveEventIDs[{i}]")
        self.extensions(value, {"declarationTime", "reason", "correctiveEventIDs"}, path)

    def ilmd(self, value: Any, path: str) -> None:
        if self.object(value, path):
            self.extensions(value, set(), path)

    # --- the event ------------------------------------------------------------------

    def event(self, event: Any) -> None:
        if not isinstance(event, dict):
            self.error("", "type", _("an event must be a JSON object"))
            return
        kind = event.get("type")
        if kind not in TYPE_FIELDS:
            self.error("type", "event_type", _("must be one of the five EPCIS event types"))
            return
        if "@context" in event:
            self.prefixes.update(context_prefixes(event["@context"]))
        for key in ("eventTime", "eventTimeZoneOffset"):
            if key not in event:
                self.error(key, "required", _("is required"))
        if "eventTime" in event:
            self.time(event["eventTime"], "eventTime")
        if "recordTime" in event:
            self.time(event["recordTime"], "recordTime")
        offset = event.get("eventTimeZoneOffset")
        if "eventTimeZoneOffset" in event and not (
            isinstance(offset, str) and _OFFSET.match(offset)
        ):
            self.error("eventTimeZoneOffset", "time", _("must look like +08:00"))
        if "eventID" in event:
            self.uri(event["eventID"], "eventID")
        if "certificationInfo" in event:
            info = event["certificationInfo"]
            for i, item in enumerate(info if isinstance(info, list) else [info]):
                self.uri(
                    item,
                    f"certificationInfo[{i}]" if isinstance(info, list) else "certificationInfo",
                )
        action = event.get("action")
        if "action" in TYPE_FIELDS[kind]:
            if "action" not in event:
                self.error("action", "required", _("is required"))
            elif action not in cbv.ACTIONS:
                self.error("action", "action", _("must be ADD, OBSERVE or DELETE"))
        if "bizStep" in event:
            self.vocabulary(event["bizStep"], "bizStep", cbv.BIZ_STEP)
        if "disposition" in event:
            self.vocabulary(event["disposition"], "disposition", cbv.DISPOSITION)
        if "persistentDisposition" in event and "persistentDisposition" in TYPE_FIELDS[kind]:
            self.persistent_disposition(event["persistentDisposition"], "persistentDisposition")
        for key in ("readPoint", "bizLocation"):
            if key in event:
                self.location(event[key], key)
        if "bizTransactionList" in event:
            self.typed_list(
                event["bizTransactionList"],
                "bizTransactionList",
                "bizTransaction",
                cbv.BIZ_TRANSACTION_TYPE,
                False,
            )
        for key, item in (("sourceList", "source"), ("destinationList", "destination")):
            if key in event:
                self.typed_list(event[key], key, item, cbv.SOURCE_DEST_TYPE, True)
        if "sensorElementList" in event:
            self.sensor_elements(event["sensorElementList"], "sensorElementList")
        if "errorDeclaration" in event:
            self.error_declaration(event["errorDeclaration"], "errorDeclaration")
        allowed = COMMON_FIELDS | TYPE_FIELDS[kind]
        for key in EPC_LIST_ROLES.keys() & allowed & event.keys():
            self.epc_list(event[key], key)
        for key in QUANTITY_LIST_ROLES.keys() & allowed & event.keys():
            self.quantity_list(event[key], key)
        for key in ("parentID", "transformationID"):
            if key in event and key in allowed:
                self.identifier(event[key], key)
        if "ilmd" in event and "ilmd" in allowed:
            self.ilmd(event["ilmd"], "ilmd")
        for key in event.keys() - allowed:
            if key in STANDARD_FIELDS:
                self.error(key, "not_allowed", _("not a field of %(type)s"), type=kind)
        self.extensions(
            {k: v for k, v in event.items() if k not in STANDARD_FIELDS},
            set(),
            "",
        )
        self.type_rules(kind, event, action)

    def type_rules(self, kind: str, event: dict, action: Any) -> None:
        def has(key: str) -> bool:
            return isinstance(event.get(key), list) and len(event[key]) > 0

        if kind in ("ObjectEvent", "TransactionEvent"):
            sensor_only = (
                kind == "ObjectEvent" and has("sensorElementList") and "readPoint" in event
            )
            if not ("epcList" in event or has("quantityList") or sensor_only or action == "DELETE"):
                self.error("epcList", "required", _("epcList or quantityList is required"))
        if kind == "TransactionEvent" and not has("bizTransactionList"):
            self.error("bizTransactionList", "required", _("is required"))
        if kind in ("AggregationEvent", "AssociationEvent"):
            if "parentID" not in event and (
                kind == "AssociationEvent" or action in ("ADD", "DELETE")
            ):
                self.error("parentID", "required", _("is required"))
            if not (has("childEPCs") or has("childQuantityList") or action == "DELETE"):
                self.error("childEPCs", "required", _("childEPCs or childQuantityList is required"))
        if kind == "TransformationEvent":
            inputs = has("inputEPCList") or has("inputQuantityList")
            outputs = has("outputEPCList") or has("outputQuantityList")
            if "transformationID" in event:
                if not (inputs or outputs):
                    self.error("inputEPCList", "required", _("needs inputs or outputs"))
            elif not inputs:
                self.error("inputEPCList", "required", _("needs inputs (or a transformationID)"))
            elif not outputs:
                self.error("outputEPCList", "required", _("needs outputs (or a transformationID)"))


def validate_event(
    event: Any, prefixes: Mapping[str, str] | None = None, index: int | None = None
) -> list[EventError]:
    """Every problem with one event; ``prefixes`` are those the document's @context declares."""
    validator = _Validator(index, prefixes or {})
    validator.event(event)
    return validator.errors


def validate_header(header: Mapping[str, Any]) -> list[EventError]:
    """Problems with a document's header fields (type, schemaVersion, creationDate)."""
    v = _Validator(None, {})
    if header.get("type") not in ("EPCISDocument", "EPCISQueryDocument"):
        v.error("type", "document_type", _("must be EPCISDocument or EPCISQueryDocument"))
    if str(header.get("schemaVersion", "")) not in ("2.0", "2.0.0"):
        v.error("schemaVersion", "version", _("must be 2.0"))
    if "creationDate" not in header:
        v.error("creationDate", "required", _("is required"))
    else:
        v.time(header["creationDate"], "creationDate")
    if "@context" not in header:
        v.error("@context", "required", _("is required"))
    return v.errors


# --- normalisation ------------------------------------------------------------------------


def utc_time(value: str) -> str:
    """An xsd:dateTimeStamp in UTC with ``Z``, keeping its precision (ms or µs)."""
    parsed = parse_time(value)
    if parsed is None:
        return value
    moment, nanos = parsed
    moment = (moment + timedelta(microseconds=nanos // 1000)).astimezone(UTC)
    spec = "milliseconds" if moment.microsecond % 1000 == 0 else "microseconds"
    return moment.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


@dataclass
class NormalisedEvent:
    """A valid event ready to store, with its identifiers for the index."""

    event: dict
    identifiers: list[tuple[str, str]]  # (role, canonical identifier), in event order


def _word(value: Any, vocab: cbv.Vocabulary, prefixes: Mapping[str, str]) -> Any:
    if not isinstance(value, str):
        return value
    prefix, sep, rest = value.partition(":")
    if sep and prefix in prefixes and not rest.startswith("//"):
        value = prefixes[prefix] + rest
    return vocab.word(value) or value


def normalise_event(event: Mapping[str, Any], prefixes: Mapping[str, str] | None = None):
    """The canonical dict to store for a valid event, and its identifier index rows."""
    declared = dict(prefixes or {})
    every = {**cbv.STANDARD_PREFIXES, **declared}
    out = _copy(dict(event))
    index: list[tuple[str, str]] = []

    def ident(value: Any, role: str | None = None) -> Any:
        if not isinstance(value, str):
            return value
        canon = identifiers.normalise(value)
        if role:
            index.append((role, canon))
        return canon

    for key in ("eventTime", "recordTime"):
        if isinstance(out.get(key), str):
            out[key] = utc_time(out[key])
    if isinstance(out.get("errorDeclaration"), dict):
        decl = out["errorDeclaration"]
        if isinstance(decl.get("declarationTime"), str):
            decl["declarationTime"] = utc_time(decl["declarationTime"])
        if "reason" in decl:
            decl["reason"] = _word(decl["reason"], cbv.ERROR_REASON, every)
    if "parentID" in out:
        out["parentID"] = ident(out["parentID"], "parent")
    for key, role in EPC_LIST_ROLES.items():
        if isinstance(out.get(key), list):
            out[key] = [ident(v, role) for v in out[key]]
    for key, role in QUANTITY_LIST_ROLES.items():
        for item in out.get(key) or []:
            if isinstance(item, dict) and "epcClass" in item:
                item["epcClass"] = ident(item["epcClass"], role)
    if "transformationID" in out:
        out["transformationID"] = ident(out["transformationID"])
    for key in ("readPoint", "bizLocation"):
        if isinstance(out.get(key), dict) and "id" in out[key]:
            out[key]["id"] = ident(out[key]["id"])
    if "bizStep" in out:
        out["bizStep"] = _word(out["bizStep"], cbv.BIZ_STEP, every)
    if "disposition" in out:
        out["disposition"] = _word(out["disposition"], cbv.DISPOSITION, every)
    if isinstance(out.get("persistentDisposition"), dict):
        for key, items in out["persistentDisposition"].items():
            out["persistentDisposition"][key] = [_word(v, cbv.DISPOSITION, every) for v in items]
    for key, item_key, vocab in (
        ("bizTransactionList", "bizTransaction", cbv.BIZ_TRANSACTION_TYPE),
        ("sourceList", "source", cbv.SOURCE_DEST_TYPE),
        ("destinationList", "destination", cbv.SOURCE_DEST_TYPE),
    ):
        for item in out.get(key) or []:
            if "type" in item:
                item["type"] = _word(item["type"], vocab, every)
            if item_key in item and key != "bizTransactionList":
                item[item_key] = ident(item[item_key])
    for element in out.get("sensorElementList") or []:
        for report in element.get("sensorReport") or []:
            for key, vocab in (
                ("type", cbv.MEASUREMENT_TYPE),
                ("exception", cbv.SENSOR_ALERT_TYPE),
                ("component", cbv.COMPONENT),
            ):
                if key in report:
                    report[key] = _word(report[key], vocab, every)
    used = {k for k in declared if _uses_prefix(out, k + ":")}
    own = out.pop("@context", None)
    context: list[Any] = [EPCIS_CONTEXT]
    if used:
        context.append({k: declared[k] for k in sorted(used)})
    if own is not None and own != EPCIS_CONTEXT:
        context.extend(c for c in (own if isinstance(own, list) else [own]) if c != EPCIS_CONTEXT)
    out = {"@context": context, **out}
    return NormalisedEvent(out, index)


_SCALARS = (str, int, float, bool, type(None))


def _copy(value: Any) -> Any:
    """A deep copy of JSON data; several times faster than ``copy.deepcopy`` on events."""
    if type(value) is dict:
        return {k: v if type(v) in _SCALARS else _copy(v) for k, v in value.items()}
    if type(value) is list:
        return [v if type(v) in _SCALARS else _copy(v) for v in value]
    if type(value) in _SCALARS:
        return value
    return copy.deepcopy(value)


def _uses_prefix(value: Any, prefix: str) -> bool:
    if isinstance(value, dict):
        return any(k.startswith(prefix) or _uses_prefix(v, prefix) for k, v in value.items())
    if isinstance(value, list):
        return any(_uses_prefix(v, prefix) for v in value)
    return isinstance(value, str) and value.startswith(prefix)
