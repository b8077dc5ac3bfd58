"""The EPCIS 2.0 REST interface: capture, single events, errors, limits and named queries."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from conftest import SHARED, shared_path
from daodi.core.models import AuditEntry
from daodi.trace.epcis import profile
from daodi.trace.models import Capture, Event, EventIdentifier, Lot, NamedQuery

CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", profile.CONTEXT]
LOT = "urn:epc:class:lgtin:9521234.000001.LP2026-001"
PROBLEM = "application/problem+json"


def document(*events, context=CONTEXT) -> bytes:
    return json.dumps(
        {
            "@context": context,
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2026-06-01T08:00:00+08:00",
            "epcisBody": {"eventList": list(events)},
        }
    ).encode()


def harvest(lot=LOT, kg=120, when="2026-06-01T07:00:00+08:00", **extra) -> dict:
    return {
        "type": "ObjectEvent",
        "eventTime": when,
        "eventTimeZoneOffset": "+08:00",
        "action": "ADD",
        "bizStep": profile.HARVESTING,
        "disposition": "active",
        "epcList": [],
        "quantityList": [{"epcClass": lot, "quantity": kg, "uom": "KGM"}],
        **extra,
    }


def post_document(api, body: bytes, behaviour: str | None = None, **headers):
    if behaviour:
        headers["HTTP_GS1_CAPTURE_ERROR_BEHAVIOUR"] = behaviour
    return api.post("/epcis/capture", data=body, content_type="application/ld+json", **headers)


def post_event(api, event: dict):
    return api.post("/epcis/events", data=json.dumps(event), content_type="application/ld+json")


def event_ids(response) -> list[str]:
    body = response.json()
    return [e["eventID"] for e in body["epcisBody"]["queryResults"]["resultsBody"]["eventList"]]


@pytest.fixture
def operator(network, api):
    return api.as_user(network.point_operator)


# --- capture ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_capture_answers_202_with_the_job_location_and_records_the_organisation(network, operator):
    response = post_document(operator, document(harvest()))
    assert response.status_code == 202
    job = Capture.objects.get()
    assert response["Location"] == f"/epcis/capture/{job.capture_id}"
    assert response["GS1-EPCIS-Version"] == "2.0.0" and response["GS1-CBV-Version"] == "2.0.0"
    status = operator.get(response["Location"]).json()
    assert status == {
        "captureID": str(job.capture_id),
        "createdAt": status["createdAt"],
        "finishedAt": status["finishedAt"],
        "running": False,
        "success": True,
        "captureErrorBehaviour": "rollback",
        "eventsReceived": 1,
        "eventsStored": 1,
        "errors": [],
    }
    event = Event.objects.get()
    assert (event.organisation, job.organisation, job.user) == (
        network.point,
        network.point,
        network.point_operator,
    )
    audit = AuditEntry.objects.get(action="trace.capture")
    assert (audit.actor, audit.channel, audit.target_id) == (
        network.point_operator,
        "api",
        str(job.pk),
    )


@pytest.mark.django_db
def test_rollback_is_the_default_and_stores_nothing_when_one_event_is_bad(operator):
    bad = harvest(lot=LOT + "B", bizStep="harvest")  # neither a CBV word nor a URI
    response = post_document(operator, document(harvest(), bad))
    assert response.status_code == 202
    job = operator.get(response["Location"]).json()
    assert (job["running"], job["success"], job["captureErrorBehaviour"]) == (
        False,
        False,
        "rollback",
    )
    [error] = job["errors"]
    assert error["type"] == "epcisException:ValidationException"
    assert (error["event"], error["path"]) == (1, "bizStep")
    assert error["detail"].startswith("event 1, bizStep: ")
    assert not Event.objects.exists() and not Lot.objects.exists()


@pytest.mark.django_db
def test_proceed_stores_the_good_events_and_reports_the_bad(operator):
    bad = harvest(lot=LOT + "B", bizStep="harvest")
    response = post_document(operator, document(harvest(), bad), behaviour="proceed")
    assert response.status_code == 202
    job = operator.get(response["Location"]).json()
    assert (job["running"], job["success"], job["captureErrorBehaviour"]) == (
        False,
        False,
        "proceed",
    )
    assert [(e["event"], e["path"]) for e in job["errors"]] == [(1, "bizStep")]
    assert Event.objects.count() == 1 and job["eventsStored"] == 1


@pytest.mark.django_db
def test_an_unknown_error_behaviour_is_refused(operator):
    response = post_document(operator, document(harvest()), behaviour="all")
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert not Capture.objects.exists()


@pytest.mark.django_db
def test_a_document_captured_twice_stores_nothing_new(operator):
    body = document(harvest(), harvest(lot=LOT + "2"))
    assert post_document(operator, body).status_code == 202
    again = post_document(operator, body)
    assert again.status_code == 202
    job = operator.get(again["Location"]).json()
    assert (job["success"], job["eventsReceived"], job["eventsStored"]) == (True, 2, 0)
    assert Event.objects.count() == 2


@pytest.mark.django_db
def test_a_malformed_document_is_a_problem_and_stores_nothing(operator):
    response = post_document(operator, b'{"type": "EPCISDocument", "epcisBody": {"eventList": [{')
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["type"] == "epcisException:ValidationException" and body["status"] == 400
    assert body["instance"] == "/epcis/capture" and "JSON" in body["detail"]
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_a_document_without_context_is_refused_on_receipt(operator):
    raw = json.loads(document(harvest()))
    del raw["@context"]
    response = post_document(operator, json.dumps(raw).encode())
    assert response.status_code == 400
    assert response.json()["detail"] == "@context: " + response.json()["detail"].split(": ", 1)[1]
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_other_content_types_are_refused(operator):
    response = operator.post("/epcis/capture", data=document(harvest()), content_type="text/xml")
    assert response.status_code == 415
    assert response.json()["type"] == "epcisException:UnsupportedMediaTypeException"


@pytest.mark.django_db
def test_unsupported_epcis_version_is_not_acceptable(operator):
    response = post_document(operator, document(harvest()), HTTP_GS1_EPCIS_VERSION="1.2")
    assert response.status_code == 406 and not Event.objects.exists()
    assert (
        post_document(operator, document(harvest()), HTTP_GS1_EPCIS_VERSION="2.0.0").status_code
        == 202
    )


# --- limits -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_capture_limits_are_announced(operator, settings):
    settings.EPCIS_CAPTURE_LIMIT = 500
    settings.EPCIS_CAPTURE_FILE_SIZE_LIMIT = 1024
    for response in (operator.options("/epcis/capture"), operator.get("/epcis/capture")):
        assert response["GS1-EPCIS-Capture-Limit"] == "500"
        assert response["GS1-EPCIS-Capture-File-Size-Limit"] == "1024"
    assert operator.options("/epcis/capture").status_code == 204
    assert operator.options("/epcis/capture")["GS1-Capture-Error-Behaviour"] == "all"


@pytest.mark.django_db
def test_a_body_over_the_file_size_limit_gets_413_and_stores_nothing(operator, settings):
    body = document(harvest(), harvest(lot=LOT + "2"))
    settings.EPCIS_CAPTURE_FILE_SIZE_LIMIT = len(body) - 1
    response = post_document(operator, body)
    assert response.status_code == 413 and response["Content-Type"] == PROBLEM
    assert response.json()["type"] == "epcisException:CaptureLimitExceededException"
    assert response["GS1-EPCIS-Capture-File-Size-Limit"] == str(len(body) - 1)
    assert not Event.objects.exists() and not Capture.objects.exists()
    settings.EPCIS_CAPTURE_FILE_SIZE_LIMIT = len(body)
    assert post_document(operator, body).status_code == 202


@pytest.mark.django_db
@pytest.mark.parametrize("behaviour", ["rollback", "proceed"])
def test_more_events_than_the_capture_limit_get_413_and_store_nothing(
    operator, settings, behaviour
):
    settings.EPCIS_CAPTURE_LIMIT = 2
    body = document(harvest(), harvest(lot=LOT + "2"), harvest(lot=LOT + "3"))
    response = post_document(operator, body, behaviour=behaviour)
    assert response.status_code == 413
    assert response.json()["type"] == "epcisException:CaptureLimitExceededException"
    assert response["GS1-EPCIS-Capture-Limit"] == "2"
    assert not Event.objects.exists() and not Lot.objects.exists()


@pytest.mark.django_db
def test_a_single_event_over_the_file_size_limit_gets_413(operator, settings):
    settings.EPCIS_CAPTURE_FILE_SIZE_LIMIT = 100
    response = post_event(operator, harvest())
    assert response.status_code == 413 and not Event.objects.exists()


# --- who may capture and see --------------------------------------------------------------


@pytest.mark.django_db
def test_capture_needs_a_token_and_a_write_role(network, api):
    assert post_document(api, document(harvest())).status_code == 401
    api.as_user(network.point_viewer)
    response = post_document(api, document(harvest()))
    assert response.status_code == 403
    assert response.json()["type"] == "epcisException:SecurityException"
    assert not Capture.objects.exists()


@pytest.mark.django_db
def test_capture_jobs_are_seen_by_their_organisation_only(network, api, operator):
    location = post_document(operator, document(harvest()))["Location"]
    assert api.as_user(network.other_operator).get(location).status_code == 404
    assert api.get("/epcis/capture").json() == []
    assert api.as_user(network.station_admin).get(location).status_code == 200
    jobs = api.get("/epcis/capture").json()
    assert [j["captureID"] for j in jobs] == [location.rsplit("/", 1)[1]]


@pytest.mark.django_db
def test_an_unknown_capture_job_is_a_404_problem(operator):
    for path in ("/epcis/capture/4a1a2b3c-0000-4000-8000-000000000000", "/epcis/capture/x"):
        response = operator.get(path)
        assert response.status_code == 404
        assert response.json()["type"] == "epcisException:NoSuchResourceException"


# --- single events ------------------------------------------------------------------------


@pytest.mark.django_db
def test_post_event_answers_201_then_409_for_the_same_event(operator):
    event = {"@context": CONTEXT, **harvest()}
    first = post_event(operator, event)
    assert first.status_code == 201
    stored = Event.objects.get()
    assert first["Location"] == "/epcis/events/" + quote(stored.event_id, safe="")
    assert first.json()["eventID"] == stored.event_id == stored.event_hash
    again = post_event(operator, event)
    assert again.status_code == 409 and again["Content-Type"] == PROBLEM
    assert again.json()["type"] == "epcisException:ResourceAlreadyExistsException"
    assert stored.event_id in again.json()["detail"]
    assert Event.objects.count() == 1


@pytest.mark.django_db
def test_get_event_by_id_follows_the_location(operator):
    location = post_event(
        operator, harvest(eventID="urn:uuid:2f0d7c38-6e1a-4b55-9d0e-2d1c1c1e0001")
    )["Location"]
    response = operator.get(location)
    assert response.status_code == 200 and response["Content-Type"] == "application/ld+json"
    assert event_ids(response) == ["urn:uuid:2f0d7c38-6e1a-4b55-9d0e-2d1c1c1e0001"]
    hashed = post_event(operator, harvest(lot=LOT + "9"))["Location"]
    assert event_ids(operator.get(hashed)) == [Event.objects.latest("id").event_id]
    assert operator.get("/epcis/events/urn%3Auuid%3Anothing").status_code == 404


@pytest.mark.django_db
def test_an_invalid_event_is_an_rfc7807_problem_naming_event_and_field(operator):
    response = post_event(operator, harvest(bizStep="harvest"))
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["type"] == "epcisException:ValidationException"
    assert body["status"] == 400 and body["title"] and body["instance"] == "/epcis/events"
    assert body["detail"].startswith("event 0, bizStep: ")
    assert [(e["event"], e["path"]) for e in body["errors"]] == [(0, "bizStep")]
    assert not Event.objects.exists() and not EventIdentifier.objects.exists()
    assert not Lot.objects.exists()


@pytest.mark.django_db
def test_a_bad_check_digit_is_named_with_its_field(operator):
    event = harvest()
    event["quantityList"][0]["epcClass"] = "https://id.gs1.org/01/09521234000014/10/L1"
    body = post_event(operator, event).json()
    assert body["detail"].startswith("event 0, quantityList[0].epcClass: ")
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_a_document_posted_as_an_event_is_refused(operator):
    response = operator.post(
        "/epcis/events", data=document(harvest()), content_type="application/json"
    )
    assert response.status_code == 400 and not Event.objects.exists()
    assert post_event(operator, ["not", "an", "event"]).status_code == 400


# --- discovery, named queries ---------------------------------------------------------------


@pytest.mark.django_db
def test_event_types_and_top_level_resources(operator):
    body = operator.get("/epcis/eventTypes").json()
    assert body["type"] == "Collection"
    assert body["member"] == [
        "AggregationEvent",
        "AssociationEvent",
        "ObjectEvent",
        "TransactionEvent",
        "TransformationEvent",
    ]
    assert "events" in operator.get("/epcis/").json()["member"]


@pytest.mark.django_db
def test_events_of_one_event_type(operator):
    post_document(operator, document(harvest()))
    assert len(event_ids(operator.get("/epcis/eventTypes/ObjectEvent/events"))) == 1
    assert event_ids(operator.get("/epcis/eventTypes/AggregationEvent/events")) == []


@pytest.mark.django_db
def test_events_of_an_epc_by_urn_or_digital_link(operator):
    post_document(operator, document(harvest(), harvest(lot=LOT + "X")))
    wanted = Event.objects.order_by("id").first().event_id
    for epc in (LOT, "https://id.gs1.org/01/09521234000013/10/LP2026-001"):
        response = operator.get(f"/epcis/epcs/{quote(epc, safe='')}/events")
        assert event_ids(response) == [wanted]


@pytest.mark.django_db
def test_named_query_is_created_listed_and_run(network, api, operator):
    post_document(operator, document(harvest(), harvest(lot=LOT + "2", bizStep="receiving")))
    definition = {"name": "harvests", "query": {"EQ_bizStep": ["daodi:BizStep-harvesting"]}}
    created = operator.post("/epcis/queries", data=definition, format="json")
    assert created.status_code == 201 and created["Location"] == "/epcis/queries/harvests"
    assert operator.get("/epcis/queries").json() == [definition]
    assert operator.get("/epcis/queries/harvests").json() == definition
    run = operator.get("/epcis/queries/harvests/events")
    assert event_ids(run) == [Event.objects.get(biz_step=profile.HARVESTING).event_id]
    assert run.json()["epcisBody"]["queryResults"]["queryName"] == "harvests"
    # The same named query shows another organisation nothing of ours.
    assert (
        event_ids(api.as_user(network.other_operator).get("/epcis/queries/harvests/events")) == []
    )
    assert operator.post("/epcis/queries", data=definition, format="json").status_code == 409
    assert AuditEntry.objects.filter(action="trace.create_named_query").count() == 1


@pytest.mark.django_db
def test_named_query_with_an_unknown_parameter_is_refused(operator):
    definition = {"name": "bad", "query": {"EQ_colour": ["red"]}}
    response = operator.post("/epcis/queries", data=definition, format="json")
    assert response.status_code == 400
    assert response.json()["type"] == "epcisException:QueryParameterException"
    assert not NamedQuery.objects.exists()


@pytest.mark.django_db
def test_named_query_can_be_deleted_by_its_owner_only(network, api, operator):
    operator.post("/epcis/queries", data={"name": "q1", "query": {}}, format="json")
    other = api.__class__().as_user(network.other_operator)
    assert other.delete("/epcis/queries/q1").status_code == 403
    assert operator.delete("/epcis/queries/q1").status_code == 204
    response = operator.get("/epcis/queries/q1/events")
    assert response.status_code == 404
    assert response.json()["type"] == "epcisException:NoSuchNameException"


@pytest.mark.django_db
def test_epcis_paths_stay_out_of_the_api_schema(operator):
    schema = operator.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert schema["paths"] and not [p for p in schema["paths"] if p.startswith("/epcis")]


# --- every standard example ---------------------------------------------------------------


def example_files():
    root = SHARED / "epcis" / "examples"
    return sorted(root.rglob("*.jsonld")) if root.exists() else []


@pytest.mark.django_db
@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_every_standard_example_is_captured_through_the_interface(operator, path):
    response = post_document(operator, path.read_bytes())
    assert response.status_code == 202
    job = operator.get(response["Location"]).json()
    assert (job["running"], job["success"], job["errors"]) == (False, True, [])
    assert Event.objects.count() == job["eventsReceived"] > 0


def test_examples_are_present_or_skipped():
    shared_path("epcis", "examples")


# --- the profile's documented example -------------------------------------------------------

PROFILE_DOC = Path(__file__).resolve().parents[3] / "docs" / "epcis-profile.md"


def profile_example() -> bytes:
    text = PROFILE_DOC.read_text(encoding="utf-8")
    block = text.split("<!-- example: herb-chain -->", 1)[1]
    return block.split("```json", 1)[1].split("```", 1)[0].encode()


@pytest.mark.django_db
def test_the_documented_herb_chain_is_captured_and_answers_the_documented_queries(operator):
    response = post_document(operator, profile_example())
    job = operator.get(response["Location"]).json()
    assert (job["success"], job["eventsStored"]) == (True, 4), job
    steps = {e.event_type: e.biz_step for e in Event.objects.order_by("id")}
    assert steps == {
        "ObjectEvent": "receiving",
        "AggregationEvent": "packing",
        "TransformationEvent": profile.DRYING,
    }
    fresh = "urn:epc:class:lgtin:9521234.000001.H20260920-0101"
    assert len(event_ids(operator.get("/epcis/events", {"MATCH_anyEPCClass": fresh}))) == 4
    dryings = {
        "EQ_bizStep": profile.DRYING,
        "EQ_bizLocation": "urn:epc:id:sgln:9521234.00004.0",
        "GE_eventTime": "2026-09-01T00:00:00+08:00",
    }
    assert len(event_ids(operator.get("/epcis/events", dryings))) == 1
    assert len(event_ids(operator.get("/epcis/events", {"EQ_ILMD_daodi:herbAge": "3"}))) == 1
    bag = "/epcis/epcs/https%3A%2F%2Fid.gs1.org%2F00%2F095212340000000013/events"
    assert len(event_ids(operator.get(bag))) == 1
