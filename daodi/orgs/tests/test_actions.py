"""Organisation actions: scoping, moving subtrees, memberships, tokens, audit."""

import pytest

from daodi.core.actor import Actor
from daodi.core.errors import DomainError, NotFound, PermissionDenied
from daodi.core.models import AuditEntry
from daodi.orgs import actions, policy, queries
from daodi.orgs.choices import OrgKind, Role
from daodi.orgs.models import Membership, Organisation


def web(user):
    return Actor(user=user, channel="web")


@pytest.mark.django_db
class TestScope:
    def test_member_sees_own_org_and_what_it_manages_only(self, network):
        codes = set(queries.organisations(network.station_admin).values_list("code", flat=True))
        assert codes == {"ST1", "PT1", "PT2", "HH1", "HH2"}

    def test_regulator_reads_all_but_writes_nothing(self, network):
        assert queries.organisations(network.regulator).count() == Organisation.objects.count()
        assert not queries.organisations(network.regulator, write=True).exists()

    def test_viewer_reads_but_cannot_write(self, network):
        assert queries.organisations(network.point_viewer).filter(code="HH1").exists()
        with pytest.raises(PermissionDenied):
            actions.update_organisation(
                actor=web(network.point_viewer), organisation=network.household, name="改"
            )

    def test_other_point_cannot_see_or_change_household(self, network):
        with pytest.raises(NotFound):
            actions.update_organisation(
                actor=web(network.other_operator), organisation=network.household, name="改"
            )
        network.household.refresh_from_db()
        assert network.household.name == "王大山"
        assert not AuditEntry.objects.filter(action="organisation.update").exists()

    def test_user_without_membership_sees_nothing(self, network):
        from daodi.orgs.models import User

        loner = User.objects.create_user("loner", password="x-long-password-1")
        assert not queries.organisations(loner).exists()


@pytest.mark.django_db
def test_moving_a_point_to_another_station_moves_its_households(network):
    station2 = actions.create_organisation(
        actor=Actor.system(),
        kind=OrgKind.TOWNSHIP_STATION,
        name="西岭镇服务站",
        code="ST2",
        managed_by=network.hub,
    )
    actions.update_organisation(
        actor=Actor.system(), organisation=network.point, managed_by=station2
    )
    network.household.refresh_from_db()
    assert network.household.path.startswith(station2.path)
    assert not queries.organisations(network.station_admin).filter(code="HH1").exists()


@pytest.mark.django_db
def test_an_organisation_cannot_be_managed_by_its_own_household(network):
    with pytest.raises(DomainError) as refused:
        actions.update_organisation(
            actor=Actor.system(), organisation=network.point, managed_by=network.household
        )
    assert refused.value.code == "managed_by_cycle"
    network.point.refresh_from_db()
    assert network.point.managed_by == network.station


@pytest.mark.django_db
def test_operator_cannot_create_top_level_organisation(network):
    with pytest.raises(PermissionDenied):
        actions.create_organisation(
            actor=web(network.point_operator), kind=OrgKind.PROCESSOR, name="某加工厂", code="P1"
        )
    assert not Organisation.objects.filter(code="P1").exists()


@pytest.mark.django_db
def test_invalid_gln_is_refused_with_field_error(network):
    with pytest.raises(DomainError) as refused:
        actions.create_organisation(
            actor=Actor.system(),
            kind=OrgKind.HOUSEHOLD,
            name="甲",
            code="HHX",
            managed_by=network.point,
            gln="9521234000007",
        )
    assert "gln" in refused.value.fields
    assert not Organisation.objects.filter(code="HHX").exists()


@pytest.mark.django_db
class TestMembers:
    def test_station_admin_adds_operator_to_point(self, network):
        user = actions.create_user(
            actor=web(network.station_admin),
            username="newop",
            password="Pass-word-2026",
            organisation=network.point,
            role=Role.OPERATOR,
        )
        assert user.check_password("Pass-word-2026")
        assert Membership.objects.get(user=user).organisation == network.point
        entry = AuditEntry.objects.get(action="user.create", target_id=str(user.pk))
        assert "password" not in entry.changes

    def test_operator_cannot_add_users(self, network):
        with pytest.raises(PermissionDenied):
            actions.create_user(
                actor=web(network.point_operator),
                username="x",
                password="Pass-word-2026",
                organisation=network.point,
                role=Role.OPERATOR,
            )

    def test_only_platform_admin_grants_regulator(self, network):
        with pytest.raises(PermissionDenied):
            actions.set_membership(
                actor=web(network.station_admin),
                user=network.point_operator,
                organisation=network.point,
                role=Role.REGULATOR,
            )
        assert not policy.reads_everything(network.point_operator)

    def test_duplicate_username_is_refused_case_insensitively(self, network):
        with pytest.raises(DomainError) as refused:
            actions.create_user(
                actor=Actor.system(),
                username="POINT_OP",
                password="Pass-word-2026",
                organisation=network.point,
                role=Role.VIEWER,
            )
        assert refused.value.code == "username_taken"


@pytest.mark.django_db
def test_login_is_rate_limited_after_repeated_failures(client, network, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post("/login/", {"username": "point_op", "password": "wrong"})
    locked = client.post("/login/", {"username": "point_op", "password": "Herb-test-pass-2026"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_production_settings_pass_deploy_checks(monkeypatch, tmp_path):
    import subprocess
    import sys

    env = {
        "DAODI_ENV": "production",
        "SECRET_KEY": "x" * 60 + "Yz9-!",
        "ALLOWED_HOSTS": "herbs.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path}/p.db",
        "DAODI_VAR_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env | {"DJANGO_SETTINGS_MODULE": "daodi.settings"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_secret_key(tmp_path):
    import subprocess
    import sys

    env = {
        "DAODI_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "daodi.settings",
        "DAODI_VAR_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_a_village_point_registers_households_but_never_a_government_department(network):
    with pytest.raises(DomainError) as refused:
        actions.create_organisation(
            actor=web(network.point_operator),
            kind=OrgKind.GOVERNMENT,
            name="某某局",
            code="FAKEGOV",
            managed_by=network.point,
        )
    assert "kind" in refused.value.fields
    assert "收购点" in str(refused.value.fields["kind"][0])  # names the manager's kind
    assert not Organisation.objects.filter(code="FAKEGOV").exists()

    grower = actions.create_organisation(
        actor=web(network.point_operator),
        kind=OrgKind.HOUSEHOLD,
        name="赵四",
        code="HHNEW",
        managed_by=network.point,
    )
    assert grower.managed_by == network.point


@pytest.mark.django_db
def test_an_organisation_cannot_be_moved_under_a_kind_that_does_not_keep_it(network):
    with pytest.raises(DomainError) as refused:
        actions.update_organisation(
            actor=Actor.system(), organisation=network.station, managed_by=network.gov
        )
    assert "kind" in refused.value.fields
    network.station.refresh_from_db()
    assert network.station.managed_by == network.hub


@pytest.mark.django_db
def test_the_organisation_form_offers_only_the_kinds_the_user_may_register(network):
    from daodi.orgs.forms import OrganisationForm

    kinds = {
        value for value, _ in OrganisationForm(user=network.point_operator).fields["kind"].choices
    }
    assert kinds == {"", OrgKind.HOUSEHOLD}
    station_kinds = {
        value for value, _ in OrganisationForm(user=network.station_admin).fields["kind"].choices
    }
    assert OrgKind.GOVERNMENT not in station_kinds
    assert {OrgKind.VILLAGE_POINT, OrgKind.HOUSEHOLD, OrgKind.COOPERATIVE} <= station_kinds


@pytest.mark.django_db
class TestRoleDefaults:
    def test_a_new_person_is_a_viewer_unless_a_role_is_chosen(self, network):
        user = actions.create_user(
            actor=web(network.station_admin),
            username="newcomer",
            password="Pass-word-2026",
            organisation=network.point,
        )
        assert Membership.objects.get(user=user).role == Role.VIEWER

    def test_the_forms_propose_the_viewer_role(self, network):
        from daodi.orgs.forms import MembershipForm, UserCreateForm

        assert UserCreateForm(user=network.station_admin).fields["role"].initial == Role.VIEWER
        form = MembershipForm(user=network.station_admin)
        assert form.fields["role"].initial == Role.VIEWER

    def test_the_api_makes_a_viewer_when_no_role_is_sent(self, network, api):
        client = api.as_user(network.station_admin)
        response = client.post(
            "/api/users/",
            {
                "username": "apinew",
                "password": "Pass-word-2026",
                "organisation": network.point.pk,
            },
            format="json",
        )
        assert response.status_code == 201, response.content
        assert Membership.objects.get(user__username="apinew").role == Role.VIEWER
