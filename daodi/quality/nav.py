"""The quality pages in the main menu (read by ``daodi.web.context``)."""

from django.utils.translation import gettext_lazy as _

from daodi.orgs import policy

from . import queries

GROUP = ("quality", _("Quality testing"))


def works_in_a_lab(user) -> bool:
    return policy.is_platform_admin(user) or queries.labs(user).exists()


# url name, label, shown to (None: every signed-in user)
ITEMS = [
    ("quality:specset_list", _("Specification sets"), None),
    ("quality:specset_import_create", _("Import specification sets"), policy.writes_anywhere),
    ("quality:sample_list", _("Samples"), None),
    ("quality:order_list", _("Test orders"), None),
    ("quality:queue_list", _("Lab queue"), works_in_a_lab),
    ("quality:mapping_list", _("Instrument column mappings"), works_in_a_lab),
    ("quality:certificate_list", _("Certificates of analysis"), None),
    ("quality:oos_list", _("Out-of-specification results"), None),
    ("quality:notification_list", _("Notifications"), None),
]
