from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "daodi.quality"
    verbose_name = _("Quality testing")

    def ready(self):
        from daodi.core import followups
        from daodi.core.choices import FollowUpKind
        from daodi.trace.resolver import story

        from . import forms  # noqa: F401  (registers the picker purposes)
        from .findings import out_of_spec
        from .resolver import test_results

        followups.register(FollowUpKind.OUT_OF_SPEC, out_of_spec)

        # Replaces the trace app's own "tests" section (inspection events only) with the
        # judged conclusions and their certificates.
        story.register_section("tests", test_results, order=50)
