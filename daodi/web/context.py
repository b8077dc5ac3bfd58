"""Template context shared by every page: the navigation the user may use and who they are."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from daodi.orgs import policy
from daodi.quality import nav as quality_nav
from daodi.sourcing import queries as sourcing_queries


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    group: str = ""  # items of one group form a dropdown
    visible: object = None  # callable(user) -> bool; None means every signed-in user

    def shown_to(self, user) -> bool:
        if not user.is_authenticated:
            return False
        return self.visible is None or self.visible(user)


GROUPS = {
    "catalogue": _("Catalogue"),
    "trace": _("Traceability"),
    "farm": _("Farm"),
    "sourcing": _("Buying network"),
}

# The main menu, in order. Apps add their pages here as they arrive.
NAV = [
    NavItem("orgs:organisation_list", _("Organisations")),
    NavItem("orgs:site_list", _("Sites")),
    NavItem("orgs:user_list", _("People")),
    NavItem("catalog:herb_list", _("Herbs"), group="catalogue"),
    NavItem("catalog:grade_list", _("Grades"), group="catalogue"),
    NavItem("catalog:indication_list", _("Geographic indications"), group="catalogue"),
    NavItem("catalog:tradeitem_list", _("Trade items"), group="catalogue"),
    NavItem("trace:lot_list", _("Lots and items"), group="trace"),
    NavItem("trace:recall_list", _("Recalls"), group="trace"),
    NavItem(
        "sourcing:packing_list",
        _("Packing and coding"),
        group="trace",
        visible=sourcing_queries.sees_packing,
    ),
    NavItem("farm:plot_list", _("Plots"), group="farm"),
    NavItem("farm:farmrecord_list", _("Farm records"), group="farm"),
    NavItem("farm:harvest_list", _("Harvests"), group="farm"),
    NavItem("farm:processing_list", _("Primary processing"), group="farm"),
    NavItem("farm:bannedpesticide_list", _("Banned pesticides"), group="farm"),
    NavItem("sourcing:purchase_list", _("Purchases"), group="sourcing"),
    NavItem(
        "sourcing:ledger_import",
        _("Import a purchase ledger"),
        group="sourcing",
        visible=lambda user: sourcing_queries.points(user).exists(),
    ),
    NavItem("sourcing:dispatch_list", _("Dispatches"), group="sourcing"),
    NavItem("sourcing:commingling_list", _("Comminglings"), group="sourcing"),
    NavItem("sourcing:pallet_list", _("Pallets"), group="sourcing"),
    NavItem("sourcing:loss_list", _("Losses"), group="sourcing"),
    NavItem("sourcing:county", _("Network map"), group="sourcing"),
    NavItem("sourcing:mass_balance", _("Mass balance"), group="sourcing"),
    NavItem("sourcing:giclaim_list", _("GI claims"), group="sourcing"),
    NavItem(
        "sourcing:gi_violations",
        _("GI violations"),
        group="sourcing",
        visible=policy.reads_everything,
    ),
    NavItem(
        "sourcing:refusals",
        _("Refused attempts"),
        group="sourcing",
        visible=policy.reads_everything,
    ),
]
GROUPS[quality_nav.GROUP[0]] = quality_nav.GROUP[1]
NAV += [NavItem(url, label, group="quality", visible=v) for url, label, v in quality_nav.ITEMS]


def _entries(request):
    """Top-level entries: single links and dropdown groups, each marked active or not."""
    entries, groups = [], {}
    for item in NAV:
        if not item.shown_to(request.user):
            continue
        url = reverse(item.url_name)
        link = {"url": url, "label": item.label, "active": request.path.startswith(url)}
        if not item.group:
            entries.append(link)
            continue
        if item.group not in groups:
            groups[item.group] = {"label": GROUPS[item.group], "children": [], "active": False}
            entries.append(groups[item.group])
        groups[item.group]["children"].append(link)
        groups[item.group]["active"] |= link["active"]
    return entries


def navigation(request):
    user = request.user
    context = {
        "nav_entries": _entries(request),
        "is_platform_admin": policy.is_platform_admin(user),
    }
    if user.is_authenticated:
        context["user_display_name"] = user.display_name
        context["user_organisations"] = [
            m.organisation for m in user.memberships.select_related("organisation")
        ]
    return context
