"""Write a built demo county into the database and take it out again.

Everything happens in one transaction, so a failure leaves nothing behind. The thousands
of organisations and sites go in with batched inserts, their materialised ``path`` is
filled in level by level, and each inserted record gets its ``*.create`` audit row in bulk,
so the audit trail is as complete as if every record had gone through its action. The few
people and the catalogue do go through the real actions.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, models, transaction
from django.db.models import CharField, OuterRef, Q, Subquery, Value
from django.db.models.deletion import ProtectedError
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils.translation import gettext as _

from daodi.catalog import actions as catalog_actions
from daodi.catalog.models import GeographicIndication, Grade, Herb, TradeItem, Unit
from daodi.core import audit, records
from daodi.core.actor import Actor
from daodi.core.errors import DomainError
from daodi.core.models import AuditEntry
from daodi.orgs import actions as org_actions
from daodi.orgs.choices import DivisionLevel
from daodi.orgs.models import Division, Organisation, Site, User

from .build import COUNTY_CODE, DEMO_PASSWORD, USERS, read_divisions
from .catalog import HERBS, PACKS_EN, grade_english
from .codes import DemoError
from .rows import County

BATCH = 1000
LEVELS = [
    DivisionLevel.PROVINCE,
    DivisionLevel.CITY,
    DivisionLevel.COUNTY,
    DivisionLevel.TOWNSHIP,
    DivisionLevel.VILLAGE,
]


class AlreadyLoaded(DemoError):
    """The database already holds the demo county."""


@dataclass
class Loaded:
    """Database ids of what was loaded, by natural key, for later sections to refer to."""

    divisions: dict[str, int] = field(default_factory=dict)
    organisations: dict[str, int] = field(default_factory=dict)
    herbs: dict[str, int] = field(default_factory=dict)
    grades: dict[tuple[str, str, str], int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    audit_entries: int = 0
    seconds: float = 0.0


def is_loaded() -> bool:
    """True when the demo county's division is in the database."""
    return Division.objects.filter(code=COUNTY_CODE).exists()


@transaction.atomic
def load(county: County, *, actor: Actor | None = None, password: str = DEMO_PASSWORD) -> Loaded:
    """Write ``county`` into the database; refuses if the demo county is there already."""
    started = time.perf_counter()
    actor = actor or Actor.system()
    if is_loaded():
        raise AlreadyLoaded(_("The demo county is already loaded in this database."))
    loaded = Loaded()
    # Hashing a password (PBKDF2 at Django's cost) takes about half a second; the
    # administrator's is computed in the background while the bulk rows go in.
    with ThreadPoolExecutor(max_workers=1) as pool:
        admin_hash = pool.submit(make_password, password)
        try:
            _divisions(county, loaded, actor)
            _organisations(county, loaded, actor)
            _sites(county, loaded, actor)
            _catalogue(county, loaded, actor)
            _users(county, loaded, actor, password, admin_hash.result())
        except IntegrityError as exc:
            raise DemoError(
                _(
                    "The database already holds records with the demo county's codes; "
                    "load the demo into an empty database. (%(error)s)"
                )
                % {"error": exc}
            ) from exc
    loaded.seconds = time.perf_counter() - started
    return loaded


def _audit_created(actor: Actor, objs: list[models.Model], loaded: Loaded) -> None:
    """One ``<model>.create`` audit row per record, as ``records.create`` would write."""
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=actor.user,
                channel=actor.channel,
                action=f"{obj._meta.model_name}.create",
                target_type=obj._meta.label_lower,
                target_id=str(obj.pk),
                target_repr=str(obj)[:200],
                changes=audit.diff({}, audit.snapshot(obj)),
            )
            for obj in objs
        ],
        batch_size=BATCH,
    )
    loaded.audit_entries += len(objs)


def _divisions(county: County, loaded: Loaded, actor: Actor) -> None:
    # Divisions the database already has (a shared province, say) are reused.
    loaded.divisions.update(
        Division.objects.filter(code__in=[d.code for d in county.divisions]).values_list(
            "code", "id"
        )
    )
    for level in LEVELS:
        objs = [
            Division(
                code=d.code,
                name=d.name,
                level=d.level,
                parent_id=loaded.divisions.get(d.parent_code) if d.parent_code else None,
            )
            for d in county.divisions
            if d.level == level and d.code not in loaded.divisions
        ]
        Division.objects.bulk_create(objs, batch_size=BATCH)
        loaded.divisions.update((d.code, d.pk) for d in objs)
        _audit_created(actor, objs, loaded)


def _organisations(county: County, loaded: Loaded, actor: Actor) -> None:
    """Insert level by level (managers first) so each level knows its managers' ids."""
    depth: dict[str, int] = {}
    for row in county.organisations:
        depth[row.code] = 0 if row.managed_by is None else depth[row.managed_by] + 1
    paths: dict[str, str] = {}
    for level in range(max(depth.values(), default=-1) + 1):
        rows = [r for r in county.organisations if depth[r.code] == level]
        objs = [
            Organisation(
                kind=r.kind,
                name=r.name,
                code=r.code,
                managed_by_id=loaded.organisations[r.managed_by] if r.managed_by else None,
                division_id=loaded.divisions[r.division],
                gln=r.gln,
                contact_person=r.contact_person,
                phone=r.phone,
                address=r.address,
            )
            for r in rows
        ]
        Organisation.objects.bulk_create(objs, batch_size=BATCH)
        for row, obj in zip(rows, objs, strict=True):
            # Organisation.compute_path, without fetching each manager again.
            obj.path = f"{paths[row.managed_by] if row.managed_by else '/'}{obj.pk}/"
            paths[row.code] = obj.path
            loaded.organisations[row.code] = obj.pk
        # The same path in SQL, one statement per level: bulk_update's CASE per row is
        # several times slower. Rows of this level are the ones in the id range whose
        # path is still empty (other writers set a path in the transaction that inserts).
        ids = [obj.pk for obj in objs]
        manager_path = Organisation.objects.filter(pk=OuterRef("managed_by_id")).values("path")
        Organisation.objects.filter(pk__range=(min(ids), max(ids)), path="").update(
            path=Concat(
                Coalesce(Subquery(manager_path[:1]), Value("/")),
                Cast("id", CharField()),
                Value("/"),
                output_field=CharField(),
            )
        )
        _audit_created(actor, objs, loaded)


def _sites(county: County, loaded: Loaded, actor: Actor) -> None:
    objs = [
        Site(
            organisation_id=loaded.organisations[s.organisation],
            kind=s.kind,
            name=s.name,
            gln=s.gln,
            division_id=loaded.divisions[s.division],
            address=s.address,
            latitude=s.latitude,
            longitude=s.longitude,
        )
        for s in county.sites
    ]
    Site.objects.bulk_create(objs, batch_size=BATCH)
    _audit_created(actor, objs, loaded)


def _catalogue(county: County, loaded: Loaded, actor: Actor) -> None:
    """Herbs, grades, indications and trade items through the catalogue's actions.

    Entries the catalogue already has (same herb code, grade, indication name or GTIN)
    are kept as they are, so the demo also loads where the herbs were entered by hand.
    """
    herbs = {h.code: h for h in Herb.objects.filter(code__in=[h.code for h in county.herbs])}
    for row in county.herbs:
        if row.code not in herbs:
            herbs[row.code] = catalog_actions.create_herb(actor=actor, **vars(row))
        loaded.herbs[row.code] = herbs[row.code].pk
    grades = {
        (g.herb.code, g.specification, g.grade): g
        for g in Grade.objects.filter(herb__in=herbs.values()).select_related("herb")
    }
    for row in county.grades:
        key = (row.herb, row.specification, row.grade)
        if key not in grades:
            grades[key] = catalog_actions.create_grade(
                actor=actor,
                herb=herbs[row.herb],
                specification=row.specification,
                grade=row.grade,
                name_en=grade_english(row.specification, row.grade),
                description=row.description,
                sort_order=row.sort_order,
            )
        loaded.grades[key] = grades[key].pk
    divisions = Division.objects.in_bulk(loaded.divisions.values())
    for row in county.indications:
        if GeographicIndication.objects.filter(name=row.name).exists():
            continue
        catalog_actions.create_indication(
            actor=actor,
            name=row.name,
            herb=herbs[row.herb],
            kind=row.kind,
            registration_no=row.registration_no,
            holder=row.holder,
            holder_org=Organisation.objects.get(pk=loaded.organisations[row.holder_org]),
            registered_on=row.registered_on,
            description=row.description,
            divisions=[divisions[loaded.divisions[code]] for code in row.divisions],
        )
    units = {u.code: u for u in Unit.objects.all()}
    for row in county.trade_items:
        if TradeItem.objects.filter(gtin=row.gtin).exists():
            continue
        catalog_actions.create_trade_item(
            actor=actor,
            gtin=row.gtin,
            herb=herbs[row.herb],
            grade=grades[(row.herb, row.specification, row.grade)],
            pack=row.pack,
            pack_en=PACKS_EN.get(row.pack, ""),
            net_quantity=row.net_quantity,
            unit=units[row.unit],
        )


def _users(county: County, loaded: Loaded, actor: Actor, password: str, admin_hash: str) -> None:
    """The demo logins: the platform administrator, then members created by the real action."""
    for row in county.users:
        try:
            if row.is_superuser:
                user = records.create(
                    actor,
                    User,
                    username=row.username,
                    first_name=row.first_name,
                    last_name=row.last_name,
                    phone=row.phone,
                    is_staff=True,
                    is_superuser=True,
                    password=admin_hash,
                )
            else:
                user = org_actions.create_user(
                    actor=actor,
                    username=row.username,
                    password=password,
                    organisation=Organisation.objects.get(
                        pk=loaded.organisations[row.organisation]
                    ),
                    role=row.role,
                    first_name=row.first_name,
                    last_name=row.last_name,
                    phone=row.phone,
                )
        except DomainError as exc:
            raise DemoError(
                _("The demo login %(username)s cannot be created: %(reason)s")
                % {"username": row.username, "reason": exc.message}
            ) from exc
        loaded.users[row.username] = user.pk


@transaction.atomic
def remove(*, actor: Actor | None = None) -> int:
    """Take the demo county out again; returns how many organisations went.

    Removes the demo's organisations (with those added under them since), their sites and
    memberships, the demo logins, the demo herbs with their grades, indications and trade
    items, and the division tree. The audit trail stays, with one row recording the removal.
    Refuses, changing nothing, when other records still refer to any of it.
    """
    actor = actor or Actor.system()
    division_codes = [d.code for d in read_divisions()]
    demo_orgs = Organisation.objects.filter(division__code__in=division_codes)
    roots = demo_orgs.filter(managed_by__isnull=True).values_list("path", flat=True)
    doomed = Organisation.objects.filter(
        reduce(or_, (Q(path__startswith=p) for p in roots), Q(pk__in=demo_orgs.values("pk")))
    )
    herb_codes = [h.code for h in HERBS]
    from daodi.sourcing.demo import remove as remove_season

    from .history import remove_trace

    try:
        remove_season(doomed)  # farm and buying records refer to events, sites, lots
        remove_trace(doomed)  # the demo season's events and lots refer to its sites
        GeographicIndication.objects.filter(herb__code__in=herb_codes).delete()
        TradeItem.objects.filter(herb__code__in=herb_codes).delete()
        Grade.objects.filter(herb__code__in=herb_codes).delete()
        Herb.objects.filter(code__in=herb_codes).delete()
        Site.objects.filter(organisation__in=doomed).delete()
        User.objects.filter(username__in=[u for u, _org, _role in USERS]).delete()
        ids = list(doomed.values_list("pk", flat=True))
        chunks = [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]
        # Managers protect what they manage: cut the links first, then delete in chunks.
        for chunk in chunks:
            Organisation.objects.filter(pk__in=chunk).update(managed_by=None)
        for chunk in chunks:
            Organisation.objects.filter(pk__in=chunk).delete()
        for level in reversed(LEVELS):
            Division.objects.filter(code__in=division_codes, level=level).delete()
    except (ProtectedError, IntegrityError) as exc:
        raise DemoError(
            _(
                "Other records refer to the demo county, so it cannot be removed; "
                "load the demo into a fresh database instead. (%(error)s)"
            )
            % {"error": exc.args[0] if exc.args else exc}
        ) from exc
    AuditEntry.objects.create(
        actor=actor.user,
        channel=actor.channel,
        action="demo.remove",
        target_type="orgs.division",
        target_id="",
        target_repr=COUNTY_CODE,
        changes={"organisations": [len(ids), 0]},
    )
    return len(ids)
