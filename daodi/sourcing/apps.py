from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SourcingConfig(AppConfig):
    name = "daodi.sourcing"
    verbose_name = _("Buying network")

    def ready(self):
        from daodi.core import followups

        # The picker purposes of this app's forms (orgs.pickers, trace.pickers) register there.
        from . import forms  # noqa: F401
        from .findings import RESOLVERS

        for kind, resolver in RESOLVERS.items():
            followups.register(kind, resolver)
