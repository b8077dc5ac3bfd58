from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SourcingConfig(AppConfig):
    name = "daodi.sourcing"
    verbose_name = _("Buying network")

    def ready(self):
        from daodi.core import followups

        from .findings import RESOLVERS

        for kind, resolver in RESOLVERS.items():
            followups.register(kind, resolver)
