"""GS1 Digital Link paths, served at the site root (the platform is its own resolver).

The named routes are for ``reverse()``; the last one catches every other path under /01/
so a malformed code gets the resolver's friendly 404 page rather than the site's.
"""

from django.urls import path, re_path

from . import views

app_name = "resolver"
urlpatterns = [
    path("01/<str:gtin>", views.resolve, name="product"),
    path("01/<str:gtin>/10/<str:lot>", views.resolve, name="lot"),
    path("01/<str:gtin>/21/<str:serial>", views.resolve, name="item"),
    path("01/<str:gtin>/10/<str:lot>/21/<str:serial>", views.resolve, name="lot_item"),
    re_path(r"^01(?:/[\s\S]*)?$", views.resolve, name="other"),  # newlines too
]
