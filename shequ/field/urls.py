from django.urls import path

from shequ.field import views, views_outposts, views_review, views_sync

app_name = "field"

urlpatterns = [
    path("", views.today, name="today"),
    path("visit/", views.visit_form, name="visit_form"),
    path("map/", views.grid_map, name="map"),
    path("report/", views.report_form, name="report_form"),
    path("sync/report/", views_sync.sync_report, name="sync_report"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("needs/<int:pk>/convert/", views.need_convert_view, name="need_convert"),
    path("sync/visit/", views_sync.sync_visit, name="sync_visit"),
    path("sync/note/", views_sync.sync_note, name="sync_note"),
    path("sync/reply/", views_sync.sync_reply, name="sync_reply"),
    path("sw.js", views_sync.service_worker, name="service_worker"),
    path("manifest.webmanifest", views_sync.manifest, name="manifest"),
    path("proposals/", views_review.proposals, name="proposals"),
    path("proposals/<int:pk>/decide/", views_review.proposal_decide_view, name="proposal_decide"),
    path("coverage/", views_review.coverage, name="coverage"),
    path("instructions/", views_review.instructions, name="instructions"),
    path("outposts/", views_outposts.outposts, name="outposts"),
    path("outposts/<int:pk>/", views_outposts.outpost_detail, name="outpost_detail"),
    path("sync/outpost/", views_outposts.sync_outpost, name="sync_outpost"),
    path("worklog/", views_review.worklog, name="worklog"),
    path("worklog/comment/", views_review.worklog_comment, name="worklog_comment"),
]
