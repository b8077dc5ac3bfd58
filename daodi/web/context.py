"""Template context shared by every page."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

NAV = [
    ("home", _("Home")),
]


def navigation(request):
    return {"nav_items": [(reverse(name), label, name) for name, label in NAV]}
