"""``daodi export KIND FILE.xlsx [--user USERNAME] [--lang zh-hans|en]``: export a kind.

KIND is organisations, sites, herbs, grades or all. The workbook holds what the user may
read, in the chosen language, and imports back unchanged.
"""

import os

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from daodi.core import exchange


class Command(BaseCommand):
    help = "Export organisations, sites, herbs or grades (or all) to an .xlsx workbook."

    def add_arguments(self, parser):
        parser.add_argument("kind", help="organisations, sites, herbs, grades or all.")
        parser.add_argument("file", help="The .xlsx workbook to write.")
        parser.add_argument("--user", help="Export what this user may read (default: all).")
        parser.add_argument(
            "--lang",
            choices=["zh-hans", "en"],
            help="Language of the headers (default: $LANGUAGE, else zh-hans).",
        )

    def handle(self, *args, kind, file, user=None, lang=None, **options):
        with translation.override(exchange.cli_language(lang, os.environ)):
            try:
                actor = exchange.cli_actor(user)
                written = exchange.export_workbook(actor=actor, kind=kind, file=file)
            except exchange.ExchangeError as exc:
                raise CommandError(str(exc.message)) from exc
            except OSError as exc:
                raise CommandError(
                    _("Cannot write %(path)s: %(error)s") % {"path": file, "error": exc.strerror}
                ) from exc
            self.stdout.write(
                _("%(count)s records written to %(path)s.") % {"count": written, "path": file}
            )
