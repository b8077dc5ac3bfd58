"""Pages of the farm app: plots, GACP records, harvests, processing, the banned list."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _

from daodi.core.views import (
    Column,
    CreatePage,
    DetailPage,
    ListPage,
    Resource,
    ReviewPage,
    UpdatePage,
)
from daodi.orgs import policy

from . import actions, queries
from .filters import (
    BannedPesticideFilter,
    FarmRecordFilter,
    HarvestFilter,
    PlotFilter,
    ProcessingFilter,
)
from .forms import BannedPesticideForm, FarmRecordForm, HarvestForm, PlotForm, ProcessingForm
from .models import BannedPesticide, FarmRecord, Harvest, Plot, Processing


def pages(resource: Resource, *, edit: bool = False) -> list:
    """List, create and detail pages (and edit, for records that may change)."""
    seg, n = resource.segment or f"{resource.name}s", resource.name
    urls = [
        path(f"{seg}/", ListPage.as_view(resource=resource), name=f"{n}_list"),
        path(f"{seg}/new/", CreatePage.as_view(resource=resource), name=f"{n}_create"),
        path(f"{seg}/<int:pk>/", DetailPage.as_view(resource=resource), name=f"{n}_detail"),
    ]
    if edit:
        urls.append(
            path(f"{seg}/<int:pk>/edit/", UpdatePage.as_view(resource=resource), name=f"{n}_update")
        )
    if resource.review_of is not None:
        urls.append(
            path(
                f"{seg}/<int:pk>/review/", ReviewPage.as_view(resource=resource), name=f"{n}_review"
            )
        )
    return urls


class WriteOnce(Resource):
    """Records written once: a mistake is corrected by a new record, never edited."""

    def can_write(self, user, obj):
        return False


class PlotResource(Resource):
    model, namespace, name = Plot, "farm", "plot"
    filterset_class = PlotFilter
    form_class = PlotForm
    list_columns = (
        Column("name", link=True),
        Column("holder"),
        Column("herb"),
        Column("area_mu"),
        Column("village", wide=True),
        Column("gap_base", wide=True),
    )
    detail_fields = (
        "name", "holder", "village", "herb", "variety", "area_mu", "year_planted",
        ("site.gln", "GLN"), "gap_base", "gap_certificate", "is_active",
    )  # fmt: skip
    detail_template = "farm/plot_detail.html"

    def queryset(self, user, *, write=False):
        return queries.plots(user, write=write)

    def create(self, actor, **data):
        return actions.create_plot(actor=actor, **data)

    def update(self, actor, obj, **data):
        return actions.update_plot(actor=actor, plot=obj, **data)

    def detail_context(self, request, obj):
        return {
            "records": obj.records.all()[:50],
            "harvests": obj.harvests.all()[:20],
            "indications": obj.indications(),
            "plot_map": queries.plot_map(obj, request.user),
        }


class FarmRecordResource(WriteOnce):
    model, namespace, name = FarmRecord, "farm", "farmrecord"
    segment = "records"
    filterset_class = FarmRecordFilter
    form_class = FarmRecordForm
    list_columns = (
        Column("date", link=True),
        Column("plot"),
        Column("kind"),
        Column("product", wide=True),
        Column("operator", wide=True),
    )
    detail_fields = (
        "plot", "kind", "date", "operator", "seed_lot", "supplier", "supplier_batch", "variety",
        "product", "active_ingredient", "dose", "area_mu", "pre_harvest_interval_days",
        "water_m3", "method", "findings", ("photo_link", _("Photo")),
    )  # fmt: skip

    def queryset(self, user, *, write=False):
        return queries.records(user, write=write)

    def can_create(self, user):
        return queries.plots(user, write=True).exists()

    def create(self, actor, **data):
        return actions.record_activity(actor=actor, **data)


class HarvestResource(WriteOnce):
    model, namespace, name = Harvest, "farm", "harvest"
    filterset_class = HarvestFilter
    form_class = HarvestForm
    list_columns = (
        Column("harvested_on", link=True),
        Column("holder"),
        Column("herb"),
        Column("fresh_kg"),
        Column("flagged"),
        Column("batch", wide=True),
    )
    detail_fields = (
        "lot", "holder", "plots", "herb", "grade", "harvested_on", "fresh_kg", "herb_age_years",
        "method", "yield_kg_per_mu", "flagged", ("flag_reason", _("flag")), "reviewed_at",
        "reviewed_by", "review_note",
    )  # fmt: skip

    def queryset(self, user, *, write=False):
        return queries.harvests(user, write=write)

    @staticmethod
    def review_of(harvest):
        return harvest.holder

    def review(self, actor, obj, note):
        return actions.review_harvest(actor=actor, harvest=obj, note=note)

    def can_create(self, user):
        return queries.plots(user, write=True).exists()

    def create(self, actor, **data):
        return actions.harvest(actor=actor, **data)


class ProcessingResource(WriteOnce):
    model, namespace, name = Processing, "farm", "processing"
    segment = "processing"
    filterset_class = ProcessingFilter
    form_class = ProcessingForm
    list_columns = (
        Column("finished_at", link=True),
        Column("kind"),
        Column("herb"),
        Column("input_kg"),
        Column("output_kg"),
        Column("ratio", wide=True),
        Column("flagged"),
    )
    detail_fields = (
        "kind", "holder", "site", "herb", "grade", "started_at", "finished_at", "method",
        "temperature_c", "hours", "input_kg", "output_kg", "ratio", "no_sulphur", "no_dye",
        "no_weighting", "flagged", ("flag_reason", _("flag")), "reviewed_at", "reviewed_by",
        "review_note",
        "sensor_readings", ("lots", _("Lots")),
    )  # fmt: skip

    def queryset(self, user, *, write=False):
        return queries.processings(user, write=write)

    @staticmethod
    def review_of(run):
        return run.holder

    def review(self, actor, obj, note):
        return actions.review_processing(actor=actor, run=obj, note=note)

    def can_create(self, user):
        return policy.is_platform_admin(user) or bool(
            [m for m in user.memberships.all() if m.role in ("admin", "operator")]
        )

    def create(self, actor, **data):
        return actions.process(actor=actor, **data)


class BannedPesticideResource(Resource):
    model, namespace, name = BannedPesticide, "farm", "bannedpesticide"
    segment = "banned-pesticides"
    filterset_class = BannedPesticideFilter
    form_class = BannedPesticideForm
    list_columns = (
        Column("name", link=True),
        Column("name_en"),
        Column("loq_mg_per_kg", wide=True),
        Column("is_active"),
    )
    detail_fields = ("name", "name_en", "aliases", "loq_mg_per_kg", "source", "is_active")

    def queryset(self, user, *, write=False):
        if write and not policy.is_platform_admin(user):
            return BannedPesticide.objects.none()
        return queries.banned()

    def create(self, actor, **data):
        return actions.create_banned_pesticide(actor=actor, **data)

    def update(self, actor, obj, **data):
        return actions.update_banned_pesticide(actor=actor, pesticide=obj, **data)


urlpatterns = [
    *pages(PlotResource(), edit=True),
    *pages(FarmRecordResource()),
    *pages(HarvestResource()),
    *pages(ProcessingResource()),
    *pages(BannedPesticideResource(), edit=True),
]
