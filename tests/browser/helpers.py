"""Browser settings and what the journeys do again and again: open the menu, log in."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

# Debian's Chromium (`make browser`); Playwright never downloads one.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}


def open_menu(page: Page, viewport: str) -> None:
    """The header menu is always shown on the desktop; on the phone it sits
    behind the ☰ toggle."""
    nav = page.locator("header nav.nav")
    if viewport == "phone" and not nav.is_visible():
        page.locator("label.nav-toggle-label").click()
    expect(nav).to_be_visible()


def menu_link(page: Page, viewport: str, name: str) -> Locator:
    """The menu link called exactly ``name``, ready to click: the menu opened
    and, on the desktop, the dropdown group holding the link unfolded. On the
    phone groups are always-open sections, so opening the menu is enough."""
    open_menu(page, viewport)
    nav = page.locator("header nav.nav")
    if viewport != "phone":
        group = nav.locator("details.menu-group").filter(
            has=page.get_by_role("link", name=name, exact=True, include_hidden=True)
        )
        if group.count() and group.get_attribute("open") is None:
            group.locator("summary").click()
    return nav.get_by_role("link", name=name, exact=True)


def log_in(page: Page, username: str, password: str, *, totp_device=None) -> None:
    """Log in through the login form; with ``totp_device`` also type its
    current code on the two-factor page."""
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    if totp_device is not None:
        expect(page).to_have_url(re.compile(r"/accounts/2fa/"))
        page.locator("input[name=code]").fill(totp_code(totp_device))
        page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/$"))


def totp_device_for(user):
    """A confirmed TOTP device, as if the user had already bound one."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="browser-test", confirmed=True)


def totp_code(device) -> str:
    from django_otp.oath import TOTP

    totp = TOTP(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift
    )
    return f"{totp.token():06d}"
