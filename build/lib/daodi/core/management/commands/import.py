"""``daodi import FILE.xlsx [--user USERNAME] [--lang zh-hans|en]``: import a workbook.

All or nothing: if any row is wrong, every error is printed (one line each, in the chosen
language), nothing is imported and the command exits with status 1.
"""

import os

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from daodi.core import exchange


class Command(BaseCommand):
    help = "Import organisations, sites, herbs and grades from an .xlsx workbook."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .xlsx workbook.")
        parser.add_argument("--user", help="Act as this user (default: the system).")
        parser.add_argument(
            "--lang",
            choices=["zh-hans", "en"],
            help="Language of the messages (default: $LANGUAGE, else zh-hans).",
        )

    def handle(self, *args, file, user=None, lang=None, **options):
        with translation.override(exchange.cli_language(lang, os.environ)):
            try:
                actor = exchange.cli_actor(user)
            except exchange.ExchangeError as exc:
                raise CommandError(str(exc.message)) from exc
            if not os.path.isfile(file):
                raise CommandError(_("No file at %(path)s.") % {"path": file})
            result = exchange.import_workbook(actor=actor, file=file)
            if not result.ok:
                for error in result.errors:
                    self.stderr.write(str(error))
                raise CommandError(
                    ngettext(
                        "Nothing was imported: %(count)s error.",
                        "Nothing was imported: %(count)s errors.",
                        len(result.errors),
                    )
                    % {"count": len(result.errors)}
                )
            for count in result.counts:
                self.stdout.write(
                    _(
                        "%(kind)s: %(created)s created, %(updated)s updated, "
                        "%(unchanged)s unchanged."
                    )
                    % {
                        "kind": count.title,
                        "created": count.created,
                        "updated": count.updated,
                        "unchanged": count.unchanged,
                    }
                )
