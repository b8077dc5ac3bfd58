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


LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture
def chinese_locale(monkeypatch):
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")  # a fresh machine's locale names no language


def test_given_an_empty_database_the_command_loads_and_prints_counts_and_logins(
    capsys, chinese_locale
):
    with translation.override("en"):
        call_command("demo", "--seed", "11")
    out = capsys.readouterr().out
    assert "2,000" in out and "规模倍数 1，随机种子 11" in out  # the CLI speaks Chinese first
    logins = ("admin", "hub", "station01", "point01", "lab01", "lab02", "regulator", "processor01")
    for username in logins:
        assert f"  {username} " in out
    assert "平台管理员" in out and "platform administrator" not in out
    # The problems left in for the regulator are told in the user's language too.
    problems = out.split("留给监管部门查看的问题：")[1]
    assert "arrival weight" not in problems and "到货重量" in problems
    assert "daodi-demo-2026" in out
    assert Organisation.objects.count() > 2000


def test_a_user_whose_locale_is_english_reads_the_demo_in_english(capsys, monkeypatch):
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    call_command("demo", "--seed", "11", "--season-events", "0")
    out = capsys.readouterr().out
    assert "Demo logins (password for all: daodi-demo-2026):" in out
    assert "platform administrator" in out and "示范账号" not in out


def test_when_a_demo_login_is_taken_nothing_at_all_is_loaded():
    User.objects.create_user("point01", password="someone-elses-2026")
    audit_before = AuditEntry.objects.count()
    with pytest.raises(CommandError, match="point01"):
        call_command("demo")
    assert Organisation.objects.count() == 0
    assert Division.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before


def test_a_scale_below_one_is_refused(chinese_locale):
    with translation.override("en"), pytest.raises(CommandError, match="不小于 1"):
        call_command("demo", "--scale", "0")
    assert Division.objects.count() == 0
