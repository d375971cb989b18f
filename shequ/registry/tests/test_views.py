"""The staff console: scoped lists, search by POST, masked pages, audited reveal."""

import re

import pytest

from shequ.core.choices import AuditEvent
from shequ.core.models import AuditEntry
from shequ.core.tests.factories import login
from shequ.registry.tests.factories import make_household, make_resident

pytestmark = pytest.mark.django_db
ID18 = re.compile(r"\d{17}[\dX]")


@pytest.fixture
def mine(city):
    return make_resident(
        make_household(city.units["A1a"], room="101"), name="张三", mobile="13800138000"
    )


@pytest.fixture
def theirs(city):
    return make_resident(make_household(city.units["A1b"], room="202"), name="李四")


def test_list_is_scoped_and_masked(client, people, mine, theirs):
    login(client, people["grid_worker"])
    page = client.get("/registry/residents/").content.decode()
    assert "张三" in page and "李四" not in page
    assert mine.id_number not in page and "138****8000" in page
    assert not ID18.search(page)


def test_search_by_post_finds_by_initials_and_full_id(client, people, mine, theirs):
    login(client, people["grid_worker"])
    page = client.post("/registry/residents/", {"q": "zs"}).content.decode()
    assert "张三" in page
    page = client.post("/registry/residents/", {"q": mine.id_number}).content.decode()
    assert "张三" in page
    page = client.post("/registry/residents/", {"q": theirs.id_number}).content.decode()
    assert "李四" not in page
    # A query string is ignored: personal numbers never travel in URLs.
    assert "李四" not in client.get("/registry/residents/", {"q": "ls"}).content.decode()


def test_detail_and_household_pages_answer_404_out_of_scope(client, people, mine, theirs):
    login(client, people["grid_worker"])
    response = client.get(f"/registry/residents/{mine.pk}/")
    page = response.content.decode()
    assert response.status_code == 200 and "2102**********" in page and not ID18.search(page)
    assert "no-store" in response["Cache-Control"]
    assert "查看完整信息" not in page  # grid workers may not reveal
    assert client.get(f"/registry/households/{mine.household_id}/").status_code == 200
    assert client.get(f"/registry/residents/{theirs.pk}/").status_code == 404
    assert client.get(f"/registry/households/{theirs.household_id}/").status_code == 404
    assert AuditEntry.objects.filter(
        event_type=AuditEvent.ACCESS_DENIED, object_id=str(theirs.pk)
    ).exists()


def test_household_page_lists_members_head_first(client, people, city):
    household = make_household(city.units["A1a"])
    make_resident(household, name="王小明", relation_to_head="child")
    make_resident(household, name="王大明", relation_to_head="head")
    login(client, people["community_worker"])
    page = client.get(f"/registry/households/{household.pk}/").content.decode()
    assert page.index("王大明") < page.index("王小明")


def test_reveal_in_the_web(client, people, city, mine):
    elsewhere = make_resident(make_household(city.units["B1a"]), name="赵五")
    url = f"/registry/residents/{mine.pk}/reveal/"
    login(client, people["grid_worker"])
    assert client.post(url, {"reason": "核对"}).status_code == 403
    login(client, people["community_worker"])
    assert "查看完整信息" in client.get(f"/registry/residents/{mine.pk}/").content.decode()
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400 and "事由" in response.content.decode()
    assert client.get(url).status_code == 405
    response = client.post(url, {"reason": "办理低保复核"})
    page = response.content.decode()
    assert response.status_code == 200 and mine.id_number in page and "13800138000" in page
    assert "no-store" in response["Cache-Control"]
    assert AuditEntry.objects.filter(event_type=AuditEvent.PII_REVEAL).count() == 1
    assert (
        client.post(f"/registry/residents/{elsewhere.pk}/reveal/", {"reason": "x"}).status_code
        == 404
    )
    assert AuditEntry.objects.filter(event_type=AuditEvent.PII_REVEAL).count() == 1


def test_anonymous_and_roleless_users_are_kept_out(client, people, mine):
    assert client.get("/registry/residents/").status_code == 302
    login(client, people["volunteer"])
    assert client.get("/registry/residents/").status_code == 403
    assert client.get(f"/registry/residents/{mine.pk}/").status_code == 403


def test_area_pages_show_household_and_resident_counts(client, people, city, mine, theirs):
    removed = make_resident(mine.household, name="已迁出")
    type(removed).objects.filter(pk=removed.pk).update(
        removed_at="2024-01-01T00:00:00Z", removed_reason="迁出"
    )
    login(client, people["community_worker"])
    response = client.get(f"/areas/{city.communities['A1'].pk}/")
    counts = response.context["counts"]
    assert (counts["households"], counts["residents"]) == (2, 2)
    page = response.content.decode()
    assert "户数" in page and "居民" in page


def test_menu_shows_the_ledger_to_those_who_may_view(client, people):
    login(client, people["grid_worker"])
    assert "居民台账" in client.get("/").content.decode()
    login(client, people["volunteer"])
    assert "居民台账" not in client.get("/").content.decode()


def test_list_page_query_count_does_not_grow(
    client, people, city, mine, django_assert_max_num_queries
):
    login(client, people["grid_worker"])
    client.get("/registry/residents/")
    with django_assert_max_num_queries(15) as few:
        client.get("/registry/residents/")
    for index in range(10):
        make_resident(make_household(city.units["A1a"]), name=f"居民{index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/registry/residents/").status_code == 200
