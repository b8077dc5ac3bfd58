"""Composed, scoped reads of the farm app."""

from __future__ import annotations

from daodi.orgs import policy

from .models import BannedPesticide, FarmRecord, Harvest, Plot, Processing


def plots(user, *, write=False):
    return policy.scope(
        Plot.objects.select_related("holder", "site", "village", "herb"), user, write=write
    )


def records(user, *, write=False):
    return policy.scope(
        FarmRecord.objects.select_related("plot__holder", "plot__herb"), user, write=write
    )


def harvests(user, *, write=False):
    return policy.scope(
        Harvest.objects.select_related("holder", "herb", "grade").prefetch_related("plots"),
        user,
        write=write,
    )


def processings(user, *, write=False):
    return policy.scope(
        Processing.objects.select_related("holder", "herb", "grade").prefetch_related("lots"),
        user,
        write=write,
    )


def banned():
    return BannedPesticide.objects.all()
