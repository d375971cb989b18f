from django.urls import include, path

from shequ.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("registry/", include("shequ.registry.urls")),
    path("workorders/", include("shequ.workorders.urls")),
    path("volunteers/", include("shequ.volunteers.urls")),
    path("field/", include("shequ.field.urls")),
    path("dashboard/", include("shequ.dashboard.urls")),
    path("open311/v2/", include("shequ.workorders.open311.urls")),
    path("", include("shequ.core.urls")),
]
