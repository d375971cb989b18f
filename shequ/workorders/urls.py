from django.urls import path

from shequ.workorders import attachments, views

app_name = "workorders"

urlpatterns = [
    path("", views.order_list, name="order_list"),
    path("mine/", views.my_orders, name="my_orders"),
    path("pool/", views.pool, name="pool"),
    path("report/", views.report, name="report"),
    path("<int:pk>/", views.order_detail, name="order_detail"),
    path("attachments/<int:pk>/", attachments.attachment_download, name="attachment_download"),
    path("<int:pk>/<slug:transition>/", views.order_act, name="order_act"),
]
