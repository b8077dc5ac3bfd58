"""Lineage backward and forward, the trace API and CLI, and recall."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from daodi.core.actor import Actor
from daodi.core.errors import DomainError, NotFound
from daodi.trace import queries
from daodi.trace.actions import start_recall
from daodi.trace.models import Event, Lot, Recall

from .chain import DL_PALLET, capture_chain, dl_item, dl_lot, lgtin, sgtin

DOWNSTREAM_OF_A = {
    dl_lot("A"),
    dl_lot("C"),
    dl_lot("D"),
    dl_item("S1"),
    dl_item("S2"),
    dl_item("S3"),
    DL_PALLET,
}


def names(graph):
    return {node["identifier"] for node in graph["nodes"]}


@pytest.mark.django_db
def test_backward_trace_of_a_retail_item_reaches_both_harvest_lots():
    capture_chain()
    graph = queries.graph(sgtin("S1"), direction="backward")
    assert names(graph) == {dl_item("S1"), dl_lot("D"), dl_lot("C"), dl_lot("A"), dl_lot("B")}
    assert {(e["from"], e["to"]) for e in graph["edges"]} == {
        (dl_lot("D"), dl_item("S1")),
        (dl_lot("C"), dl_lot("D")),
        (dl_lot("A"), dl_lot("C")),
        (dl_lot("B"), dl_lot("C")),
    }


@pytest.mark.django_db
def test_forward_trace_of_a_harvest_lot_reaches_every_pack_and_the_pallet():
    capture_chain()
    assert names(queries.graph(dl_lot("A"), direction="forward")) == DOWNSTREAM_OF_A


@pytest.mark.django_db
def test_urn_and_digital_link_trace_the_same():
    capture_chain()
    assert queries.graph(lgtin("C")) == queries.graph(dl_lot("C"))


@pytest.mark.django_db
def test_trace_api_hides_other_organisations_quantities(network, api):
    capture_chain(organisation=network.household)
    mine = api.as_user(network.point_operator).get(
        f"/api/trace/{sgtin('S1')}", {"direction": "backward"}
    )
    assert mine.status_code == 200
    node = next(n for n in mine.json()["nodes"] if n["identifier"] == dl_lot("A"))
    assert (node["quantity"], node["unit"], node["holder"]) == ("0.000", "KGM", "王大山")
    other = api.as_user(network.other_operator).get(f"/api/trace/{sgtin('S1')}")
    node = next(n for n in other.json()["nodes"] if n["identifier"] == dl_lot("A"))
    assert node["quantity"] is None and node["holder"] is None and node["status"] == "consumed"


@pytest.mark.django_db
def test_trace_api_rejects_garbage_identifier(network, api):
    response = api.as_user(network.point_operator).get("/api/trace/not-an-epc")
    assert response.status_code == 400 and response.json()["code"] == "bad_identifier"


@pytest.mark.django_db
def test_trace_cli_prints_json_graph():
    capture_chain()
    out = io.StringIO()
    call_command("trace", dl_lot("A"), "--direction", "forward", "--json", stdout=out)
    assert names(json.loads(out.getvalue())) == DOWNSTREAM_OF_A


@pytest.mark.django_db
def test_recall_of_a_harvest_lot_marks_exactly_its_downstream_recalled():
    capture_chain()
    recall = start_recall(actor=Actor.system(), identifier=lgtin("A"), reason="农残超标")
    assert {row["identifier"] for row in recall.rows} == DOWNSTREAM_OF_A
    recalled = set(Lot.objects.filter(status="recalled").values_list("identifier", flat=True))
    assert recalled == DOWNSTREAM_OF_A
    assert Lot.objects.get(identifier=dl_lot("B")).status == "consumed"  # not recalled
    assert Event.objects.filter(disposition="recalled").count() == 1
    assert recall.reference.startswith("RC-")


@pytest.mark.django_db
def test_recall_needs_a_reason_and_a_known_lot():
    capture_chain()
    with pytest.raises(DomainError):
        start_recall(actor=Actor.system(), identifier=lgtin("A"), reason=" ")
    with pytest.raises(NotFound):
        start_recall(actor=Actor.system(), identifier=lgtin("ZZZ"), reason="x")
    assert not Recall.objects.exists()


@pytest.mark.django_db
def test_recall_refused_to_another_organisation(network):
    capture_chain(organisation=network.household)
    with pytest.raises(DomainError):
        start_recall(
            actor=Actor(user=network.other_operator, channel="web"),
            identifier=lgtin("A"),
            reason="x",
        )
    assert not Lot.objects.filter(status="recalled").exists()


@pytest.mark.django_db
def test_recall_cli_writes_chinese_reports_listing_the_holders(tmp_path, settings):
    import subprocess

    import openpyxl

    settings.MEDIA_ROOT = tmp_path / "media"
    capture_chain()
    out = io.StringIO()
    call_command(
        "recall", lgtin("A"), "--reason", "二氧化硫超标", "--out", str(tmp_path), stdout=out
    )
    lines = out.getvalue().splitlines()
    xlsx, pdf = tmp_path / lines[-2].rsplit("/", 1)[-1], tmp_path / lines[-1].rsplit("/", 1)[-1]
    book = openpyxl.load_workbook(xlsx)
    cells = {str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value}
    assert {dl_item("S1"), dl_item("S3"), DL_PALLET} <= cells
    assert dl_lot("B") not in cells
    if shutil_which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "二氧化硫超标" in text


def shutil_which(name):
    import shutil

    return shutil.which(name)


@pytest.mark.django_db
def test_recall_from_the_web_page_and_report_download(client, network, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    capture_chain(organisation=network.household)
    client.force_login(network.point_operator)
    response = client.post("/trace/recalls/new/", {"identifier": dl_lot("A"), "reason": "霉变"})
    recall = Recall.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/trace/recalls/{recall.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert dl_item("S2") in page and "霉变" in page
    pdf = client.get(f"/trace/recalls/{recall.pk}/report.pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    client.force_login(network.other_operator)
    assert client.get(f"/trace/recalls/{recall.pk}/report.pdf").status_code == 404


@pytest.mark.django_db
def test_labels_are_refused_for_a_recalled_lot(client, network, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    capture_chain(organisation=network.household)
    lot = Lot.objects.get(identifier=dl_lot("D"))
    client.force_login(network.point_operator)
    ok = client.get(f"/trace/lots/{lot.pk}/labels/lot.pdf?copies=3")
    assert ok.status_code == 200 and ok.content.startswith(b"%PDF")
    start_recall(actor=Actor.system(), identifier=dl_lot("D"), reason="x")
    refused = client.get(f"/trace/lots/{lot.pk}/labels/lot.pdf")
    assert refused.status_code == 302
    assert Lot.objects.get(pk=lot.pk).status == "recalled"


# --- the recursive walk ------------------------------------------------------------------


@pytest.mark.django_db
def test_both_directions_are_one_query(django_assert_num_queries):
    from daodi.trace import lineage

    capture_chain()
    with django_assert_num_queries(1):
        found = lineage.edges(dl_lot("C"), direction="both")
    assert {(e.source, e.target) for e in found} == {
        (dl_lot("A"), dl_lot("C")),
        (dl_lot("B"), dl_lot("C")),
        (dl_lot("C"), dl_lot("D")),
        (dl_lot("D"), dl_item("S1")),
        (dl_lot("D"), dl_item("S2")),
        (dl_lot("D"), dl_item("S3")),
        (dl_item("S1"), DL_PALLET),
        (dl_item("S2"), DL_PALLET),
    }


@pytest.mark.django_db
def test_walk_ends_on_a_cycle_and_on_many_paths_to_one_lot():
    """Each edge is reached once: a cycle (re-used lot numbers) ends, and a lot reached by
    many paths of different lengths is not walked once per path."""
    from daodi.trace import lineage

    from .chain import CONTEXT, _event

    capture_chain()
    more = [
        # D is reworked back into C: a cycle C -> D -> C.
        _event(
            "TransformationEvent",
            10,
            bizStep="commissioning",
            inputQuantityList=[{"epcClass": lgtin("D"), "quantity": 1, "uom": "KGM"}],
            outputQuantityList=[{"epcClass": lgtin("C"), "quantity": 1, "uom": "KGM"}],
        ),
        # A also goes straight into D: two paths A -> C -> D and A -> D.
        _event(
            "TransformationEvent",
            11,
            bizStep="commissioning",
            inputQuantityList=[{"epcClass": lgtin("A"), "quantity": 1, "uom": "KGM"}],
            outputQuantityList=[{"epcClass": lgtin("D"), "quantity": 1, "uom": "KGM"}],
        ),
    ]
    from daodi.trace.capture import capture_document
    from daodi.trace.models import Capture

    doc = {"@context": CONTEXT, "type": "EPCISDocument", "schemaVersion": "2.0"}
    doc |= {"creationDate": "2026-07-12T00:00:00Z", "epcisBody": {"eventList": more}}
    outcome = capture_document(
        io.BytesIO(json.dumps(doc).encode()), capture=Capture.objects.create()
    )
    assert outcome.errors == []
    backward = {(e.source, e.target) for e in lineage.edges(dl_item("S1"), direction="backward")}
    assert (dl_lot("D"), dl_lot("C")) in backward and (dl_lot("A"), dl_lot("D")) in backward
    assert len(backward) == len(set(backward)) == 6
    assert names(queries.graph(dl_lot("A"), direction="forward")) == DOWNSTREAM_OF_A
