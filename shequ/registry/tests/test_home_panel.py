from shequ.core.tests.factories import login
from shequ.registry.tests.factories import make_household, make_resident


def test_grid_worker_home_counts_only_their_grid(client, city, people):
    mine = make_household(city.units["A1a"])
    make_resident(mine, name="张三")
    make_resident(mine, name="李四")
    other = make_household(city.units["A1b"])
    make_resident(other, name="王五")
    login(client, people["grid_worker"])
    page = client.get("/").content.decode()
    assert "辖区居民台账" in page
    assert "<dt>居民人数</dt><dd>2</dd>" in page
    login(client, people["community_worker"])
    assert "<dt>居民人数</dt><dd>3</dd>" in client.get("/").content.decode()
