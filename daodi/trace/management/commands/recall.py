"""``daodi recall IDENTIFIER --reason TEXT``: recall a lot and everything made from it."""

import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from daodi.core.actor import Actor
from daodi.core.errors import DomainError
from daodi.orgs.models import User
from daodi.trace.actions import start_recall


class Command(BaseCommand):
    help = "Recall a lot or item and everything downstream; write the report as XLSX and PDF."

    def add_arguments(self, parser):
        parser.add_argument("identifier", help="EPC URN or GS1 Digital Link of the lot or item")
        parser.add_argument("--reason", required=True)
        parser.add_argument("--user", help="Act as this user (default: the system).")
        parser.add_argument("--out", type=Path, help="Also copy the reports into this folder.")

    def handle(self, *args, identifier, reason, user, out, **options):
        actor = Actor.system()
        if user:
            person = User.objects.filter(username=user, is_active=True).first()
            if person is None:
                raise CommandError(_("No active user named %(name)s.") % {"name": user})
            actor = Actor(user=person, channel="cli")
        try:
            recall = start_recall(actor=actor, identifier=identifier, reason=reason)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            _("Recall %(ref)s: %(n)s lots and items recalled.")
            % {"ref": recall.reference, "n": len(recall.rows)}
        )
        for row in recall.rows:
            self.stdout.write(
                f"  {row['identifier']}  {row['quantity'] or ''} {row['unit']}  {row['holder']}"
            )
        for field in (recall.report_xlsx, recall.report_pdf):
            path = Path(field.path)
            if out:
                out.mkdir(parents=True, exist_ok=True)
                path = Path(shutil.copy(path, out / path.name))
            self.stdout.write(str(path))
