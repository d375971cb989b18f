"""Project-wide test fixtures: the canonical test city (two streets × two
communities × two grids), one user per role, and a guard that no log line
carries an ID or mobile number (SECURITY.md row 19)."""

import logging
import os
import re
import shutil
import tempfile

import pytest

os.environ.setdefault(
    "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
)  # Playwright's sync API in live-server tests

_TEST_MEDIA = None


def pytest_configure(config):
    """Uploads and generated files go to a throwaway directory, not var/media."""
    global _TEST_MEDIA
    from django.conf import settings

    _TEST_MEDIA = tempfile.mkdtemp(prefix="shequ-test-media-")
    settings.MEDIA_ROOT = _TEST_MEDIA


def pytest_unconfigure(config):
    if _TEST_MEDIA:
        shutil.rmtree(_TEST_MEDIA, ignore_errors=True)


ID18 = re.compile(r"\b[1-9]\d{5}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dXx]\b")
PHONE = re.compile(r"\b1[3-9]\d{9}\b")


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        try:
            self.lines.append(self.format(record))
        except Exception:  # noqa: BLE001
            self.lines.append(str(record.msg))


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = [
        "shequ.core.tests.hashers.FastArgon2PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def default_language():
    """A request in English leaves English active in the thread; start each test in Chinese."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def no_personal_data_in_logs():
    handler = _Capture()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    leaked = [line for line in handler.lines if ID18.search(line) or PHONE.search(line)]
    assert not leaked, f"personal data in logs: {leaked[:3]}"


@pytest.fixture
def city(db):
    from shequ.core.tests.factories import build_city

    return build_city()


@pytest.fixture
def people(city):
    from shequ.core.tests.factories import build_people

    return build_people(city)
