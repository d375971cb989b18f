"""The staff menu in groups: what each person sees, in what order, and a
group of one shown as its link alone."""

import pytest

from shequ.core.context_processors import MenuLink, MenuSection, menu_for
from shequ.core.tests.factories import login

pytestmark = pytest.mark.django_db


def _shape(menu):
    return [
        (item.label, [str(link.label) for link in item.links])
        if isinstance(item, MenuSection)
        else str(item.label)
        for item in menu
    ]


def test_a_community_worker_sees_groups_in_order(people):
    shape = _shape(menu_for(people["community_worker"]))
    labels = [item[0] if isinstance(item, tuple) else item for item in shape]
    assert labels.index("消息") < labels.index("台账") < labels.index("工单") < labels.index("网格")
    ledger = dict(i for i in shape if isinstance(i, tuple))["台账"]
    assert ledger[0] == "居民台账"
    workorders = dict(i for i in shape if isinstance(i, tuple))["工单"]
    assert workorders[0] == "工单" and "工单统计" in workorders


def test_a_group_of_one_link_is_shown_as_that_link(people):
    menu = menu_for(people["resident"])
    assert not any(isinstance(item, MenuSection) for item in menu)
    assert "我的诉求" in [str(item.label) for item in menu]


def test_the_current_page_marks_its_link_and_group(people):
    menu = menu_for(people["community_worker"], "registry:resident_list")
    (ledger,) = [i for i in menu if isinstance(i, MenuSection) and i.key == "ledger"]
    assert ledger.current
    assert [link.current for link in ledger.links][0] is True
    assert not any(i.current for i in menu if isinstance(i, MenuSection) and i.key != "ledger")
    assert all(isinstance(i, MenuLink | MenuSection) for i in menu)


def test_the_page_renders_dropdowns_and_phone_sections(client, people):
    login(client, people["community_worker"])
    page = client.get("/registry/residents/").content.decode()
    assert '<details class="menu-group current" name="menu-group">' in page
    assert 'role="group" aria-labelledby="menu-h-ledger"' in page
    assert 'aria-current="page"' in page
    assert "<script" not in page  # no script, so the strict CSP holds
