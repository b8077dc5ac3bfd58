"""``daodi trace IDENTIFIER --direction backward|forward|both [--json]``."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from daodi.trace import queries


class Command(BaseCommand):
    help = "Print the lineage of a lot or item (EPC URN or GS1 Digital Link)."

    def add_arguments(self, parser):
        parser.add_argument("identifier")
        parser.add_argument("--direction", choices=queries.DIRECTIONS, default="both")
        parser.add_argument("--json", action="store_true", help="Print the graph as JSON.")

    def handle(self, *args, identifier, direction, **options):
        try:
            graph = queries.graph(identifier, direction=direction)
        except queries.UnknownIdentifier as exc:
            raise CommandError(_("Not a valid lot or item identifier: %s") % exc) from exc
        if options["json"]:
            self.stdout.write(json.dumps(graph, ensure_ascii=False, indent=2))
            return
        nodes = {n["identifier"]: n for n in graph["nodes"]}
        self.stdout.write(_("Lineage of %(root)s (%(direction)s)") % graph)
        for node in graph["nodes"]:
            self.stdout.write(
                "  {identifier}  {herb} {grade}  {quantity} {unit}  {holder}  [{status}]".format(
                    **{k: (v if v is not None else "–") for k, v in node.items()}
                )
            )
        for edge in graph["edges"]:
            self.stdout.write(
                f"  {edge['time'][:10]}  {edge['from']} → {edge['to']}  ({edge['bizStep']})"
            )
        if len(nodes) == 1 and not graph["edges"]:
            self.stdout.write(_("No lineage recorded."))
