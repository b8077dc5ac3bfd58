from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SourcingConfig(AppConfig):
    name = "daodi.sourcing"
    verbose_name = _("Buying network")
