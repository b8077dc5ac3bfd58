"""Plain rows of the demo county: what the builder produces and the loader writes.

Rows refer to each other by natural keys (division code, organisation code, herb code),
never by database ids, so a county can be built, compared and hashed without a database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal


@dataclass(frozen=True)
class DivisionRow:
    """An administrative division; coordinates (of its seat) place the sites inside it."""

    code: str
    name: str
    level: str
    parent_code: str | None
    latitude: Decimal | None = None
    longitude: Decimal | None = None


@dataclass(frozen=True)
class OrgRow:
    """An organisation; ``managed_by`` is the code of the organisation that keeps its records."""

    code: str
    kind: str
    name: str
    managed_by: str | None
    division: str
    gln: str
    contact_person: str = ""
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class SiteRow:
    """A place of an organisation (by the organisation's code) with its own GLN."""

    organisation: str
    kind: str
    name: str
    gln: str
    division: str
    address: str
    latitude: Decimal
    longitude: Decimal


@dataclass(frozen=True)
class UserRow:
    """A demo login: a role in one organisation, or a platform administrator without one."""

    username: str
    last_name: str
    first_name: str
    phone: str
    organisation: str | None = None
    role: str | None = None
    is_superuser: bool = False


@dataclass(frozen=True)
class HerbRow:
    code: str
    name: str
    trade_name: str
    pinyin: str
    latin_name: str
    material_name: str
    material_latin: str
    part_used: str
    yield_min_kg_per_mu: Decimal
    yield_max_kg_per_mu: Decimal
    dry_ratio_min: Decimal
    dry_ratio_max: Decimal
    price_min_per_kg: Decimal | None = None
    price_max_per_kg: Decimal | None = None
    max_purchase_kg: Decimal | None = None


@dataclass(frozen=True)
class GradeRow:
    herb: str
    specification: str
    grade: str
    description: str
    sort_order: int


@dataclass(frozen=True)
class IndicationRow:
    name: str
    herb: str
    kind: str
    registration_no: str
    holder: str
    holder_org: str | None
    registered_on: dt.date
    divisions: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class TradeItemRow:
    gtin: str
    herb: str
    specification: str
    grade: str
    pack: str
    net_quantity: Decimal | None
    unit: str


@dataclass
class County:
    """Everything the demo county consists of, as plain rows in load order."""

    seed: int
    scale: int
    divisions: list[DivisionRow] = field(default_factory=list)
    organisations: list[OrgRow] = field(default_factory=list)
    sites: list[SiteRow] = field(default_factory=list)
    users: list[UserRow] = field(default_factory=list)
    herbs: list[HerbRow] = field(default_factory=list)
    grades: list[GradeRow] = field(default_factory=list)
    indications: list[IndicationRow] = field(default_factory=list)
    trade_items: list[TradeItemRow] = field(default_factory=list)

    def sections(self) -> dict[str, list]:
        """The row lists by name (every list field), in load order."""
        return {
            f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("seed", "scale")
        }

    def fingerprint(self) -> str:
        """A SHA-256 over every row, sorted: equal fingerprints mean identical data."""
        return fingerprint(self.sections())


def _plain(value):
    if isinstance(value, (Decimal, dt.date)):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def canonical(row) -> list:
    """A row as a JSON-ready list of its values (dataclass rows or plain dicts)."""
    values = asdict(row).values() if hasattr(row, "__dataclass_fields__") else row.values()
    return [_plain(v) for v in values]


def fingerprint(sections: dict[str, list]) -> str:
    """SHA-256 of the sorted canonical rows of each section."""
    digest = hashlib.sha256()
    for name in sorted(sections):
        lines = sorted(json.dumps(canonical(r), ensure_ascii=False) for r in sections[name])
        digest.update(name.encode())
        for line in lines:
            digest.update(line.encode())
    return digest.hexdigest()
