"""The web screens: report form, queues, pool, case page and its actions,
scoped like the API (another grid's worker gets 404), and the home panels."""

import pytest
from django.urls import reverse

from shequ.core.models import Area
from shequ.core.tests.factories import login
from shequ.workorders.choices import State
from shequ.workorders.models import WorkOrder
from shequ.workorders.tests.factories import category, dispatched, make_order, pooled

pytestmark = pytest.mark.django_db


def test_a_resident_reports_from_the_phone_form(client, city, people):
    login(client, people["resident"])
    page = client.get(reverse("workorders:report"))
    assert page.status_code == 200
    areas = list(page.context["form"].fields["area"].queryset)
    assert areas == [city.units["A1a"]]
    assert "hotline" not in dict(page.context["form"].fields["kind"].choices)
    response = client.post(
        reverse("workorders:report"),
        {
            "kind": "incident",
            "category": category("noise").pk,
            "area": city.units["A1a"].pk,
            "title": "夜间装修噪音",
            "description": "十点后仍在装修。",
            "anonymous": "on",
        },
    )
    order = WorkOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "workorders:order_detail", args=[order.pk]
    )
    assert (
        order.reporter == people["resident"]
        and order.reporter_anonymous
        and order.channel == "portal"
    )
    assert client.get(reverse("workorders:my_orders")).context["page"].object_list[0] == order


def test_the_report_form_refuses_areas_outside_scope(client, city, people):
    login(client, people["resident"])
    response = client.post(
        reverse("workorders:report"),
        {
            "kind": "incident",
            "category": category("noise").pk,
            "area": city.units["A1b"].pk,
            "title": "x",
            "description": "y",
        },
    )
    assert response.status_code == 400 and not WorkOrder.objects.exists()


def test_community_queue_filters_and_actions_from_the_case_page(client, city, people):
    order = make_order(city.grids["A1a"], people["grid_worker"])
    make_order(city.grids["A2a"], None)
    login(client, people["community_worker"])
    listed = client.get(reverse("workorders:order_list"), {"state": "reported"}).context["page"]
    assert [o.pk for o in listed] == [order.pk]
    assert (
        not client.get(reverse("workorders:order_list"), {"state": "closed"})
        .context["page"]
        .object_list
    )
    page = client.get(reverse("workorders:order_detail", args=[order.pk]))
    assert (
        page.context["actions"] == ["triage", "note", "hand_off"]
        or "triage" in page.context["actions"]
    )
    act = reverse("workorders:order_act", args=[order.pk, "triage"])
    assert client.post(act, {"triage_class": "minor"}).status_code == 302
    act = reverse("workorders:order_act", args=[order.pk, "dispatch"])
    client.post(act, {"to": "grid", "handler": people["grid_worker"].pk})
    order.refresh_from_db()
    assert order.state == State.DISPATCHED and order.handler == people["grid_worker"]
    # An illegal step is a message, not an error page.
    response = client.post(reverse("workorders:order_act", args=[order.pk, "close"]), follow=True)
    assert response.status_code == 200 and "不允许" in response.content.decode()


def test_a_party_member_claims_from_the_pool(client, city, people):
    order = pooled(city.units["A1a"])
    login(client, people["party_member"])
    assert [o.pk for o in client.get(reverse("workorders:pool")).context["page"]] == [order.pk]
    client.post(reverse("workorders:order_act", args=[order.pk, "claim"]))
    order.refresh_from_db()
    assert order.state == State.CLAIMED and order.handler == people["party_member"]
    assert not client.get(reverse("workorders:pool")).context["page"].object_list


def test_another_grids_worker_gets_404_on_the_web(client, city, people):
    order = dispatched(city.grids["A1a"], people["grid_worker"])
    login(client, people["grid_worker_b"])
    assert client.get(reverse("workorders:order_detail", args=[order.pk])).status_code == 404
    for transition in ("start", "note", "resolve", "claim", "close"):
        assert (
            client.post(
                reverse("workorders:order_act", args=[order.pk, transition]), {"note": "x"}
            ).status_code
            == 404
        )
    assert not client.get(reverse("workorders:order_list")).context["page"].object_list
    order.refresh_from_db()
    assert order.state == State.DISPATCHED


def test_the_anonymous_reporter_on_the_case_page(client, city, people):
    people["resident"].full_name = "郑秀英"
    people["resident"].save()
    order = pooled(city.units["A1a"], people["resident"], reporter_anonymous=True)
    login(client, people["party_member"])
    assert (
        "郑秀英"
        not in client.get(reverse("workorders:order_detail", args=[order.pk])).content.decode()
    )
    login(client, people["community_worker"])
    assert (
        "郑秀英" in client.get(reverse("workorders:order_detail", args=[order.pk])).content.decode()
    )


def test_home_panels_and_area_counter(client, city, people):
    make_order(city.grids["A1a"], people["grid_worker"])
    pooled(city.units["A1a"])
    login(client, people["community_worker"])
    html = client.get(reverse("core:home")).content.decode()
    assert "辖区工单" in html
    login(client, people["party_member"])
    home = client.get(reverse("core:home"))
    assert "附近可认领的服务单" in home.content.decode()
    from shequ.core.selectors import area_counts

    counts = area_counts(areas=[Area.objects.get(pk=city.communities["A1"].pk)])
    assert counts[city.communities["A1"].pk]["workorders"] == 2


def test_a_community_worker_takes_a_case_in_at_the_front_desk(client, city, people):
    login(client, people["community_worker"])
    response = client.post(
        reverse("workorders:report"),
        {
            "kind": "incident",
            "category": category("neighbour").pk,
            "area": city.grids["A1a"].pk,
            "title": "邻里漏水纠纷",
            "description": "居民来社区反映楼上漏水。",
            "channel": "front_desk",
        },
    )
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert order.channel == "front_desk" and order.owner == people["community_worker"]
    assert order.reporter is None


def test_list_pages_do_not_query_per_row(client, city, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shequ.workorders.services import workorder_dispatch, workorder_triage
    from shequ.workorders.tests.factories import make_department

    department = make_department(city.district, people["department_handler"])

    def add_cases(n):
        for _ in range(n):
            make_order(city.grids["A1a"], people["grid_worker"])
            order = workorder_triage(
                order=make_order(city.grids["A1a"]), actor=None, triage_class="major"
            )
            workorder_dispatch(order=order, actor=None, to="department", department=department)
            pooled(city.units["A1a"], people["resident"], reporter_anonymous=True)

    def count(user):
        login(client, user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/workorders/").status_code == 200
            assert client.get(reverse("workorders:order_list")).status_code == 200
        return len(queries)

    add_cases(1)
    few = {
        who: count(people[who])
        for who in ("community_worker", "department_handler", "party_member")
    }
    add_cases(6)
    assert {who: count(people[who]) for who in few} == few


def test_the_work_queue_filter_shows_every_case_not_yet_closed(client, city, people):
    from shequ.workorders.models import WorkOrder

    open_one = make_order(city.grids["A1a"], people["grid_worker"])
    closed = make_order(city.grids["A1a"], people["grid_worker"])
    WorkOrder.objects.filter(pk=closed.pk).update(state=State.CLOSED)
    login(client, people["community_worker"])
    page = client.get(reverse("workorders:order_list"), {"state": "open"})
    assert [o.pk for o in page.context["page"]] == [open_one.pk]
    assert "未关闭（工作队列）" in page.content.decode()
