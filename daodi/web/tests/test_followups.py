"""A regulator follows a finding up from the home page: acknowledge, notify the organisation
(which reads the notice on its home), close with a note; each step audited, each refusal
leaving nothing written."""

from __future__ import annotations

import pytest
from django.utils import timezone

from daodi.core import followups
from daodi.core.actor import Actor
from daodi.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from daodi.core.models import AuditEntry, FollowUp, Refusal

pytestmark = pytest.mark.django_db


@pytest.fixture
def refusal(network):
    return Refusal.objects.create(
        channel="web",
        organisation=network.point,
        code="banned_pesticide",
        subject="杏树村3号地块",
        message="克百威为禁用农药。",
    )


def home_count(client, user, kind="refusal"):
    client.force_login(user)
    (section,) = [s for s in client.get("/").context["sections"] if s.key == "regulator"]
    return {t.key: t.count for t in section.todos}[kind]


def step(client, refusal, **post):
    return client.post(f"/follow-ups/finding/?kind=refusal&key={refusal.pk}", post)


def test_a_regulator_acknowledges_notifies_and_closes_a_refusal_from_its_home(
    client, network, refusal
):
    assert home_count(client, network.regulator) == 1
    page = client.get(f"/follow-ups/finding/?kind=refusal&key={refusal.pk}")
    assert page.status_code == 200 and "杏树村3号地块" in page.content.decode()

    assert step(client, refusal, step="acknowledge").status_code == 302
    assert step(client, refusal, step="notify", message="请说明农药来源。").status_code == 302
    follow_up = FollowUp.objects.get()
    assert (follow_up.status, follow_up.organisation) == ("notified", network.point)

    # The point reads the notice on its home and marks it read.
    client.force_login(network.point_operator)
    assert [n.message for n in client.get("/").context["notices"]] == ["请说明农药来源。"]
    assert client.post(f"/follow-ups/{follow_up.pk}/read/").status_code == 302
    assert client.get("/").context["notices"] == []

    client.force_login(network.regulator)
    assert step(client, refusal, step="close", note="已核实，农药已封存。").status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.note) == ("closed", "已核实，农药已封存。")
    assert follow_up.read_at is not None
    assert home_count(client, network.regulator) == 0
    actions = list(
        AuditEntry.objects.filter(target_type="core.followup")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["followup.create"] + ["followup.update"] * 4


def test_closing_needs_a_note_and_a_finding_is_never_stepped_back(client, network, refusal):
    client.force_login(network.regulator)
    response = step(client, refusal, step="close", note="  ")
    assert response.status_code == 400 and not FollowUp.objects.exists()

    regulator = Actor(network.regulator, "web")
    followups.notify(actor=regulator, kind="refusal", key=str(refusal.pk), message="请整改。")
    before = list(FollowUp.objects.values())
    with pytest.raises(Conflict):
        followups.acknowledge(actor=regulator, kind="refusal", key=str(refusal.pk))
    assert list(FollowUp.objects.values()) == before


def test_only_regulators_follow_up_and_only_what_exists(network, refusal, client):
    audited = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        followups.acknowledge(
            actor=Actor(network.point_operator, "web"), kind="refusal", key=str(refusal.pk)
        )
    with pytest.raises(NotFound):
        followups.acknowledge(actor=Actor(network.regulator, "web"), kind="refusal", key="999")
    with pytest.raises(DomainError):
        followups.acknowledge(actor=Actor(network.regulator, "web"), kind="nonsense", key="1")
    assert not FollowUp.objects.exists() and AuditEntry.objects.count() == audited
    client.force_login(network.point_operator)
    assert client.get(f"/follow-ups/finding/?kind=refusal&key={refusal.pk}").status_code == 403


def test_a_notice_is_read_only_by_the_organisation_it_was_sent_to(network, refusal, client):
    regulator = Actor(network.regulator, "web")
    sent = followups.notify(
        actor=regulator, kind="refusal", key=str(refusal.pk), message="请整改。"
    )
    client.force_login(network.other_operator)
    assert client.post(f"/follow-ups/{sent.pk}/read/").status_code == 404
    with pytest.raises(PermissionDenied):
        followups.mark_read(actor=regulator, follow_up=sent)
    sent.refresh_from_db()
    assert sent.read_at is None


def test_the_home_date_filter_counts_refusals_of_those_days_and_links_the_same_days(
    client, network, refusal
):
    client.force_login(network.regulator)
    day = timezone.localdate(refusal.at).isoformat()
    response = client.get("/", {"date_from": "2000-01-01", "date_to": "2000-01-31"})
    (section,) = [s for s in response.context["sections"] if s.key == "regulator"]
    assert {t.key: t.count for t in section.todos}["refusal"] == 0
    response = client.get("/", {"date_from": day, "date_to": day})
    (section,) = [s for s in response.context["sections"] if s.key == "regulator"]
    todo = next(t for t in section.todos if t.key == "refusal")
    assert todo.count == 1 and f"date_from={day}" in todo.url
    assert list(client.get(todo.url).context["refusals"]) == [refusal]


def test_a_flagged_dispatch_offers_its_follow_up_to_regulators_only(client, network):
    from decimal import Decimal

    from daodi.farm.tests.world import SYSTEM, Fields
    from daodi.sourcing import actions

    fields = Fields(network)
    bought = actions.record_purchase(
        actor=SYSTEM, point=network.point, client_key="f", seller=network.household,
        herb=fields.herb, grade=fields.grade, gross_kg=Decimal("100"), price=Decimal("10"),
    )  # fmt: skip
    sent = actions.dispatch(actor=SYSTEM, source=network.point, destination=network.station,
                            lots=[bought.lot])  # fmt: skip
    actions.receive(actor=SYSTEM, dispatch=sent, weights={bought.lot: Decimal("70")})
    page = f"/sourcing/dispatches/{sent.pk}/"

    client.force_login(network.regulator)
    link = f"/follow-ups/finding/?kind=flagged_dispatch&amp;key={sent.pk}"
    assert link in client.get(page).content.decode()
    client.force_login(network.station_admin)
    assert "/follow-ups/finding/" not in client.get(page).content.decode()
