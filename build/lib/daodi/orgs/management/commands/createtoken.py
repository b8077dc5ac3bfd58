"""``daodi createtoken USERNAME [--name NAME]``: issue an API token; the token is the last line."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from daodi.core.actor import Actor
from daodi.core.errors import DomainError
from daodi.orgs import actions
from daodi.orgs.models import User


class Command(BaseCommand):
    help = "Create an API token for a user and print it (shown once; stored only hashed)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="A name to recognise the token by.")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user named %(name)s.") % {"name": username})
        try:
            token, secret = actions.create_token(
                actor=Actor(user=user, channel="cli"), user=user, name=name
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stderr.write(
            _("Token %(prefix)s… created for %(user)s. Store it now: it is not shown again.")
            % {"prefix": token.prefix, "user": user.username}
        )
        self.stdout.write(secret)
