from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "daodi.quality"
    verbose_name = _("Quality testing")

    def ready(self):
        from daodi.trace.resolver import story

        from . import forms  # noqa: F401  (registers the picker purposes)
        from .resolver import test_results

        # Replaces the trace app's own "tests" section (inspection events only) with the
        # judged conclusions and their certificates.
        story.register_section("tests", test_results, order=50)
