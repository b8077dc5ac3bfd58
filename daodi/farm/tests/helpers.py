"""Assertions shared by farm and sourcing tests."""

from __future__ import annotations

from django.apps import apps

APPS = {"core", "orgs", "catalog", "trace", "farm", "sourcing"}
# The one row a refusal may add: the attempt, kept for regulators (tests assert it).
KEEPS_REFUSALS = {"core.Refusal"}


def state() -> dict:
    """Every row of every model of ours, to prove a refused action changed nothing."""
    snapshot = {}
    for model in apps.get_models():
        if model._meta.app_label in APPS and model._meta.label not in KEEPS_REFUSALS:
            columns = [f.attname for f in model._meta.concrete_fields]
            snapshot[model._meta.label] = sorted(map(repr, model.objects.values_list(*columns)))
    return snapshot
