"""三权分立 and account hygiene rules enforced by the user services."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from shequ.core.errors import Forbidden, InvalidInput
from shequ.core.models import ApiToken, AuditEntry, User
from shequ.core.roles import Role
from shequ.core.services.tokens import token_create
from shequ.core.services.users import password_change, password_reset, role_grant, user_set_active
from shequ.core.tests.factories import login


def test_a_separated_role_is_held_alone(city, people):
    with pytest.raises(InvalidInput, match="专用账户"):
        role_grant(
            actor=None,
            user=people["auditor"],
            role=Role.COMMUNITY_WORKER,
            area=city.communities["A1"],
        )
    with pytest.raises(InvalidInput):
        role_grant(actor=None, user=people["community_worker"], role=Role.AUDITOR, area=city.city)
    assert set(people["auditor"].roles.values_list("role", flat=True)) == {Role.AUDITOR}


def test_the_system_administrator_cannot_touch_auditor_or_security_accounts(city, people):
    admin = people["city_admin"]
    for guarded in (people["auditor"], people["security_admin"]):
        with pytest.raises(Forbidden):
            user_set_active(actor=admin, user=guarded, active=False)
        with pytest.raises(Forbidden):
            password_reset(actor=admin, user=guarded, temporary_password="Xq7-temporary-pass")
        assert User.objects.get(pk=guarded.pk).is_active
    # The security administrator manages the auditor's account.
    user_set_active(
        actor=people["security_admin"], user=people["auditor"], active=False, reason="离职"
    )
    assert not User.objects.get(pk=people["auditor"].pk).is_active
    # …and the system administrator still manages ordinary staff.
    user_set_active(actor=admin, user=people["grid_worker"], active=False)
    assert not User.objects.get(pk=people["grid_worker"].pk).is_active


def test_password_change_reset_and_disabling_revoke_api_tokens(city, people):
    worker = people["grid_worker"]
    token, _plain = token_create(user=worker, name="巡查App")
    password_change(user=worker, new_password="Another-Strong-Pass-9")
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    token, _plain = token_create(user=worker, name="巡查App")
    password_reset(actor=people["city_admin"], user=worker, temporary_password="Temporary-Pass-77")
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    token, _plain = token_create(user=worker, name="巡查App")
    user_set_active(actor=people["city_admin"], user=worker, active=False)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_password_may_not_spell_the_persons_name(db):
    user = User(username="wf01", full_name="王芳", kind="staff")
    with pytest.raises(ValidationError, match="拼音"):
        validate_password("Wangfang-2026!x", user)
    validate_password("Correct-Horse-Battery-9", user)


def test_forbidden_pages_are_audited(client, city, people):
    login(client, people["volunteer"])
    assert client.get("/users/").status_code == 403
    assert client.get("/api/v1/areas").status_code == 403
    denied = AuditEntry.objects.filter(event_type="access_denied", actor=people["volunteer"])
    assert denied.count() == 2
    assert {e.detail["action"] for e in denied} == {"user.view", "area.view"}


def test_security_admin_sees_account_controls_for_the_auditor(client, city, people):
    login(client, people["security_admin"])
    page = client.get(f"/users/{people['auditor'].pk}/").content.decode()
    assert "停用账户" in page
    login(client, people["city_admin"])
    page = client.get(f"/users/{people['auditor'].pk}/").content.decode()
    assert "停用账户" not in page
    assert client.post(f"/users/{people['auditor'].pk}/active/", {"active": "0"}).status_code == 302
    assert User.objects.get(pk=people["auditor"].pk).is_active


def test_security_admin_resets_a_lost_totp_device(client, city, people):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    auditor = people["auditor"]
    TOTPDevice.objects.create(user=auditor, name="phone", confirmed=True)
    login(client, people["security_admin"])
    client.post(f"/users/{auditor.pk}/otp-reset/", {"reason": ""})
    assert TOTPDevice.objects.filter(user=auditor).exists()
    client.post(f"/users/{auditor.pk}/otp-reset/", {"reason": "手机丢失"})
    assert not TOTPDevice.objects.filter(user=auditor).exists()
    entry = AuditEntry.objects.get(event_type="otp_device_reset")
    assert entry.detail["reason"] == "手机丢失"
    login(client, people["city_admin"])
    assert client.post(f"/users/{auditor.pk}/otp-reset/", {"reason": "x"}).status_code == 403


def test_administrator_corrects_name_and_login_mobile_without_logging_the_number(
    client, city, people
):
    worker = people["grid_worker"]
    login(client, people["city_admin"])
    client.post(f"/users/{worker.pk}/edit/", {"full_name": "王小磊", "mobile": "+86 139-0000-1111"})
    worker.refresh_from_db()
    assert (worker.full_name, worker.mobile) == ("王小磊", "13900001111")
    entry = AuditEntry.objects.filter(event_type="update", object_id=str(worker.pk)).latest("id")
    assert entry.detail == {"mobile_changed": True}
    assert "13900001111" not in str(entry.changes)
    page = client.get(f"/users/{worker.pk}/").content.decode()
    assert "13900001111" not in page and "139****1111" in page
    response = client.post(
        f"/users/{worker.pk}/edit/", {"full_name": "王小磊", "mobile": "12345"}, follow=True
    )
    assert "手机号格式不正确" in response.content.decode()
