"""The trace commands: ``daodi epcis-hash`` and ``daodi capture``."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from conftest import SHARED, shared_path
from daodi.core.models import AuditEntry
from daodi.trace.models import Capture, Event
from daodi.trace.tests.test_epcis_rest import document, harvest

VECTORS = SHARED / "epcis" / "hash-vectors"
NAMES = sorted(p.stem for p in VECTORS.glob("*.jsonld") if p.with_suffix(".hashes").exists()) or [
    "(../shared absent)"
]


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")  # the commands speak the LANGUAGE of the shell


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("name", NAMES)
def test_epcis_hash_prints_every_vector_hash_in_document_order(name):
    path = shared_path("epcis", "hash-vectors", f"{name}.jsonld")
    expected = shared_path("epcis", "hash-vectors", f"{name}.hashes").read_text().split()
    out, _ = run("epcis-hash", str(path))
    assert out.splitlines() == expected


def test_epcis_hash_runs_as_the_daodi_command():
    path = shared_path("epcis", "hash-vectors", "TimeStampRoundOff.jsonld")
    daodi = Path(sys.executable).with_name("daodi")
    result = subprocess.run(
        [str(daodi), "epcis-hash", str(path)], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == path.with_suffix(".hashes").read_text().split()


def test_epcis_hash_of_a_missing_or_broken_file_fails(tmp_path):
    with pytest.raises(CommandError):
        run("epcis-hash", str(tmp_path / "absent.jsonld"))
    broken = tmp_path / "broken.jsonld"
    broken.write_text('{"epcisBody": {"eventList": [{')
    with pytest.raises(CommandError):
        run("epcis-hash", str(broken))


@pytest.fixture
def herb_file(tmp_path) -> Path:
    path = tmp_path / "harvest.jsonld"
    path.write_bytes(document(harvest(), harvest(lot="urn:epc:class:lgtin:9521234.000001.L2")))
    return path


@pytest.mark.django_db
def test_capture_stores_a_file_and_a_second_run_stores_nothing_new(herb_file):
    out, _ = run("capture", str(herb_file))
    assert f"{herb_file}: 2 events, 2 stored, 0 duplicates, 0 errors" in out
    assert Event.objects.count() == 2
    out, _ = run("capture", str(herb_file))
    assert f"{herb_file}: 2 events, 0 stored, 2 duplicates, 0 errors" in out
    assert Event.objects.count() == 2 and Capture.objects.count() == 2
    audit = AuditEntry.objects.filter(action="trace.capture")
    assert [(a.channel, a.actor) for a in audit] == [("cli", None), ("cli", None)]


@pytest.mark.django_db
def test_capture_as_a_user_records_their_organisation(network, herb_file):
    run("capture", str(herb_file), "--user", network.point_operator.username)
    assert {e.organisation for e in Event.objects.all()} == {network.point}


@pytest.mark.django_db
def test_capture_refuses_a_user_without_a_write_role(network, herb_file):
    with pytest.raises(CommandError):
        run("capture", str(herb_file), "--user", network.point_viewer.username)
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_capture_of_a_bad_document_names_the_error_stores_nothing_and_fails(tmp_path):
    path = tmp_path / "bad.jsonld"
    path.write_bytes(document(harvest(), harvest(bizStep="harvest")))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("capture", str(path), stdout=out, stderr=err)
    assert f"{path}: event 1, bizStep: " in err.getvalue()
    assert not Event.objects.exists()
    with pytest.raises(CommandError):
        call_command("capture", str(path), "--proceed", stdout=out, stderr=err)
    assert Event.objects.count() == 1  # the good event, with the bad one still reported


@pytest.mark.django_db
def test_capture_of_several_files_with_one_missing_stores_nothing(herb_file, tmp_path):
    with pytest.raises(CommandError):
        run("capture", str(herb_file), str(tmp_path / "absent.jsonld"))
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_capture_of_several_files_sums_them_up(herb_file, tmp_path):
    second = tmp_path / "second.jsonld"
    event = harvest(lot="urn:epc:class:lgtin:9521234.000001.L3")
    second.write_text(json.dumps(json.loads(document(event))))
    _, err = run("capture", str(herb_file), str(second))
    assert "3" in err.splitlines()[-1] and Event.objects.count() == 3
