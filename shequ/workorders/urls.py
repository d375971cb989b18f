from django.urls import path

from shequ.workorders import attachments, tracking, views, views_desk, views_flow

app_name = "workorders"

urlpatterns = [
    path("", views.order_list, name="order_list"),
    path("mine/", views.my_orders, name="my_orders"),
    path("pool/", views.pool, name="pool"),
    path("report/", views.report, name="report"),
    path("waiting/", views_flow.waiting, name="waiting"),
    path("track/", tracking.track, name="track"),
    path("reception/", views_desk.reception, name="reception"),
    path("hotline/import/", views_desk.hotline_import, name="hotline_import"),
    path("guidance/", views_desk.guidance_list, name="guidance_list"),
    path("guidance/edit/", views_desk.guidance_edit, name="guidance_edit"),
    path("catalog/", views_desk.category_list, name="catalog"),
    path("catalog/category/", views_desk.category_edit, name="category_edit"),
    path("catalog/department/", views_desk.department_edit, name="department_edit"),
    path("<int:pk>/whistle/", views_flow.order_whistle, name="order_whistle"),
    path("<int:pk>/merge/", views_flow.order_merge, name="order_merge"),
    path("whistles/<int:pk>/<slug:step>/", views_flow.whistle_answer, name="whistle_answer"),
    path("<int:pk>/", views.order_detail, name="order_detail"),
    path("attachments/<int:pk>/", attachments.attachment_download, name="attachment_download"),
    path("<int:pk>/<slug:transition>/", views.order_act, name="order_act"),
]
