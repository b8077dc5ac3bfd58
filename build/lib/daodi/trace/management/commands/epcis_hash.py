"""``daodi epcis-hash FILE.jsonld…``: the CBV 2.0 event hash of each event, one per line.

Hashes are printed in document order, computed with the namespace prefixes the document's
``@context`` declares and the fields an ``ignoreFields`` header names, exactly as capture
computes them. Nothing is read from or written to the database.
"""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from daodi.trace.epcis import hashing
from daodi.trace.epcis.document import DocumentError, DocumentReader


class Command(BaseCommand):
    help = "Print the CBV 2.0 event hash of every event of EPCIS JSON-LD documents."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args, files, **options):
        for path in files:
            if not os.path.isfile(path):
                raise CommandError(_("No file at %(path)s.") % {"path": path})
            with open(path, "rb") as fp:
                reader = DocumentReader(fp)
                try:
                    prefixes = reader.prefixes
                    ignore = hashing.ignore_fields_from_header(reader.header)
                    for _index, event in reader.events():
                        self.stdout.write(hashing.event_hash(event, prefixes, ignore))
                except DocumentError as exc:
                    raise CommandError(f"{path}: {exc}") from exc
