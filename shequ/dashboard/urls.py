from django.urls import path

from shequ.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.stats, name="stats"),
    path("export/", views.export, name="export"),
]
