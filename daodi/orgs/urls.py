from django.urls import path

from . import views

app_name = "orgs"

urlpatterns = [
    path("organisations/pick/", views.organisation_pick, name="organisation_pick"),
    *views.organisations.urls(),
    *views.sites.urls(),
    *views.users.urls(detail_view=views.UserDetailPage),
    path(
        "users/<int:pk>/memberships/<int:membership_pk>/remove/",
        views.remove_membership,
        name="membership_remove",
    ),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
