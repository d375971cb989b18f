"""Browser tests: Playwright drives Debian's Chromium against pytest-django's
live server, on a desktop and a phone viewport.

One browser per session, a new context (cookies, viewport) per test. Each test
leaves a full-page screenshot in ``tests/browser/screenshots/`` (gitignored),
whether it passed or not, so a failure can be looked at.

Chromium comes from Debian (``make browser``), never from ``playwright install``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, VIEWPORTS

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Debian's Chromium is not installed at {CHROMIUM}. Run `make browser` "
            "(apt-get install chromium); the browser tests never download a browser.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request) -> str:
    return request.param


@pytest.fixture
def city(transactional_db):
    """The canonical test city (see shequ/core/tests/factories.py), committed
    so the live server's thread sees it."""
    from shequ.core.tests.factories import build_city

    return build_city()


@pytest.fixture
def new_page(browser, live_server):
    """Open pages at a viewport, in a Chinese-speaking browser, with relative
    URLs going to the live server. Fails the test on any 5xx response."""
    contexts = []
    server_errors: list[str] = []

    def open_page(viewport: str):
        context = browser.new_context(
            base_url=live_server.url,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            **VIEWPORTS[viewport],
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "response", lambda r: r.status >= 500 and server_errors.append(f"{r.status} {r.url}")
        )
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not server_errors, f"server errors: {server_errors}"


@pytest.fixture
def page(request, new_page, viewport):
    """A fresh page at the test's viewport; screenshotted when the test ends."""
    page = new_page(viewport)
    yield page
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(
        path=str(SCREENSHOTS / f"{request.node.originalname}-{viewport}.png"), full_page=True
    )
