"""The English catalogue: complete, compiled, and used.

The UI is written in Chinese (zh-hans) and translated through
``shequ/locale/en/LC_MESSAGES/django.po``. Both the .po and the compiled .mo
are committed, because a fresh machine has no GNU gettext tools. After adding
strings, run ``make messages``, translate every new entry, and commit both.

These tests read the .po with a small parser of their own (no dependency) and
check that what Django actually serves (from the .mo) is what the .po says.
"""

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

PO_PATH = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')
_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # 0 for a singular entry

    @property
    def label(self) -> str:
        return f"django.po:{self.line} {self.msgid!r}"


def _unquote(literal: str) -> str:
    # PO strings use C escapes (\n, \t, \", \\), which Python string literals share.
    return ast.literal_eval(literal)


def parse_po(path: Path) -> list[Entry]:
    """Every entry of the .po, the header included (its msgid is "").
    Obsolete entries (``#~``) are skipped."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None  # which field continuation lines extend

    def finish():
        nonlocal current, target
        if current is not None:
            entries.append(current)
        current, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#"):
            # A comment after a msgstr opens a new entry.
            if current is not None and target is not None:
                finish()
            if current is None:
                current = Entry(line=number)
            if line.startswith("#,"):
                current.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, literal = match.groups()
            if current is None or (
                keyword in ("msgid", "msgctxt") and target is not None and target[0] == "msgstr"
            ):
                finish()
                current = Entry(line=number)
            value = _unquote(literal)
            if keyword.startswith("msgstr"):
                target = ("msgstr", int(index) if index is not None else 0)
                current.msgstr[target[1]] = value
            else:
                target = (keyword, 0)
                setattr(current, keyword, value)
            continue
        if line.startswith('"') and current is not None and target is not None:
            value = _unquote(line)
            if target[0] == "msgstr":
                current.msgstr[target[1]] += value
            else:
                setattr(current, target[0], getattr(current, target[0]) + value)
            continue
        raise AssertionError(f"django.po:{number}: cannot parse {raw!r}")
    finish()
    return entries


@pytest.fixture(autouse=True)
def _no_language_leak():
    """LocaleMiddleware activates the request's language on the test thread and
    leaves it active; without this, later tests that match Chinese messages
    would run in English."""
    yield
    translation.deactivate()


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    assert PO_PATH.is_file(), f"{PO_PATH} is missing: run `make messages`"
    return parse_po(PO_PATH)


@pytest.fixture(scope="module")
def messages(entries) -> list[Entry]:
    return [e for e in entries if e.msgid != ""]


def test_catalogue_has_entries(entries, messages):
    headers = [e for e in entries if e.msgid == ""]
    assert len(headers) == 1
    assert "Language: en\n" in headers[0].msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in headers[0].msgstr[0]
    assert len(messages) > 300  # the whole UI, not a stub


def test_no_fuzzy_entries(entries):
    fuzzy = [e.label for e in entries if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy entries (check the translation, then drop the flag): {fuzzy}"


def test_no_empty_translations(messages):
    empty = [
        e.label for e in messages if not e.msgstr or any(not s.strip() for s in e.msgstr.values())
    ]
    assert not empty, f"untranslated entries: {empty}"


def test_plural_entries_have_both_forms(messages):
    for e in messages:
        if e.msgid_plural is not None:
            assert sorted(e.msgstr) == [0, 1], e.label
        else:
            assert sorted(e.msgstr) == [0], e.label


def test_placeholders_are_kept(messages):
    wrong = []
    for e in messages:
        expected = sorted(_PLACEHOLDER.findall(e.msgid))
        for text in e.msgstr.values():
            if sorted(_PLACEHOLDER.findall(text)) != expected:
                wrong.append(f"{e.label} → {text!r}")
    assert not wrong, f"placeholders differ between msgid and msgstr: {wrong}"


def test_no_chinese_left_in_english(messages):
    # Only the native name of the Chinese language itself may stay Chinese.
    han = re.compile(r"[\u3400-\u9fff]")
    left = [
        e.label
        for e in messages
        if e.msgid != "简体中文" and any(han.search(s) for s in e.msgstr.values())
    ]
    assert not left, f"English entries still containing Chinese: {left}"


def test_compiled_catalogue_matches_po(messages):
    """What Django serves in English (read from the committed .mo) is exactly
    the .po: catches a .mo that was not recompiled after editing the .po."""
    assert MO_PATH.is_file(), f"{MO_PATH} is missing: run `make messages` and commit the .mo"
    stale = []
    with translation.override("en"):
        for e in messages:
            if e.msgid_plural is None:
                if e.msgctxt is None:
                    got = translation.gettext(e.msgid)
                else:
                    got = translation.pgettext(e.msgctxt, e.msgid)
                if got != e.msgstr[0]:
                    stale.append(f"{e.label}: .mo gives {got!r}, .po says {e.msgstr[0]!r}")
                continue
            for n, form in ((1, 0), (2, 1)):
                if e.msgctxt is None:
                    got = translation.ngettext(e.msgid, e.msgid_plural, n)
                else:
                    got = translation.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n)
                if got != e.msgstr[form]:
                    stale.append(
                        f"{e.label} (n={n}): .mo gives {got!r}, .po says {e.msgstr[form]!r}"
                    )
    assert not stale, "django.mo is stale, run `make messages` and commit it:\n" + "\n".join(
        stale[:20]
    )


def test_chinese_is_unchanged_without_the_catalogue():
    with translation.override("zh-hans"):
        assert translation.gettext("登录") == "登录"


# --- The catalogue in use -------------------------------------------------------------------


def _login_page(client, **extra):
    response = client.get(reverse("core:login"), **extra)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_login_page_in_english_by_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _login_page(client)
    assert '<html lang="en">' in html
    assert "<h1>Log in</h1>" in html
    assert "Username or mobile number" in html
    assert "用户名或手机号" not in html


@pytest.mark.django_db
def test_login_page_in_english_by_accept_language(client):
    html = _login_page(client, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="en">' in html
    assert "<h1>Log in</h1>" in html
    assert "Username or mobile number" in html


@pytest.mark.django_db
def test_login_page_is_chinese_by_default(client):
    html = _login_page(client)
    assert '<html lang="zh-hans">' in html
    assert "<h1>登录</h1>" in html
    assert "用户名或手机号" in html
    assert "Log in" not in html
    assert "Username or mobile number" not in html


@pytest.mark.django_db
def test_language_switch_button_sets_english(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("core:login")}
    )
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = _login_page(client)
    assert '<html lang="en">' in html
    assert "Username or mobile number" in html


def test_signed_in_pages_in_english(client, city, people):
    from shequ.core.tests.factories import login

    login(client, people["street_staff"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("core:home")).content.decode()
    assert '<html lang="en">' in html
    for text in ("Community Governance Platform", "My account", "Log out", "Areas"):
        assert text in html
    html = client.get(reverse("core:area_detail", args=[city.streets["A"].pk])).content.decode()
    assert "Sub-areas" in html
    assert "下级区域" not in html
