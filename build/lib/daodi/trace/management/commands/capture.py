"""``daodi capture FILE… [--proceed] [--user USERNAME] [--organisation CODE]``.

Captures EPCIS 2.0 JSON-LD documents from files, each read as a stream (a 100 MB document
fits in bounded memory) and captured in one transaction, with no event limit. A counter
on stderr shows progress; a summary line per file follows. Capturing a file again stores
nothing new. Exits with status 1 when any file had an error.
"""

from __future__ import annotations

import os
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from daodi.core import exchange
from daodi.core.errors import DomainError
from daodi.orgs.models import Organisation
from daodi.trace import actions
from daodi.trace.epcis_rest.problems import event_error

MAX_ERRORS_SHOWN = 50


class Command(BaseCommand):
    help = "Capture EPCIS 2.0 JSON-LD documents into the event store."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="EPCIS documents.")
        parser.add_argument(
            "--proceed",
            action="store_true",
            help="Store the valid events of a document that has invalid ones "
            "(default: store nothing from such a document).",
        )
        parser.add_argument("--user", help="Capture as this user (default: the system).")
        parser.add_argument(
            "--organisation", help="Code of the capturing organisation (default: the user's)."
        )

    def handle(self, *args, files, proceed, user=None, organisation=None, **options):
        with translation.override(exchange.cli_language(None, os.environ)):
            try:
                actor = exchange.cli_actor(user)
            except exchange.ExchangeError as exc:
                raise CommandError(str(exc.message)) from exc
            org = None
            if organisation:
                org = Organisation.objects.filter(code=organisation).first()
                if org is None:
                    raise CommandError(
                        _("No organisation with code %(code)s.") % {"code": organisation}
                    )
            missing = [f for f in files if not os.path.isfile(f)]
            if missing:
                raise CommandError(_("No file at %(path)s.") % {"path": missing[0]})
            failed = 0
            totals = {"events": 0, "stored": 0, "duplicates": 0}
            for path in files:
                failed += not self.capture_file(path, actor, org, proceed, totals)
            if len(files) > 1:
                self.stderr.write(
                    _("Total: %(events)s events, %(stored)s stored, %(duplicates)s duplicates.")
                    % totals
                )
            if failed:
                raise CommandError(
                    _("%(failed)s of %(count)s files had errors.")
                    % {"failed": failed, "count": len(files)}
                )

    def capture_file(self, path, actor, org, proceed, totals) -> bool:
        started = time.monotonic()
        interactive = sys.stderr.isatty()

        def progress(received: int) -> None:
            if interactive:
                rate = received / max(time.monotonic() - started, 1e-6)
                self.stderr.write(
                    "\r"
                    + _("%(file)s: %(count)s events (%(rate)s/s)")
                    % {"file": path, "count": received, "rate": int(rate)},
                    ending="",
                )
                self.stderr.flush()

        try:
            with open(path, "rb") as fp:
                outcome = actions.capture(
                    actor=actor, fp=fp, proceed=proceed, organisation=org, progress=progress
                )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        if interactive:
            self.stderr.write("\r", ending="")
        job = outcome.capture
        totals["events"] += job.events_received
        totals["stored"] += job.events_stored
        totals["duplicates"] += outcome.duplicates
        for error in outcome.errors[:MAX_ERRORS_SHOWN]:
            self.stderr.write(f"{path}: {event_error(error)['detail']}")
        if len(outcome.errors) > MAX_ERRORS_SHOWN:
            self.stderr.write(
                _("%(file)s: %(more)s more errors not shown.")
                % {"file": path, "more": len(outcome.errors) - MAX_ERRORS_SHOWN}
            )
        seconds = time.monotonic() - started
        self.stdout.write(
            _(
                "%(file)s: %(events)s events, %(stored)s stored, %(duplicates)s duplicates, "
                "%(errors)s errors in %(seconds).1f s (capture %(id)s)."
            )
            % {
                "file": path,
                "events": job.events_received,
                "stored": job.events_stored,
                "duplicates": outcome.duplicates,
                "errors": len(outcome.errors),
                "seconds": seconds,
                "id": job.capture_id,
            }
        )
        return not outcome.errors
