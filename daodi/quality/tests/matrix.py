"""Quality records of village point PT1 for the authorization matrices (``tests/authz.py``):
what another point's operator must neither see nor change, and who may (positive control).

PT1 owns a draft specification set; it sampled lot D of its household and sent it to the
county testing centre twice: the first order is approved (总灰分 fails, so the holder and the
regulators are notified), the second waits for review with the analyst's 水分 result.
"""

from __future__ import annotations

from daodi.core.actor import Actor

from .world import CHP_ITEMS, GOOD, QualityWorld, spec_set

OWNED = {
    "spec-sets",
    "spec-items",
    "samples",
    "test-orders",
    "results",
    "certificates",
    "notifications",
    "column-mappings",
}
# URL name prefixes of the quality pages → their resource in the matrix.
RESOURCE_BY_PREFIX = {
    "specset": "spec-sets",
    "specset_import": "spec-sets",
    "specitem": "spec-items",
    "sample": "samples",
    "order": "test-orders",
    "queue": "test-orders",
    "result": "results",
    "mapping": "column-mappings",
    "certificate": "certificates",
    "oos": "certificates",
    "notification": "notifications",
}
# Public by design: the verification page behind every certificate's QR code (and the PDF,
# for whoever holds the link with the certificate's fingerprint).
PUBLIC = {"certificate_verify", "certificate_public_pdf"}
IMPORT = "Sample ID,Analyte,Conc.,Units,LOQ,Run date\nS1,总灰分,4.0,%,,2026-07-20\n"


class QualityMatrix:
    def __init__(self, network):
        self.n = network
        self.q = QualityWorld(network)
        self.own_set = spec_set(
            Actor.system(),
            code="pt1-acceptance",
            items=CHP_ITEMS[:2],
            authority="buyer",
            edition="杏树村收购标准 2026",
            org=network.point,
            approve=False,
        )
        self.item = self.own_set.items.first()
        first = self.q.order()
        self.q.enter(first, GOOD | {"总灰分": "5.26"})
        self.certificate = self.q.approve(first)
        self.notification = self.certificate.notifications.get(organisation=network.household)
        self.order = self.q.order()
        (self.result,) = self.q.enter(self.order, {"水分": "12.5"})
        self.sample = self.order.sample

    def target_id(self, resource: str) -> int:
        return {
            "spec-sets": self.own_set.pk,
            "spec-items": self.item.pk,
            "samples": self.sample.pk,
            "test-orders": self.order.pk,
            "results": self.result.pk,
            "certificates": self.certificate.pk,
            "notifications": self.notification.pk,
            "column-mappings": self.q.mapping.pk,
        }[resource]

    def body(self, resource: str, method: str) -> dict | None:
        n, q = self.n, self.q
        return {
            "spec-sets": {
                "organisation": n.point.pk,
                "name": "杏树村收购标准",
                "authority": "buyer",
                "edition": "2026",
                "items": [
                    {"herb": "党参", "test_item": "水分", "op": "<=", "limit": "14.0", "unit": "%"}
                ],
            },
            "spec-items": {
                "spec_set": self.own_set.pk,
                "herb": "党参",
                "test_item": "酸不溶性灰分",
                "op": "<=",
                "limit": "2.0",
                "unit": "%",
            },
            "samples": {"lot": q.lot.identifier, "quantity": "150", "unit": "g"},
            "test-orders": {
                "sample": self.sample.pk,
                "lab": q.lab.pk,
                "spec_sets": [q.chp.pk],
                "reason": "核对原始记录",
                "mapping": q.mapping.pk,
                "content": IMPORT,
            },
            "results": {
                "order": self.order.pk,
                "test_item": "总灰分",
                "value": "3.9",
                "unit": "%",
                "reason": "抄录错误",
            },
            "column-mappings": {
                "lab": q.lab.pk,
                "name": "ICP-MS",
                "test_item": "Element",
                "value": "Result",
            },
            "notifications": {},
            "certificates": {},
        }[resource]

    def owner(self, resource: str):
        return {
            "test-orders": self.q.reviewer,
            "results": self.q.analyst,
            "column-mappings": self.q.analyst,
        }.get(resource, self.n.point_operator)

    def label(self, resource: str) -> str:
        """What a list page must not show another organisation."""
        return {
            "spec-sets": self.own_set.name,
            "samples": self.sample.code,
            "test-orders": self.order.reference,
            "column-mappings": self.q.mapping.name,
            "certificates": self.certificate.number,
            "notifications": self.certificate.number,
        }[resource]
