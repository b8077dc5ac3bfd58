"""``daodi importledger POINT FILE [--confirm]``: a purchase ledger (收购台账) into a point."""

import os

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from daodi.core.exchange import ExchangeError, cli_actor, cli_language
from daodi.orgs.models import Organisation
from daodi.sourcing import ledger


class Command(BaseCommand):
    help = (
        "Import a purchase ledger (.xlsx) into a village point: every row or none. Rows "
        "outside their herb's plausible ranges are refused unless --confirm."
    )

    def add_arguments(self, parser):
        parser.add_argument("point", help="the village point's organisation code")
        parser.add_argument("file", help="the ledger workbook (.xlsx)")
        parser.add_argument(
            "--confirm", action="store_true", help="the implausible rows were checked"
        )
        parser.add_argument("--user", default="", help="act as this user (default: system)")

    def handle(self, *args, point, file, confirm, user, **options):
        with translation.override(cli_language(None, os.environ)):
            try:
                actor = cli_actor(user)
            except ExchangeError as exc:
                raise CommandError(exc.message) from exc
            found = Organisation.objects.filter(code=point).first()
            if found is None:
                raise CommandError(_("No organisation %(code)s.") % {"code": point})
            with open(file, "rb") as handle:
                result = ledger.import_ledger(
                    actor=actor, point=found, file=handle, confirm=confirm
                )
            if not result.ok:
                raise CommandError("\n".join(str(e) for e in result.errors))
            created = sum(c.created for c in result.counts)
            self.stdout.write(_("Imported %(count)s purchases.") % {"count": created})
