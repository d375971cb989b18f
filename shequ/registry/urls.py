from django.urls import path

from shequ.registry import views

app_name = "registry"

urlpatterns = [
    path("residents/", views.resident_list_view, name="resident_list"),
    path("residents/<int:pk>/", views.resident_detail, name="resident_detail"),
    path("residents/<int:pk>/reveal/", views.resident_reveal_view, name="resident_reveal"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
]
