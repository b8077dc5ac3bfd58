"""Vocabulary codes of events read as names, and places named by GLN read as their names."""

from __future__ import annotations

import pytest
from django.utils import translation

from daodi.core.actor import Actor
from daodi.orgs import actions as org_actions
from daodi.orgs.choices import SiteKind
from daodi.trace import places, vocabulary
from daodi.trace.epcis import profile


@pytest.mark.parametrize(
    ("code", "chinese", "english"),
    [
        ("receiving", "收货", "Receiving"),
        ("https://ref.gs1.org/cbv/BizStep-shipping", "发运", "Shipping"),
        ("urn:epcglobal:cbv:bizstep:commissioning", "赋码", "Coding"),
        (profile.DRYING, "干燥", "Drying"),
        ("daodi:BizStep-slicing", "切片", "Slicing"),
        ("in_progress", "处理中", "In progress"),
        ("urn:epcglobal:cbv:disp:in_transit", "在途", "In transit"),
        ("https://ref.gs1.org/cbv/Disp-non_conformant", "不合格", "Non-conformant"),
        ("TransformationEvent", "转化事件", "Transformation event"),
        ("OBSERVE", "观察", "Observe"),
        ("https://ref.gs1.org/cbv/BTT-po", "采购订单", "Purchase order"),
        ("KGM", "kg", "kg"),
        ("H87", "件", "piece(s)"),
        ("jin", "市斤", "jin"),
    ],
)
def test_every_kind_of_vocabulary_code_reads_as_its_name_in_each_language(code, chinese, english):
    with translation.override("zh-hans"):
        assert vocabulary.name(code) == chinese
    with translation.override("en"):
        assert vocabulary.name(code) == english


def test_a_value_that_is_no_vocabulary_code_is_left_as_it_is():
    assert vocabulary.name("H261114-0001") == "H261114-0001"
    assert vocabulary.name("") == "" and vocabulary.name(None) == ""


def test_every_cbv_step_and_disposition_and_every_step_of_ours_has_a_name():
    from daodi.trace.epcis import cbv

    for word in cbv.BIZ_STEPS | cbv.DISPOSITIONS:
        assert vocabulary.name(word) != word, word
    for uri in profile.BIZ_STEPS:
        assert vocabulary.name(uri) != uri, uri


def test_places_and_parties_named_by_gln_read_as_their_names_in_two_queries(
    network, django_assert_num_queries
):
    system = Actor.system()
    network.station.gln = "9521234000013"
    network.station.save()
    site = org_actions.create_site(
        actor=system,
        organisation=network.point,
        kind=SiteKind.WAREHOUSE,
        name="杏树村收购点库房",
        gln="9521234000020",
    )
    values = [
        "https://id.gs1.org/414/9521234000020",
        "urn:epc:id:sgln:9521234.00002.0",
        "https://id.gs1.org/417/9521234000013",
        "https://id.gs1.org/414/9521234099994",  # a place nobody registered
        "not an identifier",
    ]
    with django_assert_num_queries(2):
        named = places.names(values)
    assert named == {
        "https://id.gs1.org/414/9521234000020": site.name,
        "urn:epc:id:sgln:9521234.00002.0": site.name,
        "https://id.gs1.org/417/9521234000013": network.station.name,
    }
