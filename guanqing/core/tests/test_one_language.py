"""One language per page, the user's: no "中文 / English" pairs in messages, no English subtitles
under Chinese titles; a refusal reads Chinese by default and English for a user who chose English,
on a page, from the API and in an Excel import's error rows."""

from __future__ import annotations

import ast
import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from guanqing.accounts.models import User
from guanqing.conftest import api_as, client_for
from guanqing.core.models import AuditEvent
from guanqing.core.tests.test_i18n import english_client
from guanqing.registry.models import Division, Household, Member, PartyOrg, Unit
from guanqing.registry.tests.excel_helpers import HOUSEHOLD_HEADERS, household_row, xlsx_upload
from guanqing.wishes import services as wish_services
from guanqing.wishes.tests.factories import make_wish, wish_world

BASE = Path(settings.BASE_DIR)
CJK = re.compile(r"[\u4e00-\u9fff]")
# Chinese (or a full-width bracket) before a slash, English after: "请填写用户名 / username is required"
PAIR = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef][^/\n]*?\s?/\s+[A-Za-z`(]")
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
# brand and product names read the same in both languages
NAMES = {
    "Guanqing",
    "Excel",
    "PDF",
    "EN",
    "Open311",
    "GeoReport",
}  # names, the same in every language


def _python_sources():
    for path in sorted((BASE / "guanqing").rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        yield path


def _docstrings(tree) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _literals(tree):
    """Every string literal with its text, an f-string's holes as {}; docstrings left out."""
    skip = _docstrings(tree)
    inside_fstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            inside_fstrings.update(id(v) for v in node.values)
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            yield node.lineno, text
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skip | inside_fstrings
        ):
            yield node.lineno, node.value


def test_no_python_message_pairs_chinese_with_english():
    """Messages are gettext with the Chinese msgid; the English lives in the .po file."""
    pairs = []
    for path in _python_sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, text in _literals(tree):
            if PAIR.search(text):
                pairs.append(f"{path.relative_to(BASE)}:{line}: {text[:60]}")
    assert pairs == []


def _template_paths():
    yield from (BASE / "guanqing").glob("*/templates/**/*.html")


def _visible_text(template: str) -> str:
    """The template's literal text: comments, tags, variables, scripts and styles left out."""
    text = re.sub(r"\{#.*?#\}", " ", template, flags=re.S)
    text = re.sub(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", " ", text, flags=re.S)
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", " ", text, flags=re.S)
    return re.sub(r"<[^>]*>", " ", text, flags=re.S)


def test_no_template_hard_codes_english_text():
    """Every word a template shows goes through {% translate %}: no English subtitle under a
    Chinese title, no title that an English page shows twice."""
    found = []
    for path in _template_paths():
        template = path.read_text(encoding="utf-8")
        words = set(ENGLISH_WORD.findall(_visible_text(template))) - NAMES
        if words:
            found.append(f"{path.relative_to(BASE)}: {sorted(words)}")
        chinese_only = re.search(r"LANGUAGE_CODE == ['\"]zh-hans['\"]", template)
        # base.html's language switch marks the current language: the one allowed use
        if chinese_only and path.name != "base.html":
            found.append(f"{path.relative_to(BASE)}: shows something on Chinese pages only")
    assert found == []


# --- pages ------------------------------------------------------------------------------------

PAGES = {
    "committee": [
        "/",
        "/registry/households/",
        "/registry/members/",
        "/registry/units/",
        "/registry/party-orgs/",
        "/registry/divisions/",
        "/registry/excel/",
        "/pairing/",
        "/pairing/board/",
        "/pairing/visits/",
        "/pairing/partnerships/",
        "/pairing/figures/",
        "/wishes/figures/",
        "/community/figures/",
        "/calendar/",
        "/notifications/",
    ],
    "member": ["/pairing/mine/", "/wishes/", "/wishes/mine/", "/community/"],
    "community_worker": [
        "/wishes/manage/",
        "/community/activities/",
        "/community/registrations/",
        "/community/ratings/",
    ],
    "system_admin": ["/accounts/users/"],
    "security_admin": ["/accounts/security/"],
    "audit_admin": ["/audit/"],
}


def _headings(html: str) -> list[str]:
    found = re.findall(r"<(h[1-3])\b[^>]*>(.*?)</\1>", html, flags=re.S)
    title = re.findall(r"<title>(.*?)</title>", html, flags=re.S)
    texts = [text for _tag, text in found] + title
    return [" ".join(unescape(re.sub(r"<[^>]*>", " ", t)).split()) for t in texts]


def _data_names() -> list[str]:
    """Names stored in the database: shown as registered on English pages too."""
    names = ["关情"]  # the brand
    names += Division.objects.values_list("name", flat=True)
    names += Unit.objects.values_list("name", flat=True)
    names += PartyOrg.objects.values_list("name", flat=True)
    names += Member.objects.values_list("name", flat=True)
    names += Household.objects.values_list("head_name", flat=True)
    for username, display_name in User.objects.values_list("username", "display_name"):
        names += [username, display_name]
    return sorted(set(names) - {""}, key=len, reverse=True)


@pytest.mark.parametrize("role", sorted(PAGES))
def test_page_headings_are_in_one_language(world, role):
    user = getattr(world.users, role)
    chinese, english = client_for(user), english_client(user)
    names = _data_names()
    mixed = []
    for url in PAGES[role]:
        response = chinese.get(url)
        assert response.status_code == 200, url
        for heading in _headings(response.content.decode()):
            text = heading
            for name in names:
                text = text.replace(name, " ")
            words = set(ENGLISH_WORD.findall(text)) - NAMES
            if words:
                mixed.append(("zh-hans", url, heading))
        response = english.get(url)
        assert response.status_code == 200, url
        for heading in _headings(response.content.decode()):
            text = heading
            for name in names:
                text = text.replace(name, " ")
            if CJK.search(text):
                mixed.append(("en", url, heading))
    assert mixed == []


# --- the same refusal in the reader's language ------------------------------------------------


def test_a_refusal_on_a_page_follows_the_readers_language(world):
    """The wish card answers 409 with the service's message: Chinese, or English if chosen."""
    ww = wish_world(world)
    wish = make_wish(ww, "published", title="再看一次东钱湖")
    wish_services.wish_claim(actor=ww.users.colleague, wish=wish)
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "wish-card"}

    response = client_for(ww.users.member).post(f"/wishes/{wish.pk}/claim/", **htmx)
    assert response.status_code == 409
    html = response.content.decode()
    assert "这个心愿已被认领满了" in html
    assert "already been claimed" not in html

    response = english_client(ww.users.member).post(f"/wishes/{wish.pk}/claim/", **htmx)
    assert response.status_code == 409
    html = response.content.decode()
    assert "This wish has already been claimed by as many members as it needs" in html
    assert "这个心愿已被认领满了" not in html


def _create_user(client):
    payload = {
        "username": "committee",  # taken
        "password": "Passw0rd-2026!",
        "display_name": "新用户",
        "role": "unit_admin",
    }
    return client.post("/api/v1/users/", payload, format="json")


def test_an_api_400_is_chinese_by_default_and_english_with_the_language_cookie(world):
    before = AuditEvent.objects.count()
    chinese = api_as(world.users.system_admin)
    chinese.credentials(HTTP_ACCEPT_LANGUAGE="en")  # the browser's language alone changes nothing
    response = _create_user(chinese)
    assert response.status_code == 400
    assert response.json()["username"] == ["用户名“committee”已被使用"]

    english = api_as(world.users.system_admin)
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = _create_user(english)
    assert response.status_code == 400
    assert response.json()["username"] == ['The username "committee" is already taken']
    assert AuditEvent.objects.count() == before


def test_an_excel_import_error_row_follows_the_readers_language(world):
    full = zip(HOUSEHOLD_HEADERS, household_row(1, world.community.code), strict=True)
    headers, row = zip(*[(h, v) for h, v in full if h != "社区/村代码"], strict=True)

    def reasons(client: Client) -> list[str]:
        upload = xlsx_upload(list(headers), [list(row)])
        response = client.post("/registry/excel/", {"kind": "households", "file": upload})
        assert response.status_code == 200
        return [error.reason for error in response.context["result"].errors]

    assert "缺少必填列" in reasons(client_for(world.users.community_worker))
    assert "Required column is missing" in reasons(english_client(world.users.community_worker))
    assert not Household.objects.filter(head_name="导入户主1").exists()
