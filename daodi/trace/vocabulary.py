"""The names people read for the words of EPCIS events, in their language.

An event names what happened by vocabulary words: a business step (a CBV word such as
``receiving``, its Web URI or EPCIS 1.x URN, or one of our herb profile's steps such as
``daodi:BizStep-drying``), a disposition (``in_progress``), an event type
(``ObjectEvent``), an action (``ADD``), business transaction and source/destination types,
error reasons and units (UN/ECE codes such as ``KGM``). :func:`name` turns any of them into
the word a reader knows; pages never show the code itself.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from daodi.catalog.units import unit_name

from .epcis import cbv, profile

# Business steps: CBV words and the words of our herb profile's URIs.
STEPS = {
    "harvest": _("Harvest"),  # 采收 (a commissioning that carries harvest ILMD)
    "commissioning": _("Coding"),  # 赋码
    "commingling": _("Commingling"),  # 合并批次
    "grading": _("Grading"),  # 分级
    "transformation": _("Processing"),  # 加工
    "recall": _("Recall"),  # 召回
    "receiving": _("Receiving"),
    "accepting": _("Acceptance"),
    "arriving": _("Arrival"),
    "shipping": _("Shipping"),
    "departing": _("Departure"),
    "transporting": _("Transport"),
    "loading": _("Loading"),
    "unloading": _("Unloading"),
    "packing": _("Packing"),
    "case_packing": _("Case or pallet packing"),  # 装箱
    "unpacking": _("Unpacking"),
    "repackaging": _("Repackaging"),
    "inspecting": _("Inspection"),
    "sampling": _("Sampling"),
    "storing": _("Storage"),
    "holding": _("Holding"),
    "stocking": _("Stocking"),
    "stock_taking": _("Weighing"),  # our purchases and arrivals weigh the lot
    "cycle_counting": _("Cycle count"),
    "picking": _("Picking"),
    "staging_outbound": _("Staging for dispatch"),
    "retail_selling": _("Retail sale"),
    "dispensing": _("Dispensing"),
    "destroying": _("Destruction"),
    "decommissioning": _("Decommissioning"),
    "void_shipping": _("Shipment voided"),
    "assembling": _("Assembly"),
    "disassembling": _("Disassembly"),
    "consigning": _("Consignment"),
    "collecting": _("Collection"),
    "reserving": _("Reservation"),
    "removing": _("Removal"),
    "repairing": _("Repair"),
    "replacing": _("Replacement"),
    "encoding": _("Encoding"),
    "installing": _("Installation"),
    "killing": _("Slaughter"),
    "entering_exiting": _("Entry or exit"),
    "creating_class_instance": _("Lot creation"),
    "sensor_reporting": _("Sensor report"),
    "other": pgettext_lazy("business step", "Other"),
    "sowing": _("Sowing"),
    "transplanting": _("Transplanting"),
    "input_application": _("Input application"),
    "irrigation": _("Irrigation"),
    "field_inspection": _("Field inspection"),
    "harvesting": _("Harvest"),
    "drying": _("Drying"),
    "fresh_cutting": _("Fresh cutting"),
    "fixing": _("Fixing (enzyme deactivation)"),
    "slicing": _("Slicing"),
    "extraction": _("Extraction"),
    "fumigation_declaration": _("No-fumigation declaration"),
}

DISPOSITIONS = {
    "active": pgettext_lazy("disposition", "Active"),
    "available": _("Available"),
    "completeness_inferred": _("Completeness inferred"),
    "completeness_verified": _("Completeness verified"),
    "conformant": _("Conformant"),
    "container_closed": _("Container closed"),
    "container_open": _("Container open"),
    "damaged": _("Damaged"),
    "destroyed": pgettext_lazy("disposition", "Destroyed"),
    "dispensed": _("Dispensed"),
    "disposed": _("Disposed of"),
    "encoded": _("Encoded"),
    "expired": _("Expired"),
    "in_progress": _("In progress"),
    "in_transit": _("In transit"),
    "inactive": _("Inactive"),
    "mismatch_class": _("Wrong product"),
    "mismatch_instance": _("Wrong item"),
    "mismatch_quantity": _("Wrong quantity"),
    "needs_replacement": _("Needs replacement"),
    "no_pedigree_match": _("No pedigree match"),
    "non_conformant": _("Non-conformant"),
    "non_sellable_other": _("Not sellable"),
    "partially_dispensed": _("Partially dispensed"),
    "recalled": pgettext_lazy("disposition", "Recalled"),
    "reserved": _("Reserved"),
    "retail_sold": _("Sold at retail"),
    "returned": _("Returned"),
    "sellable_accessible": _("Sellable"),
    "sellable_not_accessible": _("Sellable, not accessible"),
    "stolen": _("Stolen"),
    "unavailable": _("Unavailable"),
    "unknown": _("Unknown"),
}

EVENT_TYPES = {
    "ObjectEvent": _("Object event"),
    "AggregationEvent": _("Aggregation event"),
    "TransactionEvent": _("Transaction event"),
    "TransformationEvent": _("Transformation event"),
    "AssociationEvent": _("Association event"),
}

ACTIONS = {
    "ADD": pgettext_lazy("EPCIS action", "Add"),
    "OBSERVE": pgettext_lazy("EPCIS action", "Observe"),
    "DELETE": pgettext_lazy("EPCIS action", "Delete"),
}

TRANSACTION_TYPES = {
    "bol": _("Bill of lading"),
    "cert": _("Certificate"),
    "desadv": _("Despatch advice"),
    "inv": _("Invoice"),
    "pedigree": _("Pedigree"),
    "po": _("Purchase order"),
    "poc": _("Purchase order confirmation"),
    "prodorder": _("Production order"),
    "recadv": _("Receiving advice"),
    "rma": _("Return authorisation"),
    "testprd": _("Test procedure"),
    "testres": _("Test result"),
    "upevt": _("Upstream event"),
}

SOURCE_DEST_TYPES = {
    "location": _("Place"),
    "owning_party": _("Owner"),
    "possessing_party": _("Holder"),
}

ERROR_REASONS = {
    "did_not_occur": _("Did not happen"),
    "incorrect_data": _("Incorrect data"),
}

# Bare words and the prefixes their full forms carry, in the order they are tried.
_VOCABULARIES = (
    (STEPS, (cbv.BIZ_STEP.uri_prefix, cbv.BIZ_STEP.urn_prefix, profile.NAMESPACE + "BizStep-")),
    (DISPOSITIONS, (cbv.DISPOSITION.uri_prefix, cbv.DISPOSITION.urn_prefix)),
    (TRANSACTION_TYPES, (cbv.BIZ_TRANSACTION_TYPE.uri_prefix, cbv.BIZ_TRANSACTION_TYPE.urn_prefix)),
    (SOURCE_DEST_TYPES, (cbv.SOURCE_DEST_TYPE.uri_prefix, cbv.SOURCE_DEST_TYPE.urn_prefix)),
    (ERROR_REASONS, (cbv.ERROR_REASON.uri_prefix, cbv.ERROR_REASON.urn_prefix)),
    (EVENT_TYPES, ()),
    (ACTIONS, ()),
)


def _bare(value: str) -> str:
    """The word of a prefixed form (``daodi:BizStep-drying`` → ``drying``)."""
    if value.startswith(profile.PREFIX + ":BizStep-"):
        return value[len(profile.PREFIX + ":BizStep-") :]
    return value


def name(value) -> str:
    """The reader's name for any vocabulary value (a bare word, Web URI or URN of a step,
    disposition, transaction, source/destination type or error reason; an event type; an
    action; a unit code). A value that is none of them is returned unchanged."""
    if value is None or value == "":
        return ""
    value = _bare(str(value))
    for names, prefixes in _VOCABULARIES:
        for prefix in prefixes:
            if prefix and value.startswith(prefix):
                word = value[len(prefix) :]
                if word in names:
                    return str(names[word])
        if value in names:
            return str(names[value])
    return unit_name(value)
