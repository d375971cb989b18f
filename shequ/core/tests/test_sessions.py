from django.test import Client

from shequ.core.models import AuditEntry
from shequ.core.tests.factories import login


def test_a_second_login_ends_the_first_session_for_single_session_roles(city, people):
    auditor = people["auditor"]
    first, second = Client(), Client()
    login(first, auditor)
    assert first.get("/audit/").status_code == 200
    login(second, auditor)
    assert second.get("/audit/").status_code == 200
    response = first.get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert (
        AuditEntry.objects.filter(event_type="session_expired", detail__reason="superseded").count()
        == 1
    )
    assert second.get("/audit/").status_code == 200


def test_grid_workers_may_use_a_phone_and_a_desktop_at_once(city, people):
    phone, desktop = Client(), Client()
    login(phone, people["grid_worker"])
    login(desktop, people["grid_worker"])
    assert phone.get("/areas/").status_code == 200
    assert desktop.get("/areas/").status_code == 200
