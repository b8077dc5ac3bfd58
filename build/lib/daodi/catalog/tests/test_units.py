"""Units of measure: 市斤, 亩 and friends convert exactly."""

from decimal import Decimal

import pytest

from daodi.catalog.models import Unit
from daodi.catalog.units import UnitMismatch, convert


def unit(code):
    return Unit.objects.get(code=code)


def kg_from(quantity, code):
    u, kg = unit(code), unit("kg")
    return convert(Decimal(quantity), u.factor, kg.factor, u.dimension, kg.dimension)


@pytest.mark.django_db
def test_standard_units_are_installed_by_migration():
    assert set(Unit.objects.values_list("code", flat=True)) >= {"kg", "jin", "t", "mu", "m2", "g"}


@pytest.mark.django_db
def test_jin_is_half_a_kilogram_and_tonne_a_thousand():
    assert kg_from("3", "jin") == Decimal("1.5")
    assert kg_from("2", "t") == Decimal("2000")


@pytest.mark.django_db
def test_mu_is_666_67_square_metres():
    mu, m2 = unit("mu"), unit("m2")
    assert round(convert(Decimal(1), mu.factor, m2.factor, "area", "area"), 2) == Decimal("666.67")


@pytest.mark.django_db
def test_mass_cannot_become_area():
    with pytest.raises(UnitMismatch):
        convert(Decimal(1), unit("kg").factor, unit("mu").factor, "mass", "area")
