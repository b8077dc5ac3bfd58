"""``daodi demo [--scale N] [--seed S] [--if-empty | --reset]``: load the demo county."""

import os
from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from daodi.core.errors import DomainError
from daodi.core.exchange import cli_language
from daodi.demo import build, history, load
from daodi.demo.codes import DemoError
from daodi.orgs.choices import DivisionLevel, OrgKind
from daodi.orgs.models import User
from daodi.quality import demo as quality_demo
from daodi.sourcing import demo as sourcing_demo


class Command(BaseCommand):
    help = (
        "Load the fictional demo county 太行示范县 into the database named by DATABASE_URL "
        "(migrate it first). The same seed always gives the same data. --scale N multiplies "
        "the co-operatives (170), processors (40) and grower households (2,000); the buying "
        "network (1 hub, 10 township stations, 50 village points), the 12 labs and the "
        "county bodies stay as they are, so benchmarks grow the volume, not the network. "
        "A database that already holds the demo is refused (--if-empty: left alone; "
        "--reset: the demo is removed and loaded again)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="Multiply co-operatives, processors and households (default 1).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=build.DEFAULT_SEED,
            help=f"Random seed (default {build.DEFAULT_SEED}).",
        )
        parser.add_argument(
            "--season-events",
            type=int,
            default=history.DEMO_EVENTS,
            help=f"About how many trace events of a harvest season to capture "
            f"(default {history.DEMO_EVENTS}; 0: none).",
        )
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and succeed) when the demo is already loaded.",
        )
        mode.add_argument(
            "--reset",
            action="store_true",
            help="Remove a loaded demo county first, then load it again.",
        )

    def handle(self, *args, scale, seed, if_empty, reset, season_events=0, **options):
        with translation.override(cli_language(None, os.environ)):
            if scale < 1:
                raise CommandError(_("The scale must be a whole number of at least 1."))
            try:
                if load.is_loaded():
                    if if_empty:
                        self.stdout.write(
                            _("The demo county is already loaded; nothing was changed.")
                        )
                        self.print_logins()
                        return
                    if not reset:
                        raise CommandError(
                            _(
                                "The demo county is already loaded in this database. Use "
                                "--reset to load it again, or point DATABASE_URL elsewhere."
                            )
                        )
                    quality_demo.remove()
                    count = load.remove()
                    self.stdout.write(
                        _("Removed the demo county (%(count)s organisations).") % {"count": count}
                    )
                county = build.build_county(
                    seed=seed, scale=scale, company_prefix=settings.GS1_COMPANY_PREFIX
                )
                # The county and its season go in together or not at all.
                with transaction.atomic():
                    loaded = load.load(county)
                    season = (
                        history.load_demo(seed=seed, events=season_events)
                        if season_events
                        else None
                    )
                    farm_season = sourcing_demo.load() if season_events else None
                    quality = quality_demo.load(season)
            except DemoError as exc:
                raise CommandError(str(exc)) from exc
            except DomainError as exc:  # e.g. a demo username already taken
                raise CommandError(str(exc.message)) from exc
            self.print_summary(county, loaded)
            self.print_logins()
            if season is not None:
                self.print_season(season)
            if farm_season is not None:
                self.print_farm_season(farm_season)
            if quality.failed_pack:
                self.stdout.write(
                    _("A retail pack made from a lot that failed its test (its page warns first):")
                )
                self.stdout.write(f"  {quality.failed_pack}")

    def print_season(self, season):
        self.stdout.write("")
        self.stdout.write(
            _("Captured a harvest season: %(events)s trace events, %(plots)s plots.")
            % {"events": f"{season.events:,}", "plots": f"{season.plots:,}"}
        )
        if season.example is not None:
            self.stdout.write(_("Open a retail pack's trace page (Digital Link):"))
            self.stdout.write(f"  {settings.DIGITAL_LINK_BASE.rstrip('/')}{season.example.path}")

    def print_farm_season(self, farm):
        self.stdout.write(
            _(
                "Farm and buying season: %(records)s farm records, %(harvests)s harvests, "
                "%(purchases)s purchases, %(dispatches)s dispatches, %(dried)s lots dried."
            )
            % vars(farm)
        )
        self.stdout.write(_("Problems left in for the regulator:"))
        for problem in farm.problems:
            self.stdout.write(f"  - {problem}")

    def print_summary(self, county, loaded):
        kinds = Counter(o.kind for o in county.organisations)
        levels = Counter(d.level for d in county.divisions)
        lines = [
            (DivisionLevel.TOWNSHIP.label, levels[DivisionLevel.TOWNSHIP]),
            (DivisionLevel.VILLAGE.label, levels[DivisionLevel.VILLAGE]),
            *((kind.label, kinds[kind.value]) for kind in OrgKind if kinds[kind.value]),
            (_("Sites"), len(county.sites)),
            (_("Users"), len(county.users)),
            (_("Herbs"), len(county.herbs)),
            (_("Grades"), len(county.grades)),
            (_("Geographic indications"), len(county.indications)),
            (_("Trade items"), len(county.trade_items)),
            (_("Audit entries"), loaded.audit_entries),
        ]
        self.stdout.write(
            _(
                "Loaded the demo county 太行示范县 (scale %(scale)s, seed %(seed)s) in "
                "%(seconds).1f s:"
            )
            % {"scale": county.scale, "seed": county.seed, "seconds": loaded.seconds}
        )
        for label, count in lines:
            self.stdout.write(f"  {count:>8,}  {label}")

    def print_logins(self):
        self.stdout.write("")
        self.stdout.write(
            _("Demo logins (password for all: %(password)s):") % {"password": build.DEMO_PASSWORD}
        )
        # The county's logins, then those the quality demo adds (the lab's second reviewer).
        usernames = [u for u, _o, _r in build.USERS] + [quality_demo.REVIEWER]
        users = User.objects.filter(username__in=usernames)
        by_name = {u.username: u for u in users.prefetch_related("memberships__organisation")}
        for username in usernames:
            user = by_name.get(username)
            if user is None:
                continue
            if user.is_superuser:
                what = _("platform administrator")
            else:
                what = "; ".join(
                    f"{m.get_role_display()} · {m.organisation.name}"
                    for m in user.memberships.all()
                )
            self.stdout.write(f"  {username:<12} {what}")
