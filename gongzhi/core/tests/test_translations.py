"""The Chinese catalogue: complete, placeholders intact, nothing in the code missing from it, and
the pages in Chinese by default and in English after the language switch.

When a test here fails after you added or changed a string: `./run messages`, then translate the
new or fuzzy entries of gongzhi/locale/zh_Hans/LC_MESSAGES/django.po (docs/GLOSSARY.md)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from gongzhi.core.catalogues import LOCALE_DIR, progress

PO = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"
# What `./run messages` leaves out of makemessages' walk (keep the two lists alike).
IGNORED = [".venv", "node_modules", "var", "bench", "static_root", "build"]

# %(name)s and its flags, %s / %d, %%; and str.format's {name}.
PERCENT = re.compile(r"%(?:\(\w+\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")
BRACES = re.compile(r"(?<!\{)\{\w*\}(?!\})")


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(PO))


def key(e: polib.POEntry) -> str:
    return f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt else e.msgid


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    p = progress(PO)
    todo = [key(e) for e in catalogue.untranslated_entries()]
    todo += [f"(fuzzy) {key(e)}" for e in catalogue.fuzzy_entries()]
    assert not todo, "translate these in django.po (./run messages lists them):\n" + "\n".join(todo)
    assert p.translated > 1000 and p.complete


def test_the_catalogue_is_for_chinese_with_one_plural_form(catalogue):
    assert catalogue.metadata["Language"] == "zh_Hans"
    assert catalogue.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert catalogue.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    for e in catalogue:
        if e.msgid_plural:
            assert list(e.msgstr_plural) == [0], e.msgid


def placeholders(entry: polib.POEntry, text: str) -> list[str]:
    found = BRACES.findall(text)
    if "python-format" in entry.flags:
        found += [m for m in PERCENT.findall(text) if m != "%%"]
    return sorted(found)


def test_every_translation_keeps_the_placeholders_of_its_msgid(catalogue):
    wrong = []
    for e in catalogue.translated_entries():
        # Chinese has one form, which serves every count: it uses the plural msgid's names.
        source = e.msgid_plural or e.msgid
        strs = list(e.msgstr_plural.values()) if e.msgid_plural else [e.msgstr]
        want = sorted(set(placeholders(e, source)))
        for s in strs:
            if sorted(set(placeholders(e, s))) != want:
                wrong.append(f"{e.msgid!r} → {s!r}: wants {want}")
    assert not wrong, "\n".join(wrong)


def test_the_placeholder_check_catches_a_dropped_or_renamed_name():
    e = polib.POEntry(msgid="Case %(number)s taken in.", flags=["python-format"])
    assert placeholders(e, "已受理案件 %(number)s。") == ["%(number)s"]
    assert placeholders(e, "已受理案件。") == []
    assert placeholders(e, "已受理案件 %(numbers)s。") == ["%(numbers)s"]
    assert placeholders(e, "已完成 100%%") == []


def _sources_only(directory: str, names: list[str]) -> list[str]:
    """copytree's filter: the files makemessages reads (.py, .html, .txt), no catalogue."""
    skip = []
    for name in names:
        path = Path(directory) / name
        if path.is_dir():
            if name in ("locale", "static", "__pycache__", *IGNORED):
                skip.append(name)
        elif path.suffix not in (".py", ".html", ".txt"):
            skip.append(name)
    return skip


@pytest.fixture
def msgids_in_the_code(settings, tmp_path, monkeypatch) -> set[str]:
    """What makemessages collects from the code now. It runs on a copy of the sources, so it
    can never touch the real catalogue, and writes an empty catalogue of its own."""
    if shutil.which("xgettext") is None:
        pytest.fail("makemessages needs GNU gettext: apt-get install gettext (./run test does)")
    root = Path(settings.BASE_DIR)
    copy = tmp_path / "src"
    shutil.copytree(root / "gongzhi", copy / "gongzhi", ignore=_sources_only)
    shutil.copy(root / "manage.py", copy / "manage.py")
    out = tmp_path / "catalogue"
    settings.LOCALE_PATHS = [out]
    monkeypatch.chdir(copy)
    call_command(
        "makemessages",
        locale=["zh_Hans"],
        ignore_patterns=IGNORED,
        no_obsolete=True,
        add_location="never",
        verbosity=0,
    )
    fresh = polib.pofile(str(out / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    return {key(e) for e in fresh if e.msgid}


def test_makemessages_finds_no_msgid_missing_from_the_catalogue(catalogue, msgids_in_the_code):
    assert len(msgids_in_the_code) > 1000  # the walk found the code
    missing = sorted(msgids_in_the_code - {key(e) for e in catalogue})
    assert not missing, (
        "strings in the code that the catalogue lacks; run ./run messages and translate them:\n"
        + "\n".join(missing)
    )


# --- The pages, in Chinese by default and in English after the switch ---------------------


def switch_to_english(client) -> None:
    """The language menu in the navigation bar posts to Django's set_language, which sets the
    cookie that LanguageMiddleware reads."""
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_login_page_is_in_chinese_then_in_english(client):
    login = reverse("accounts:login")
    page = text(client.get(login))
    assert '<html lang="zh-hans"' in page
    for zh in ("登录共治平台", "用户名", "密码", "无需账号，直接反映问题"):
        assert zh in page
    assert "Log in to Gongzhi" not in page

    switch_to_english(client)
    page = text(client.get(login))
    assert '<html lang="en"' in page
    for en in ("Log in to Gongzhi", "Username", "Password", "Report a problem without an account"):
        assert en in page
    assert "登录共治平台" not in page


def nav_labels(page: str) -> dict[str, str]:
    """The navigation bar's entries: data-nav key → label."""
    return {
        k: re.sub(r"<[^>]+>", "", label).strip()
        for k, label in re.findall(r'data-nav="(\w+)"><i class="[^"]*"></i> ([^<]*)', page)
    }


@pytest.mark.django_db
def test_the_navigation_follows_the_language(client, world):
    client.force_login(world.operator)
    page = text(client.get(reverse("core:home")))
    zh = nav_labels(page)
    assert zh["home"] == "首页"
    assert zh["map"] == "地图"
    assert zh["cases"] == "案件队列"
    assert zh["org"] == "组织架构"
    assert zh["areas"] == "居民区"
    assert "退出登录" in page and "欢迎您" in page

    switch_to_english(client)
    page = text(client.get(reverse("core:home")))
    en = nav_labels(page)
    assert en.keys() == zh.keys()
    assert en["home"] == "Home"
    assert en["map"] == "Map"
    assert en["cases"] == "Case queue"
    assert en["org"] == "Organisation"
    assert en["areas"] == "Residential areas"
    assert "Log out" in page and "Welcome" in page


@pytest.mark.django_db
def test_the_case_queue_is_in_chinese_then_in_english(client, world):
    client.force_login(world.operator)
    queue = reverse("cases:queue")
    page = text(client.get(queue))
    for zh in ("案件队列", "受理反映", "剩余时间", "来源渠道", "职能部门", "没有符合条件的案件。"):
        assert zh in page, zh
    assert "Time left" not in page

    switch_to_english(client)
    page = text(client.get(queue))
    for en in ("Case queue", "Take in a report", "Time left", "Channel", "No cases match."):
        assert en in page, en
    assert "剩余时间" not in page


def map_config(page: str) -> dict[str, object]:
    m = re.search(r'<script id="gz-map-config" type="application/json">(.*?)</script>', page, re.S)
    assert m, "the map page carries its script's configuration"
    return json.loads(m.group(1))


@pytest.mark.django_db
def test_the_map_page_and_its_script_words_are_in_chinese_then_in_english(client, world):
    client.force_login(world.secretary)
    url = reverse("places:map")
    page = text(client.get(url))
    assert "街道地图" in page and "我在哪个网格？" in page
    labels = map_config(page)["labels"]
    assert labels["grids"] == "网格" and labels["my_location"] == "我在哪个网格？"

    switch_to_english(client)
    page = text(client.get(url))
    assert "Map of the subdistrict" in page and "Which grid am I in?" in page
    labels = map_config(page)["labels"]
    assert labels["grids"] == "Grids" and labels["my_location"] == "Which grid am I in?"


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_chinese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = text(client.get(reverse("accounts:login")))
    assert "登录共治平台" in page


def test_the_compiled_catalogue_is_current():
    mo = PO.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= PO.stat().st_mtime
    assert Path(settings.LOCALE_PATHS[0]) == LOCALE_DIR


# --- Every page in Chinese ------------------------------------------------------------------------

VISIBLE = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S)


def _visible_text(html: str) -> str:
    import html as html_lib

    return html_lib.unescape(VISIBLE.sub(" ", html))


def _interface_phrases(catalogue: polib.POFile) -> list[str]:
    """The interface's English phrases that a Chinese page must not show: msgids of two words
    or more, letters and spaces only, translated to something else."""
    out = []
    for e in catalogue:
        msgid = e.msgid
        if e.msgid_plural or not e.msgstr or e.msgstr == msgid:
            continue
        if re.fullmatch(r"[A-Za-z][A-Za-z' ]+[a-z]", msgid) and len(msgid.split()) >= 2:
            out.append(msgid)
    return out


@pytest.mark.django_db
def test_every_page_a_role_opens_is_in_chinese(client, catalogue, world):
    """Each role's pages (home, queue, a case, the inbox, tasks, statistics, audit, organisation,
    people, areas, map, inbox of notices, duty, calendar, the public pages), rendered in the
    default language: none shows an English phrase of the interface's catalogue."""
    from gongzhi.cases import services
    from gongzhi.cases.tests.conftest import advance, make_centre

    centre = make_centre(world)
    case = advance(centre.intake(grid="a1"), "dispatched", centre)
    phrases = _interface_phrases(catalogue)
    assert len(phrases) > 100  # the check has something to check
    pages = {
        "operator": [
            "core:home",
            "cases:queue",
            ("cases:detail", case.pk),
            "cases:intake",
            "cases_stats:index",
            "org:chart",
            "org:people",
            "org:area_list",
            "places:map",
            "notifications:inbox",
            "duty:desk",
        ],
        "handler": ["core:home", "cases:inbox", ("cases:detail", case.pk)],
        "inspector": ["core:home", "cases:tasks", "cases:inspector_report"],
        "secretary": ["core:home", "cases:queue"],
        "auditor": ["audit:list"],
        "admin": ["core:home", "worktime:this_year"],
        "resident": ["core:home", "cases:report"],
    }
    services.case_comment(actor=world.operator, case=case, note="已电话联系")
    found = {}
    for persona, names in pages.items():
        client.force_login(getattr(world, persona))
        for name in names:
            url = reverse(name[0], args=name[1:]) if isinstance(name, tuple) else reverse(name)
            response = client.get(url, follow=True)
            assert response.status_code == 200, url
            shown = _visible_text(response.content.decode())
            left = [
                p for p in phrases if re.search(rf"(?<![A-Za-z]){re.escape(p)}(?![A-Za-z])", shown)
            ]
            if left:
                found[f"{persona} {url}"] = left
    assert found == {}
    # The same check on an English page finds the interface's phrases: it can fail.
    switch_to_english(client)
    shown = _visible_text(client.get(reverse("cases:queue")).content.decode())
    assert [p for p in phrases if p in shown]
