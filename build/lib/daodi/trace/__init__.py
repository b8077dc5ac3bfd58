"""Traceability: EPCIS 2.0 events, the identifier index, lineage and projections of lots."""
