"""GET /epcis/events: each query parameter, on events built so that it changes the answer.

The story (one herb lot, LOT): harvested on a plot, bought at a village point, packed at a
station into a case on a pallet, dried into a new lot, the case shipped — and the shipping
event later declared wrong. Harvest and purchase are captured first, the rest later, so the
record times differ too. Every assertion names the exact events returned, by a label.
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from daodi.trace.epcis import identifiers, profile
from daodi.trace.tests.test_epcis_rest import CONTEXT, document, post_document

LOT = "urn:epc:class:lgtin:9521234.000001.LP2026-001"
LOT_DL = "https://id.gs1.org/01/09521234000013/10/LP2026-001"
DRIED = "urn:epc:class:lgtin:9521234.000002.DRY-001"
OTHER_LOT = "urn:epc:class:lgtin:9521234.000003.SEED-01"
CASE = "urn:epc:id:sgtin:9521234.000001.C1"
TRAY_IN = "urn:epc:id:sgtin:9521234.000004.T1"
TRAY_OUT = "urn:epc:id:sgtin:9521234.000004.T2"
PALLET = "urn:epc:id:sscc:9521234.0000000001"
PLOT = "urn:epc:id:sgln:9521234.00001.0"
POINT = "urn:epc:id:sgln:9521234.00002.0"
STATION = "urn:epc:id:sgln:9521234.00003.0"


def eid(label: str) -> str:
    return f"urn:uuid:5b0e1c2a-7d3f-4e8a-9c1b-{label.ljust(12, '0')}"


def base(label, kind, when, **fields):
    return {
        "type": kind,
        "eventID": eid(label),
        "eventTime": f"2026-06-0{when}T07:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        **fields,
    }


HARVEST = base(
    "a1",
    "ObjectEvent",
    1,
    action="ADD",
    bizStep=profile.HARVESTING,
    disposition="active",
    epcList=[],
    quantityList=[{"epcClass": LOT, "quantity": 120, "uom": "KGM"}],
    readPoint={"id": PLOT},
    bizLocation={"id": PLOT},
    ilmd={"daodi:plot": PLOT, "daodi:herbAge": 3, "daodi:harvestDate": "2026-06-01"},
)
PURCHASE = base(
    "b2",
    "ObjectEvent",
    2,
    action="OBSERVE",
    bizStep="receiving",
    disposition="in_progress",
    quantityList=[{"epcClass": LOT, "quantity": 120, "uom": "KGM"}],
    readPoint={"id": POINT},
    bizLocation={"id": POINT},
)
PACKING = base(
    "c3",
    "AggregationEvent",
    3,
    action="ADD",
    bizStep="packing",
    parentID=PALLET,
    childEPCs=[CASE],
    childQuantityList=[{"epcClass": LOT, "quantity": 20, "uom": "KGM"}],
    bizLocation={"id": STATION},
)
DRYING = base(
    "d4",
    "TransformationEvent",
    4,
    bizStep=profile.DRYING,
    inputEPCList=[TRAY_IN],
    outputEPCList=[TRAY_OUT],
    inputQuantityList=[{"epcClass": LOT, "quantity": 100, "uom": "KGM"}],
    outputQuantityList=[{"epcClass": DRIED, "quantity": 35, "uom": "KGM"}],
    ilmd={"daodi:moisture": 12, "daodi:herbAge": 3},
    bizLocation={"id": STATION},
)
SHIPPING = base(
    "e5",
    "ObjectEvent",
    5,
    action="OBSERVE",
    bizStep="shipping",
    disposition="in_transit",
    epcList=[CASE],
    bizLocation={"id": STATION},
    **{"daodi:vehicle": "晋A12345"},
)
DECLARATION = {
    **SHIPPING,
    "errorDeclaration": {
        "declarationTime": "2026-06-06T08:00:00+08:00",
        "reason": "incorrect_data",
    },
}
SEEDS = {  # another organisation's event: never in the answers of the point's users
    **base("f6", "ObjectEvent", 1, action="ADD", bizStep="commissioning"),
    "quantityList": [{"epcClass": OTHER_LOT, "quantity": 5, "uom": "KGM"}],
}


class Story:
    def __init__(self, api, network):
        self.api = api.as_user(network.point_operator)
        assert post_document(self.api, document(HARVEST, PURCHASE)).status_code == 202
        time.sleep(0.01)
        self.between = timezone.now()
        time.sleep(0.01)
        later = document(PACKING, DRYING, SHIPPING, DECLARATION)
        job = self.api.get(post_document(self.api, later)["Location"]).json()
        assert job["eventsStored"] == 4, job
        other = api.__class__().as_user(network.other_operator)
        assert post_document(other, document(SEEDS)).status_code == 202

    def labels(self, **params) -> list[str]:
        response = self.api.get("/epcis/events?" + urlencode(params))
        assert response.status_code == 200, response.content
        events = response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        return [
            e["eventID"][-12:].rstrip("0") + ("!" if "errorDeclaration" in e else "")
            for e in events
        ]

    def found(self, **params) -> set[str]:
        return set(self.labels(**params))


ALL = {"a1", "b2", "c3", "d4", "e5", "e5!"}


@pytest.fixture
def story(network, api):
    return Story(api, network)


@pytest.mark.django_db
def test_without_parameters_all_visible_events_in_capture_order(story):
    assert story.labels() == ["a1", "b2", "c3", "d4", "e5", "e5!"]


@pytest.mark.django_db
def test_event_type(story):
    assert story.found(eventType="AggregationEvent|TransformationEvent") == {"c3", "d4"}
    assert story.found(eventType="AssociationEvent") == set()


@pytest.mark.django_db
def test_event_time_bounds(story):
    assert story.found(GE_eventTime="2026-06-03T07:00:00+08:00") == {"c3", "d4", "e5", "e5!"}
    assert story.found(LT_eventTime="2026-06-02T23:00:00Z") == {"a1", "b2"}  # a UTC bound
    assert story.found(
        GE_eventTime="2026-06-02T07:00:00+08:00", LT_eventTime="2026-06-03T07:00:00+08:00"
    ) == {"b2"}


@pytest.mark.django_db
def test_record_time_bounds(story):
    moment = story.between.isoformat()
    assert story.found(GE_recordTime=moment) == {"c3", "d4", "e5", "e5!"}
    assert story.found(LT_recordTime=moment) == {"a1", "b2"}


@pytest.mark.django_db
def test_an_unencoded_plus_in_a_time_is_read_as_the_offset(story):
    response = story.api.get("/epcis/events?GE_eventTime=2026-06-05T07:00:00+08:00")
    assert (
        response.status_code == 200
        and len(response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == 2
    )


@pytest.mark.django_db
def test_action(story):
    assert story.found(EQ_action="OBSERVE") == {"b2", "e5", "e5!"}
    assert story.found(EQ_action="ADD|DELETE") == {"a1", "c3"}


@pytest.mark.django_db
def test_biz_step_as_word_uri_urn_or_curie(story):
    assert story.found(EQ_bizStep="shipping") == {"e5", "e5!"}
    assert story.found(EQ_bizStep="https://ref.gs1.org/cbv/BizStep-receiving") == {"b2"}
    assert story.found(EQ_bizStep="urn:epcglobal:cbv:bizstep:packing") == {"c3"}
    assert story.found(EQ_bizStep="daodi:BizStep-drying|" + profile.HARVESTING) == {"a1", "d4"}


@pytest.mark.django_db
def test_disposition(story):
    assert story.found(EQ_disposition="in_transit") == {"e5", "e5!"}
    assert story.found(EQ_disposition="urn:epcglobal:cbv:disp:active|in_progress") == {"a1", "b2"}


@pytest.mark.django_db
def test_read_point_as_urn_or_digital_link(story):
    assert story.found(EQ_readPoint=POINT) == {"b2"}
    assert story.found(EQ_readPoint=identifiers.canonical(PLOT)) == {"a1"}


@pytest.mark.django_db
def test_biz_location(story):
    assert story.found(EQ_bizLocation=STATION) == {"c3", "d4", "e5", "e5!"}
    assert story.found(EQ_bizLocation=f"{PLOT}|{identifiers.canonical(POINT)}") == {"a1", "b2"}


@pytest.mark.django_db
def test_match_epc_covers_epc_list_and_child_epcs(story):
    assert story.found(MATCH_epc=CASE) == {"c3", "e5", "e5!"}
    assert story.found(MATCH_epc="https://id.gs1.org/01/09521234000013/21/C1") == {
        "c3",
        "e5",
        "e5!",
    }
    assert story.found(MATCH_epc=PALLET) == set()  # a parent is not an epc
    assert story.found(MATCH_epc="urn:epc:idpat:sgtin:9521234.000001.*") == {"c3", "e5", "e5!"}


@pytest.mark.django_db
def test_match_parent_id(story):
    assert story.found(MATCH_parentID=PALLET) == {"c3"}
    assert story.found(MATCH_parentID=CASE) == set()


@pytest.mark.django_db
def test_match_input_and_output_epc(story):
    assert story.found(MATCH_inputEPC=TRAY_IN) == {"d4"}
    assert story.found(MATCH_inputEPC=TRAY_OUT) == set()
    assert story.found(MATCH_outputEPC=TRAY_OUT) == {"d4"}
    assert story.found(MATCH_outputEPC=TRAY_IN) == set()


@pytest.mark.django_db
def test_match_any_epc(story):
    assert story.found(MATCH_anyEPC=f"{PALLET}|{TRAY_OUT}") == {"c3", "d4"}
    assert story.found(MATCH_anyEPC=CASE) == {"c3", "e5", "e5!"}


@pytest.mark.django_db
def test_match_epc_class_covers_quantity_and_child_quantity_lists(story):
    assert story.found(MATCH_epcClass=LOT) == {"a1", "b2", "c3"}
    assert story.found(MATCH_epcClass=LOT_DL) == {"a1", "b2", "c3"}
    assert story.found(MATCH_epcClass=DRIED) == set()  # an output class only


@pytest.mark.django_db
def test_match_any_epc_class_adds_inputs_and_outputs(story):
    assert story.found(MATCH_anyEPCClass=LOT) == {"a1", "b2", "c3", "d4"}
    assert story.found(MATCH_anyEPCClass=DRIED) == {"d4"}
    assert story.found(MATCH_anyEPCClass="urn:epc:idpat:sgtin:9521234.000002.*") == {"d4"}


@pytest.mark.django_db
def test_event_id(story):
    assert story.found(EQ_eventID=f"{eid('a1')}|{eid('d4')}") == {"a1", "d4"}
    assert story.found(EQ_eventID=eid("e5")) == {"e5", "e5!"}  # with its error declaration


@pytest.mark.django_db
def test_exists_error_declaration(story):
    assert story.found(EXISTS_errorDeclaration="") == {"e5!"}
    assert story.found(EXISTS_errorDeclaration="true") == {"e5!"}
    assert story.found(EXISTS_errorDeclaration="false") == ALL


@pytest.mark.django_db
def test_eq_ilmd_field_by_prefix_or_full_uri(story):
    assert story.found(**{"EQ_ILMD_daodi:herbAge": "3"}) == {"a1", "d4"}
    assert story.found(**{"EQ_ILMD_daodi:moisture": "12|13"}) == {"d4"}
    assert story.found(**{f"EQ_ILMD_{profile.NAMESPACE}harvestDate": "2026-06-01"}) == {"a1"}
    assert story.found(**{"EQ_ILMD_daodi:plot": PLOT}) == {"a1"}
    assert story.found(**{"EQ_ILMD_daodi:herbAge": "4"}) == set()


@pytest.mark.django_db
def test_eq_ilmd_matches_the_field_however_its_namespace_is_written(story):
    full_uri = base("g7", "ObjectEvent", 7, action="ADD", bizStep="commissioning")
    full_uri |= {
        "quantityList": [{"epcClass": LOT + "2", "quantity": 1, "uom": "KGM"}],
        "ilmd": {profile.NAMESPACE + "herbAge": 3},
    }
    own_prefix = base("h8", "ObjectEvent", 8, action="ADD", bizStep="commissioning")
    own_prefix |= {
        "quantityList": [{"epcClass": LOT + "3", "quantity": 1, "uom": "KGM"}],
        "ilmd": {"herb:herbAge": 3},
    }
    assert post_document(story.api, document(full_uri)).status_code == 202
    herb_context = [CONTEXT[0], {"herb": profile.NAMESPACE}]
    assert post_document(story.api, document(own_prefix, context=herb_context)).status_code == 202
    assert story.found(**{"EQ_ILMD_daodi:herbAge": "3"}) == {"a1", "d4", "g7"}
    # A query that declares the sender's prefix in its @context finds that spelling too.
    definition = {
        "name": "three-year-old",
        "query": {"@context": herb_context, "EQ_ILMD_herb:herbAge": [3]},
    }
    assert story.api.post("/epcis/queries", data=definition, format="json").status_code == 201
    response = story.api.get("/epcis/queries/three-year-old/events")
    events = response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert {e["eventID"] for e in events} == {eid("a1"), eid("d4"), eid("g7"), eid("h8")}


@pytest.mark.django_db
def test_eq_extension_field_at_the_top_of_the_event(story):
    assert story.found(**{"EQ_daodi:vehicle": "晋A12345"}) == {"e5", "e5!"}
    assert story.found(**{f"EQ_{profile.NAMESPACE}vehicle": "晋A12345"}) == {"e5", "e5!"}
    assert story.found(**{"EQ_daodi:herbAge": "3"}) == set()  # that one lives in ilmd


@pytest.mark.django_db
def test_order_by_event_time_and_direction(story):
    assert story.labels(orderBy="eventTime", orderDirection="ASC") == [
        "a1",
        "b2",
        "c3",
        "d4",
        "e5",
        "e5!",
    ]
    assert story.labels(orderBy="eventTime", orderDirection="DESC") == [
        "e5!",
        "e5",
        "d4",
        "c3",
        "b2",
        "a1",
    ]
    assert story.labels(orderBy="eventTime") == [
        "e5!",
        "e5",
        "d4",
        "c3",
        "b2",
        "a1",
    ]  # DESC by default


@pytest.mark.django_db
def test_order_by_record_time(story):
    assert story.labels(orderBy="recordTime", orderDirection="ASC")[:2] == ["a1", "b2"]
    assert set(story.labels(orderBy="recordTime", orderDirection="DESC")[:4]) == {
        "c3",
        "d4",
        "e5",
        "e5!",
    }


@pytest.mark.django_db
def test_event_count_limit_takes_the_first_events_in_order(story):
    assert story.labels(orderBy="eventTime", orderDirection="ASC", eventCountLimit="3") == [
        "a1",
        "b2",
        "c3",
    ]
    assert story.labels(orderBy="eventTime", eventCountLimit="1") == ["e5!"]


@pytest.mark.django_db
def test_event_count_limit_holds_across_pages(story):
    params = {
        "orderBy": "eventTime",
        "orderDirection": "ASC",
        "eventCountLimit": "5",
        "perPage": "2",
    }
    response = story.api.get("/epcis/events?" + urlencode(params))
    seen = []
    while True:
        seen += [
            e["eventID"][-12:].rstrip("0")
            for e in response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        ]
        if "Link" not in response:
            break
        response = story.api.get(response["Link"].split(">")[0][1:])
    assert seen == ["a1", "b2", "c3", "d4", "e5"]


@pytest.mark.django_db
def test_max_event_count_refuses_a_larger_result(story):
    response = story.api.get("/epcis/events?maxEventCount=2")
    assert response.status_code == 413
    assert response.json()["type"] == "epcisException:QueryTooLargeException"
    assert story.found(maxEventCount="2", eventType="AggregationEvent") == {"c3"}


@pytest.mark.django_db
def test_parameters_combine_with_and(story):
    assert story.found(EQ_action="OBSERVE", EQ_bizLocation=STATION, EXISTS_errorDeclaration="") == {
        "e5!"
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"EQ_colour": "red"},
        {"MATCH_everything": CASE},
        {"eventtype": "ObjectEvent"},
        {"EQ_action": "JUMP"},
        {"GE_eventTime": "yesterday"},
        {"GE_eventTime": "2026-06-01T07:00:00"},  # no time zone
        {"orderBy": "bizStep"},
        {"orderDirection": "UP", "orderBy": "eventTime"},
        {"eventCountLimit": "2"},  # needs orderBy
        {"eventCountLimit": "0", "orderBy": "eventTime"},
        {"EQ_bizStep": "harvest"},  # neither a CBV word nor a URI
        {"perPage": "-1"},
        {"nextPageToken": "forged"},
        {"EQ_ILMD_herbAge": "3"},  # no namespace
    ],
)
def test_a_bad_parameter_is_a_query_parameter_exception(story, params):
    response = story.api.get("/epcis/events?" + urlencode(params))
    assert response.status_code == 400, params
    body = response.json()
    assert body["type"] == "epcisException:QueryParameterException"
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
def test_each_organisation_sees_its_own_and_managed_events_and_regulators_all(story, network, api):
    assert story.found() == ALL
    other = api.__class__().as_user(network.other_operator)
    assert [
        e["eventID"]
        for e in other.get("/epcis/events").json()["epcisBody"]["queryResults"]["resultsBody"][
            "eventList"
        ]
    ] == [eid("f6")]
    for who in (network.point_viewer,):
        client = api.__class__().as_user(who)
        assert (
            len(
                client.get("/epcis/events").json()["epcisBody"]["queryResults"]["resultsBody"][
                    "eventList"
                ]
            )
            == 6
        )
    for who in (network.station_admin, network.regulator, network.admin):
        client = api.__class__().as_user(who)
        assert (
            len(
                client.get("/epcis/events").json()["epcisBody"]["queryResults"]["resultsBody"][
                    "eventList"
                ]
            )
            == 7
        )


@pytest.mark.django_db
def test_the_answer_is_an_epcis_query_document_that_can_be_captured_again(story, network, api):
    response = story.api.get("/epcis/events?eventType=ObjectEvent")
    assert response["Content-Type"] == "application/ld+json"
    assert response["GS1-EPCIS-Version"] == "2.0.0" and response["GS1-CBV-Version"] == "2.0.0"
    body = response.json()
    assert body["type"] == "EPCISQueryDocument" and body["schemaVersion"] == "2.0"
    assert body["@context"][1] == {"daodi": profile.NAMESPACE}
    admin = api.__class__().as_user(network.admin)
    again = admin.post("/epcis/capture", data=json.dumps(body), content_type="application/ld+json")
    job = admin.get(again["Location"]).json()
    assert (job["success"], job["eventsReceived"], job["eventsStored"]) == (True, 4, 0)
