from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "daodi.catalog"
    verbose_name = _("Herb catalogue")

    def ready(self):
        # The picker purposes of this app's forms (orgs.pickers, trace.pickers) register there.
        from . import forms  # noqa: F401
