"""The English switch: the language cookie turns the UI English, the browser's language does not."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from guanqing.core.models import AuditEvent
from guanqing.registry import services
from guanqing.registry.models import Household
from guanqing.registry.tests.excel_helpers import HOUSEHOLD_HEADERS, household_row, xlsx_upload

PO_FILE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")


def english_client(user=None) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_login_page_is_english_with_the_language_cookie(db):
    html = page(english_client(), reverse("accounts:login"))
    assert '<html lang="en">' in html
    for english in ("Sign in", "Username", "Password", "Guanqing platform"):
        assert english in html
    for chinese in ("登录", "用户名", "密码", "关情平台"):
        assert chinese not in html


def test_home_page_is_english_for_the_committee(world):
    html = page(english_client(world.users.committee), "/")
    for english in ("Dashboard", "Households in difficulty", "Party members", "Working Committee"):
        assert english in html
    for chinese in ("工作台", "困难家庭", "党员干部", "机关工委", "首页"):
        assert chinese not in html


def test_household_list_is_english_for_the_committee(world):
    html = page(english_client(world.users.committee), reverse("registry:household_list"))
    for english in ("Head of household", "ID number", "Hardship category", "Register household"):
        assert english in html
    for chinese in ("户主", "身份证号码", "困难类别", "登记困难家庭", "所在社区/村"):
        assert chinese not in html
    # the data itself stays as registered
    assert world.household.head_name in html


def test_household_page_shows_the_five_clear_profile_in_english(world):
    url = reverse("registry:household_detail", args=[world.household.pk])
    html = page(english_client(world.users.committee), url)
    for english in ("Family situation", "Cause of hardship", "Outlook", "Skills", "Help needed"):
        assert english in html
    assert f"Household of {world.household.head_name}" in html
    for chinese in ("家庭情况", "致贫原因", "帮扶需求", "五清档案"):
        assert chinese not in html


def test_accept_language_english_alone_keeps_the_page_chinese(world):
    client = Client(headers={"accept-language": "en"})
    client.force_login(world.users.committee)
    html = page(client, "/")
    assert '<html lang="zh-hans">' in html
    assert "工作台" in html and "困难家庭" in html
    assert "Dashboard" not in html


def test_the_language_switch_sets_the_cookie_that_turns_pages_english(world):
    client = Client()
    client.force_login(world.users.committee)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Dashboard" in page(client, "/")


def test_english_pages_still_import_an_excel_file_with_chinese_labels(world):
    client = english_client(world.users.community_worker)
    upload = xlsx_upload(HOUSEHOLD_HEADERS, [household_row(1, world.community.code)])
    response = client.post("/registry/excel/", {"kind": "households", "file": upload})
    assert response.status_code == 200
    assert response.context["result"].ok, response.context["result"].errors
    household = Household.objects.get(head_name="导入户主1")
    assert household.category == "minimum_living"  # 低保户 in the file
    assert "Imported" in response.content.decode()


def test_excel_template_and_export_stay_chinese_on_english_pages(world):
    from io import BytesIO

    from openpyxl import load_workbook

    client = english_client(world.users.community_worker)
    for url in ("/registry/excel/template/households/", "/registry/excel/export/households/"):
        workbook = load_workbook(BytesIO(client.get(url).content))
        text = " ".join(
            str(cell)
            for ws in workbook.worksheets
            for row in ws.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
        assert "低保户" in text or "户主姓名" in text
        assert "Minimum allowance" not in text and "Households in difficulty" not in text


def test_error_rows_of_an_english_import_list_the_chinese_values_the_file_needs(world):
    client = english_client(world.users.community_worker)
    upload = xlsx_upload(
        HOUSEHOLD_HEADERS, [household_row(2, world.community.code, 困难类别="unknown")]
    )
    response = client.post("/registry/excel/", {"kind": "households", "file": upload})
    reasons = " ".join(error.reason for error in response.context["result"].errors)
    assert "低保户" in reasons and "Minimum allowance" not in reasons
    assert not Household.objects.filter(head_name="导入户主2").exists()


def test_audit_log_keeps_chinese_labels_when_the_change_is_made_in_english(world):
    with translation.override("en"):
        services.household_update(
            actor=world.users.committee, household=world.household, category="illness"
        )
    event = AuditEvent.objects.filter(object_type="registry.household", action="update").latest(
        "at"
    )
    assert event.changes["category"][1] == "因病致困"


def _po_entries(text: str) -> list[dict]:
    """A minimal .po reader: one dict per entry with its flags, msgid and msgstr[...] values."""
    entries, entry, field = [], None, None
    for raw in text.splitlines() + [""]:
        line = raw.strip()
        if not line:
            if entry is not None:
                entries.append(entry)
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "obsolete": False, "msgctxt": None, "msgid": "", "msgstr": {}}
        if line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if field in ("msgctxt", "msgid", "msgid_plural"):
                entry[field] += value
            elif field is not None and field.startswith("msgstr"):
                entry["msgstr"][field] += value
        else:
            keyword, _, rest = line.partition(" ")
            field = keyword
            value = ast.literal_eval(rest)
            if keyword in ("msgctxt", "msgid", "msgid_plural"):
                entry[keyword] = value
            elif keyword.startswith("msgstr"):
                entry["msgstr"][keyword] = value
    return entries


def test_every_english_message_is_translated_and_not_fuzzy():
    entries = [e for e in _po_entries(PO_FILE.read_text(encoding="utf-8")) if not e["obsolete"]]
    messages = [e for e in entries if e["msgid"]]
    assert len(messages) > 300
    untranslated = [e["msgid"] for e in messages if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] or "(header)" for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


def test_compiled_catalogue_matches_the_po_file():
    """The committed .mo must be rebuilt (guanqing compilemessages) whenever the .po changes."""
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    entries = [e for e in _po_entries(PO_FILE.read_text(encoding="utf-8")) if not e["obsolete"]]
    stale = []
    for e in entries:
        if not e["msgid"]:
            continue
        if "msgid_plural" in e:
            got = (
                compiled.npgettext(e["msgctxt"], e["msgid"], e["msgid_plural"], 1)
                if e["msgctxt"]
                else compiled.ngettext(e["msgid"], e["msgid_plural"], 1)
            )
            expected = e["msgstr"]["msgstr[0]"]
        else:
            got = (
                compiled.pgettext(e["msgctxt"], e["msgid"])
                if e["msgctxt"]
                else compiled.gettext(e["msgid"])
            )
            expected = e["msgstr"]["msgstr"]
        if got != expected:
            stale.append(e["msgid"])
    assert stale == []
