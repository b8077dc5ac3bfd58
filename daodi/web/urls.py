from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import followup_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("exchange/", include("daodi.web.exchange_urls")),
    path("follow-ups/", followup_views.followup_list, name="followup_list"),
    path("follow-ups/finding/", followup_views.followup_detail, name="followup_detail"),
    path("follow-ups/<int:pk>/read/", followup_views.followup_read, name="followup_read"),
]
