from django.urls import include, path

from shequ.registry import views, views_edit, views_full_export, views_transfer

app_name = "registry"

urlpatterns = [
    path("residents/", views.resident_list_view, name="resident_list"),
    path("residents/<int:pk>/", views.resident_detail, name="resident_detail"),
    path("residents/<int:pk>/reveal/", views.resident_reveal_view, name="resident_reveal"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    # Changing the ledger, life events, export (views_edit).
    path("residents/export/", views_edit.resident_export_view, name="resident_export"),
    path("residents/<int:pk>/edit/", views_edit.resident_edit_view, name="resident_edit"),
    path(
        "residents/<int:pk>/<slug:action>/",
        views_edit.resident_action_view,
        name="resident_action",
    ),
    path("households/new/", views_edit.household_create_view, name="household_create"),
    path(
        "households/<int:pk>/residents/new/",
        views_edit.resident_add_view,
        name="resident_add",
    ),
    path(
        "households/<int:pk>/<slug:action>/",
        views_edit.household_action_view,
        name="household_action",
    ),
    # The full (unmasked) export: ask, approve (another person), download once.
    path("full-exports/", views_full_export.full_export_list_view, name="full_export_list"),
    path(
        "full-exports/<int:pk>/decide/",
        views_full_export.full_export_decide_view,
        name="full_export_decide",
    ),
    path(
        "full-exports/<int:pk>/download/",
        views_full_export.full_export_download_view,
        name="full_export_download",
    ),
    # Transfers between communities (跨社区迁移): each side's list, one request, its decision.
    path("transfers/", views_transfer.transfer_list_view, name="transfer_list"),
    path("transfers/<int:pk>/", views_transfer.transfer_detail_view, name="transfer_detail"),
    path(
        "transfers/<int:pk>/decide/",
        views_transfer.transfer_decide_view,
        name="transfer_decide",
    ),
    path(
        "transfers/<int:pk>/cancel/",
        views_transfer.transfer_cancel_view,
        name="transfer_cancel",
    ),
    path("transfers/out/<int:pk>/", views_transfer.transfer_push_view, name="transfer_push"),
    path("transfers/in/<int:pk>/", views_transfer.transfer_pull_view, name="transfer_pull"),
    path("", include("shequ.registry.importing.urls")),  # the import wizard
]
