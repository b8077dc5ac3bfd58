from . import views

app_name = "catalog"

urlpatterns = [
    *views.herbs.urls(),
    *views.grades.urls(),
    *views.indications.urls(),
    *views.trade_items.urls(),
]
