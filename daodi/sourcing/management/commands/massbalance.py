"""``daodi massbalance [--site SITE] [--herb HERB] [--all]``: every imbalance, node and lot."""

import os

from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from daodi.core.exchange import cli_language
from daodi.sourcing import queries


class Command(BaseCommand):
    help = (
        "List every node (and lot) whose mass balance is off: received = dispatched + in "
        "stock + recorded losses, within the herb's tolerance. Exits 1 when any is found."
    )

    def add_arguments(self, parser):
        parser.add_argument("--site", default="", help="organisation code or GLN of one node")
        parser.add_argument("--herb", default="", help="herb code")
        parser.add_argument("--all", action="store_true", help="list balanced nodes too")

    def handle(self, *args, site, herb, all, **options):
        with translation.override(cli_language(None, os.environ)):
            result = queries.mass_balance(None, site=site, herb=herb)
            rows = result.herbs if all else result.imbalances
            header = (_("Node"), _("Herb"), _("Received"), _("Dispatched"), _("Losses"),
                      _("In stock"), _("In transit"), _("Difference"))  # fmt: skip
            self.stdout.write("\t".join(map(str, header)))
            for r in rows:
                self.stdout.write(
                    "\t".join(
                        [
                            result.orgs[r.node].name,
                            result.herb_names.get(r.herb, ""),
                            *(
                                f"{v:.2f}"
                                for v in (
                                    r.received,
                                    r.dispatched,
                                    r.losses,
                                    r.stock,
                                    r.in_transit,
                                    r.difference,
                                )
                            ),
                        ]  # fmt: skip
                    )
                )
            for r in result.lot_imbalances:
                self.stdout.write(
                    _("  lot %(lot)s at %(node)s: %(difference)s kg")
                    % {
                        "lot": r.lot,
                        "node": result.orgs[r.node].name,
                        "difference": f"{r.difference:.2f}",
                    }
                )
            found = len(result.imbalances)
            self.stdout.write(
                _("%(count)s imbalance(s) among %(nodes)s node and herb balances.")
                % {"count": found, "nodes": len(result.herbs)}
            )
            # A lot off balance is one even where its node's herb total is within tolerance
            # (two lots mixed up offset each other there).
            lots_off = len(result.lot_imbalances)
            if lots_off:
                self.stdout.write(_("%(count)s lot(s) off balance.") % {"count": lots_off})
            if found or lots_off:
                raise SystemExit(1)
