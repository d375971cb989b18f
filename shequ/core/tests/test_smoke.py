from shequ.core.tests.factories import login


def test_street_staff_sees_own_street_and_not_the_other(client, city, people):
    login(client, people["street_staff"])
    assert client.get(f"/areas/{city.streets['A'].pk}/").status_code == 200
    assert client.get(f"/areas/{city.streets['B'].pk}/").status_code == 404
