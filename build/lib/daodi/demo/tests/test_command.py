"""``daodi demo`` on an empty database, and all-or-nothing when it cannot finish."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from daodi.core.models import AuditEntry
from daodi.orgs.models import Division, Organisation, User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_given_an_empty_database_the_command_loads_and_prints_counts_and_logins(capsys):
    with translation.override("en"):
        call_command("demo", "--seed", "11")
    out = capsys.readouterr().out
    assert "2,000" in out and "规模倍数 1，随机种子 11" in out  # the CLI speaks Chinese first
    for username in ("admin", "hub", "station01", "point01", "lab01", "regulator", "processor01"):
        assert f"  {username} " in out
    assert "daodi-demo-2026" in out
    assert Organisation.objects.count() > 2000


def test_when_a_demo_login_is_taken_nothing_at_all_is_loaded():
    User.objects.create_user("point01", password="someone-elses-2026")
    audit_before = AuditEntry.objects.count()
    with pytest.raises(CommandError, match="point01"):
        call_command("demo")
    assert Organisation.objects.count() == 0
    assert Division.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before


def test_a_scale_below_one_is_refused():
    with translation.override("en"), pytest.raises(CommandError, match="不小于 1"):
        call_command("demo", "--scale", "0")
    assert Division.objects.count() == 0
