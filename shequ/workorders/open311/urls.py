"""``/open311/v2/``: GeoReport v2, each resource as ``name.json`` or ``name.xml``."""

from django.urls import path

from shequ.workorders.open311 import views

app_name = "open311"

urlpatterns = [
    path("services.<str:format>", views.services, name="services"),
    path(
        "services/<str:service_code>.<str:format>",
        views.service_definition,
        name="service_definition",
    ),
    path("requests.<str:format>", views.requests, name="requests"),
    path(
        "requests/<str:service_request_id>.<str:format>",
        views.request_detail,
        name="request_detail",
    ),
    path("tokens/<str:token>.<str:format>", views.token, name="token"),
]
