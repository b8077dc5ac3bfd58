"""Fixtures shared by every test: a small county network, people with roles, API clients."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from daodi.core.actor import Actor
from daodi.orgs import actions as org_actions
from daodi.orgs.choices import OrgKind, Role
from daodi.orgs.models import Organisation, User

SHARED = Path(__file__).resolve().parent.parent / "shared"
PASSWORD = "Herb-test-pass-2026"


def shared_path(*parts: str) -> Path:
    """A file under ../shared, skipping the test (and saying why) where it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (a user's clone has no ../shared)")
    return path


def pytest_configure(config):
    from django.conf import settings

    # Password hashing is deliberately slow; tests make many users and need no such cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def system():
    return Actor.system()


def make_org(
    kind: str, name: str, code: str, managed_by: Organisation | None = None
) -> Organisation:
    return org_actions.create_organisation(
        actor=Actor.system(), kind=kind, name=name, code=code, managed_by=managed_by
    )


def make_user(username: str, org: Organisation, role: str = Role.OPERATOR) -> User:
    return org_actions.create_user(
        actor=Actor.system(), username=username, password=PASSWORD, organisation=org, role=role
    )


class Network:
    """hub → station → two village points, each with a household; another station apart."""

    def __init__(self):
        self.hub = make_org(OrgKind.COUNTY_HUB, "县运营中心", "HUB")
        self.station = make_org(OrgKind.TOWNSHIP_STATION, "东山乡服务站", "ST1", self.hub)
        self.point = make_org(OrgKind.VILLAGE_POINT, "杏树村收购点", "PT1", self.station)
        self.other_point = make_org(OrgKind.VILLAGE_POINT, "桃园村收购点", "PT2", self.station)
        self.household = make_org(OrgKind.HOUSEHOLD, "王大山", "HH1", self.point)
        self.other_household = make_org(OrgKind.HOUSEHOLD, "李小梅", "HH2", self.other_point)
        self.gov = make_org(OrgKind.GOVERNMENT, "县农业农村局", "GOV")
        self.point_operator = make_user("point_op", self.point, Role.OPERATOR)
        self.other_operator = make_user("other_op", self.other_point, Role.OPERATOR)
        self.point_viewer = make_user("point_viewer", self.point, Role.VIEWER)
        self.station_admin = make_user("station_admin", self.station, Role.ADMIN)
        self.regulator = make_user("regulator", self.gov, Role.REGULATOR)
        self.admin = User.objects.create_superuser("admin", "admin@example.org", PASSWORD)


@pytest.fixture
def network(db) -> Network:
    return Network()


@pytest.fixture
def api():
    """An API client; ``api.as_user(user)`` authenticates with a real bearer token."""

    class Client(APIClient):
        def as_user(self, user):
            _, secret = org_actions.create_token(actor=Actor.system(), user=user, name="test")
            self.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
            return self

    return Client()


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path_factory):
    # Tests see the default language (zh-hans) unless they ask for another, and keep the
    # files they write (recall reports, uploads) out of the working tree.
    settings.AXES_ENABLED = False
    settings.LANGUAGE_CODE = "zh-hans"
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    # Each test starts with an empty shared page cache of its own.
    shared = dict(settings.CACHES[settings.RESOLVER_SHARED_CACHE])
    shared["LOCATION"] = str(tmp_path_factory.mktemp("resolver-cache"))
    settings.CACHES = {**settings.CACHES, settings.RESOLVER_SHARED_CACHE: shared}


if os.environ.get("DAODI_BROWSER_TESTS"):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
