from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FarmConfig(AppConfig):
    name = "daodi.farm"
    verbose_name = _("Farm records")

    def ready(self):
        # The consumer trace page shows plots and their GACP records (see resolver.story).
        # Picker purposes (which organisations and lots a form offers) register in forms.
        from . import forms, story  # noqa: F401
