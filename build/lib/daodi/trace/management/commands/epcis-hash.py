"""``daodi epcis-hash``: the command's spelling with a hyphen (see ``epcis_hash``)."""

from .epcis_hash import Command  # noqa: F401
