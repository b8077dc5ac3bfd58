"""The CBV 2.0 and GS1 vocabularies an EPCIS 2.0 event may name by bare word.

In the JSON-LD binding a standard value is written as a bare word ("shipping"); its full
form is a Web URI (https://ref.gs1.org/cbv/BizStep-shipping); EPCIS 1.x used URNs
(urn:epcglobal:cbv:bizstep:shipping). The word lists are facts of the CBV 2.0 standard.
"""

from __future__ import annotations

from dataclasses import dataclass

CBV = "https://ref.gs1.org/cbv/"
GS1_VOC = "https://gs1.org/voc/"
EPCIS_NS = "https://ref.gs1.org/epcis/"

BIZ_STEPS = frozenset(
    {
        "accepting",
        "arriving",
        "assembling",
        "collecting",
        "commissioning",
        "consigning",
        "creating_class_instance",
        "cycle_counting",
        "decommissioning",
        "departing",
        "destroying",
        "disassembling",
        "dispensing",
        "encoding",
        "entering_exiting",
        "holding",
        "inspecting",
        "installing",
        "killing",
        "loading",
        "other",
        "packing",
        "picking",
        "receiving",
        "removing",
        "repackaging",
        "repairing",
        "replacing",
        "reserving",
        "retail_selling",
        "sampling",
        "sensor_reporting",
        "shipping",
        "staging_outbound",
        "stock_taking",
        "stocking",
        "storing",
        "transporting",
        "unloading",
        "unpacking",
        "void_shipping",
    }
)

DISPOSITIONS = frozenset(
    {
        "active",
        "available",
        "completeness_inferred",
        "completeness_verified",
        "conformant",
        "container_closed",
        "container_open",
        "damaged",
        "destroyed",
        "dispensed",
        "disposed",
        "encoded",
        "expired",
        "in_progress",
        "in_transit",
        "inactive",
        "mismatch_class",
        "mismatch_instance",
        "mismatch_quantity",
        "needs_replacement",
        "no_pedigree_match",
        "non_conformant",
        "non_sellable_other",
        "partially_dispensed",
        "recalled",
        "reserved",
        "retail_sold",
        "returned",
        "sellable_accessible",
        "sellable_not_accessible",
        "stolen",
        "unavailable",
        "unknown",
    }
)

BIZ_TRANSACTION_TYPES = frozenset(
    {
        "bol",
        "cert",
        "desadv",
        "inv",
        "pedigree",
        "po",
        "poc",
        "prodorder",
        "recadv",
        "rma",
        "testprd",
        "testres",
        "upevt",
    }
)

SOURCE_DEST_TYPES = frozenset(
    {
        "location",
        "owning_party",
        "possessing_party",
    }
)

ERROR_REASONS = frozenset(
    {
        "did_not_occur",
        "incorrect_data",
    }
)

COMPONENTS = frozenset(
    {
        "altitude",
        "axial_distance",
        "azimuth",
        "easting",
        "elevation_angle",
        "height",
        "latitude",
        "longitude",
        "northing",
        "polar_angle",
        "spherical_radius",
        "x",
        "y",
        "z",
    }
)

MEASUREMENT_TYPES = frozenset(
    {
        "AbsoluteHumidity",
        "AbsorbedDose",
        "AbsorbedDoseRate",
        "Acceleration",
        "Altitude",
        "AmountOfSubstance",
        "AmountOfSubstancePerUnitVolume",
        "Angle",
        "AngularAcceleration",
        "AngularMomentum",
        "AngularVelocity",
        "Area",
        "Capacitance",
        "Conductance",
        "Conductivity",
        "Count",
        "Density",
        "Dimensionless",
        "DoseEquivalent",
        "DoseEquivalentRate",
        "DynamicViscosity",
        "ElectricCharge",
        "ElectricCurrent",
        "ElectricCurrentDensity",
        "ElectricFieldStrength",
        "Energy",
        "Exposure",
        "Force",
        "Frequency",
        "Illuminance",
        "Inductance",
        "Irradiance",
        "KinematicViscosity",
        "Length",
        "LinearMomentum",
        "Luminance",
        "LuminousFlux",
        "LuminousIntensity",
        "MagneticFlux",
        "MagneticFluxDensity",
        "MagneticVectorPotential",
        "Mass",
        "MassConcentration",
        "MassFlowRate",
        "MassPerAreaTime",
        "MemoryCapacity",
        "MolalityOfSolute",
        "MolarEnergy",
        "MolarMass",
        "MolarVolume",
        "Power",
        "Pressure",
        "RadiantFlux",
        "RadiantIntensity",
        "Radioactivity",
        "RelativeHumidity",
        "Resistance",
        "Resistivity",
        "SolidAngle",
        "SpecificVolume",
        "Speed",
        "SurfaceDensity",
        "SurfaceTension",
        "Temperature",
        "Time",
        "Torque",
        "Voltage",
        "Volume",
        "VolumeFlowRate",
        "VolumeFraction",
        "VolumetricFlux",
        "Wavenumber",
    }
)

SENSOR_ALERT_TYPES = frozenset(
    {
        "ALARM_CONDITION",
        "ERROR_CONDITION",
    }
)


@dataclass(frozen=True)
class Vocabulary:
    """One standard vocabulary: its bare words and how they read as Web URIs and old URNs."""

    name: str
    words: frozenset[str]
    uri_prefix: str
    urn_prefix: str | None = None

    def expand(self, value: str) -> str:
        """The Web URI of a bare word or an EPCIS 1.x URN; any other value unchanged."""
        if value in self.words:
            return self.uri_prefix + value
        if self.urn_prefix and value.startswith(self.urn_prefix):
            word = value[len(self.urn_prefix) :]
            if word in self.words:
                return self.uri_prefix + word
        return value

    def word(self, value: str) -> str | None:
        """The bare word for a bare word, Web URI or URN of this vocabulary, else None."""
        for prefix in (self.uri_prefix, self.urn_prefix):
            if prefix and value.startswith(prefix):
                value = value[len(prefix) :]
                break
        return value if value in self.words else None


BIZ_STEP = Vocabulary("bizStep", BIZ_STEPS, CBV + "BizStep-", "urn:epcglobal:cbv:bizstep:")
DISPOSITION = Vocabulary("disposition", DISPOSITIONS, CBV + "Disp-", "urn:epcglobal:cbv:disp:")
BIZ_TRANSACTION_TYPE = Vocabulary(
    "bizTransactionType", BIZ_TRANSACTION_TYPES, CBV + "BTT-", "urn:epcglobal:cbv:btt:"
)
SOURCE_DEST_TYPE = Vocabulary(
    "sourceOrDestinationType", SOURCE_DEST_TYPES, CBV + "SDT-", "urn:epcglobal:cbv:sdt:"
)
ERROR_REASON = Vocabulary("errorReason", ERROR_REASONS, CBV + "ER-", "urn:epcglobal:cbv:er:")
COMPONENT = Vocabulary("component", COMPONENTS, CBV + "Comp-")
MEASUREMENT_TYPE = Vocabulary("measurementType", MEASUREMENT_TYPES, GS1_VOC)
SENSOR_ALERT_TYPE = Vocabulary("sensorAlertType", SENSOR_ALERT_TYPES, GS1_VOC)

ACTIONS = frozenset({"ADD", "OBSERVE", "DELETE"})
EVENT_TYPES = frozenset(
    {
        "ObjectEvent",
        "AggregationEvent",
        "TransactionEvent",
        "TransformationEvent",
        "AssociationEvent",
    }
)

# Prefixes every EPCIS 2.0 document may use without declaring them (epcis-context.jsonld).
STANDARD_PREFIXES = {
    "epcis": EPCIS_NS,
    "cbv": CBV,
    "cbvmda": "urn:epcglobal:cbv:mda:",
    "gs1": GS1_VOC,
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
}
