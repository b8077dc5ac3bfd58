"""The daodi herb profile of EPCIS: business steps the CBV lacks and our ILMD fields.

Steps of growing and primary processing of medicinal herbs (GACP) have no CBV word, so
they are URIs in our own namespace, usable wherever EPCIS accepts a bizStep. The herb's
master data travel in ``ilmd`` as user extensions in the same namespace, declared in a
document's ``@context`` as ``"daodi": NAMESPACE``.

The namespace is a stable URI under a domain the project names for itself; a deployment
that owns a real domain may make it configurable later, but events once captured keep
the URI they were written with.
"""

from __future__ import annotations

NAMESPACE = "https://daodi.example/voc/"
PREFIX = "daodi"
CONTEXT = {PREFIX: NAMESPACE}

# Business steps (bizStep URIs).
SOWING = NAMESPACE + "BizStep-sowing"  # seeds or seedlings set out on a plot
TRANSPLANTING = NAMESPACE + "BizStep-transplanting"  # seedlings moved to the field
INPUT_APPLICATION = NAMESPACE + "BizStep-input_application"  # fertiliser or pesticide applied
IRRIGATION = NAMESPACE + "BizStep-irrigation"
FIELD_INSPECTION = NAMESPACE + "BizStep-field_inspection"  # GACP field record, pest scouting
HARVESTING = NAMESPACE + "BizStep-harvesting"  # the CBV has commissioning, not harvest
DRYING = NAMESPACE + "BizStep-drying"  # sun, shade or kiln drying
FRESH_CUTTING = NAMESPACE + "BizStep-fresh_cutting"  # 趁鲜切制: cut while fresh at origin
FIXING = NAMESPACE + "BizStep-fixing"  # 杀青: enzyme deactivation by heat
SLICING = NAMESPACE + "BizStep-slicing"  # 饮片 slicing of dried material
EXTRACTION = NAMESPACE + "BizStep-extraction"
FUMIGATION_DECLARATION = NAMESPACE + "BizStep-fumigation_declaration"  # sulphur use declared
GRADING = NAMESPACE + "BizStep-grading"  # 分级: a lot classed under another grade when bought

BIZ_STEPS = (
    SOWING,
    TRANSPLANTING,
    INPUT_APPLICATION,
    IRRIGATION,
    FIELD_INSPECTION,
    HARVESTING,
    DRYING,
    FRESH_CUTTING,
    FIXING,
    SLICING,
    EXTRACTION,
    FUMIGATION_DECLARATION,
    GRADING,
)

# ILMD extension fields, written "daodi:<name>" under the PREFIX above.
ILMD_HERB = "herb"  # the herb (品种), a catalog code or URI
ILMD_PLOT = "plot"  # the plot's GLN Digital Link
ILMD_SOWING_DATE = "sowingDate"
ILMD_HARVEST_DATE = "harvestDate"  # xsd:date
ILMD_HERB_AGE = "herbAge"  # years in the ground (生长年限)
ILMD_GI_CLAIM = "giClaim"  # geographic indication (地理标志) claimed for the lot
ILMD_ORIGIN = "origin"  # 产地, administrative area code
ILMD_GRADE = "grade"  # 规格等级
ILMD_FRESH_WEIGHT = "freshWeight"  # kg at harvest, before drying
ILMD_DRY_WEIGHT = "dryWeight"  # kg after drying
ILMD_MOISTURE = "moisture"  # per cent at packing
ILMD_INPUT_PRODUCT = "inputProduct"  # fertiliser or pesticide applied (INPUT_APPLICATION)
ILMD_INPUT_DOSE = "inputDose"
ILMD_SAFETY_INTERVAL_DAYS = "safetyIntervalDays"  # days from pesticide use to harvest

ILMD_FIELDS = (
    ILMD_HERB,
    ILMD_PLOT,
    ILMD_SOWING_DATE,
    ILMD_HARVEST_DATE,
    ILMD_HERB_AGE,
    ILMD_GI_CLAIM,
    ILMD_ORIGIN,
    ILMD_GRADE,
    ILMD_FRESH_WEIGHT,
    ILMD_DRY_WEIGHT,
    ILMD_MOISTURE,
    ILMD_INPUT_PRODUCT,
    ILMD_INPUT_DOSE,
    ILMD_SAFETY_INTERVAL_DAYS,
)


def term(name: str) -> str:
    """The compact name of a profile field for a JSON-LD event, e.g. ``daodi:plot``."""
    return f"{PREFIX}:{name}"
