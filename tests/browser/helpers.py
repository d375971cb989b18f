"""Browser settings and what the journeys do again and again: open the menu, log in."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

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
    if viewport == "phone":
        expect(nav).to_be_hidden()
        page.locator("label.nav-toggle-label").click()
    expect(nav).to_be_visible()


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
