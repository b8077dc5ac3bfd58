"""Look-ups compiled once per connection give what the ORM gives, for any values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from daodi.catalog.models import Herb
from daodi.core.compiled import CompiledQuery, by_pk
from daodi.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def herb():
    return Herb.objects.create(
        code="lu-dangshen",
        name="潞党参",
        latin_name="Codonopsis pilosula",
        dry_ratio_min=Decimal("0.280"),
        balance_tolerance_pct=Decimal("2.5"),
    )


def test_an_instance_by_key_is_the_one_the_orm_loads(herb):
    found = by_pk(Herb).first(herb.pk)
    loaded = Herb.objects.get(pk=herb.pk)
    for field in Herb._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(loaded, field.attname), field.name
    assert isinstance(found.balance_tolerance_pct, Decimal)  # SQLite stores it as a float
    assert found._state.adding is False
    found.name = "党参"
    found.save()  # a loaded record, saved as an update
    assert Herb.objects.get(pk=herb.pk).name == "党参" and Herb.objects.count() == 1


def test_values_pass_through_the_orm_converters(herb):
    AuditEntry.objects.create(
        actor=None, channel="test", action="a", target_type="t", changes={"k": [1, "二"]}
    )
    query = CompiledQuery(
        lambda action: AuditEntry.objects.filter(action=action).values_list("at", "changes"),
        str,
    )
    ((at, changes),) = query.rows("a")
    assert isinstance(at, dt.datetime) and at.tzinfo is not None
    assert changes == {"k": [1, "二"]}


def test_it_is_compiled_once_per_connection_and_runs_with_each_calls_values(herb):
    other = Herb.objects.create(code="huangqin", name="黄芩", latin_name="Scutellaria")
    built = []

    def build(code):
        built.append(code)
        return Herb.objects.filter(code=code).values_list("pk")

    query = CompiledQuery(build, str)
    with CaptureQueriesContext(connection) as queries:
        assert query.first("lu-dangshen") == (herb.pk,)
        assert query.first("huangqin") == (other.pk,)
        assert query.first("absent") is None
    assert len(built) == 1
    assert len(queries.captured_queries) == 3


def test_values_are_parameters_never_sql(herb):
    query = CompiledQuery(lambda code: Herb.objects.filter(code=code).values_list("pk"), str)
    assert query.rows("x' OR '1'='1") == []
    assert by_pk(Herb).first(-1) is None


def test_a_value_that_is_not_an_exact_parameter_is_refused_when_compiled(herb):
    query = CompiledQuery(
        lambda code: Herb.objects.filter(code__startswith=code).values_list("pk"), str
    )
    with pytest.raises(RuntimeError, match="not one exact parameter"):
        query.rows("lu")
    with pytest.raises(TypeError, match="int or str"):
        CompiledQuery(lambda ratio: Herb.objects.filter(dry_ratio_min=ratio), Decimal).rows(1)


def test_on_postgresql_only_the_compiled_look_ups_are_prepared(herb):
    """Prepared once per connection; every other statement is neither prepared nor kept by
    the driver (client-side bound text holds its values: bulk statements would pile up)."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")

    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [row[0] for row in cursor.fetchall()]

    names = CompiledQuery(lambda code: Herb.objects.filter(code=code).values_list("name"), str)
    before = prepared()
    for _ in range(3):
        assert names.first(herb.code) == (herb.name,)
        assert Herb.objects.filter(code__in=[herb.code, "x" * 500]).count() == 1
    new = [s for s in prepared() if s not in before]
    assert len(new) == 1 and '"code" = $1' in new[0]
    assert not connection.connection._prepared._counts  # no statement text kept to count
