"""``/epcis/``: the EPCIS 2.0 REST bindings (paths without trailing slashes, as GS1 has them)."""

from django.urls import path

from . import views

app_name = "epcis_rest"
urlpatterns = [
    path("", views.TopLevelView.as_view(), name="top"),
    path("capture", views.CaptureView.as_view(), name="capture"),
    path("capture/<str:capture_id>", views.CaptureJobView.as_view(), name="capture-job"),
    path("events", views.EventsView.as_view(), name="events"),
    path("events/<path:event_id>", views.EventView.as_view(), name="event"),
    path("eventTypes", views.EventTypesView.as_view(), name="event-types"),
    path(
        "eventTypes/<str:event_type>/events",
        views.EventTypeEventsView.as_view(),
        name="event-type-events",
    ),
    path("epcs/<path:epc>/events", views.EpcEventsView.as_view(), name="epc-events"),
    path("queries", views.QueriesView.as_view(), name="queries"),
    path("queries/<str:name>", views.QueryView.as_view(), name="query"),
    path("queries/<str:name>/events", views.QueryEventsView.as_view(), name="query-events"),
]
