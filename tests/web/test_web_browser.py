"""The web view in a real browser (Debian's Chromium, driven by Playwright): what a
person sees on each page. Each test saves a screenshot in test-artifacts/web/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.engine import Engine
from bot.models import Actor
from bot.moderation import Moderation
from bot.web.app import PASSWORD_ENV
from tests.web.conftest import Server, WebData, start_web, stop_web

EDITOR = Actor(id=None, name="Carol Editor", guild_id=None, owner=True)


def test_home_links_every_page(page, web_server: Server, screenshot: Callable) -> None:
    page.goto(web_server.url + "/")
    for name in ("Subjects", "Sources", "Unanswered questions", "Questions per day"):
        assert page.get_by_role("link", name=name).first.is_visible()
    shows = page.locator("ul.home-shows > li")  # the shows, each with its facts
    assert shows.filter(has_text="Jessica Jones").first.is_visible()
    assert shows.filter(has_text="Jessica Jones").locator(".badge").inner_text().endswith("facts")
    screenshot("home")


def test_subjects_list_shows_and_their_seasons(
    page, web_server: Server, screenshot: Callable
) -> None:
    page.goto(web_server.url + "/showbot/subjects")
    shows = page.locator("ul.subjects-show > li")
    assert shows.filter(has_text="Jessica Jones").count() == 1
    jj = shows.filter(has_text="Jessica Jones").first
    assert jj.get_by_role("link", name="season 2").is_visible()
    screenshot("subjects")
    jj.get_by_role("link", name="season 2").click()
    assert page.locator("h1").inner_text().startswith("Jessica Jones season 2")
    page.go_back()
    page.get_by_role("link", name="Characters").click()
    assert page.locator("ul.subjects-character").get_by_text("Trish Walker").is_visible()
    assert page.locator("ul.subjects-show").count() == 0


def test_subject_page_facts_citations_and_a_hidden_spoiler(
    page, web_server: Server, web_store: WebData, screenshot: Callable
) -> None:
    page.goto(web_server.url + "/showbot/subjects")
    page.locator("ul.subjects-show").get_by_role("link", name="Jessica Jones").click()
    assert page.locator("h1").inner_text().startswith("Jessica Jones")
    rumor = page.locator(f"#fact-{web_store.rumor_id}")
    # Its citation is there, the fact's id as the bot's commands use it, its status...
    assert "Web view test article" in rumor.locator(".cite").inner_text()
    assert "The Test Gazette" in rumor.locator(".cite").inner_text()
    link = rumor.locator(".cite a")
    assert link.get_attribute("href") == "https://example.org/article"
    assert rumor.locator(".fact-id").inner_text() == f"#{web_store.rumor_id}"
    assert "rumor" in rumor.locator(".status").inner_text()
    assert "as of May 2026" in rumor.inner_text()
    # ...and its words are hidden until clicked, as on Discord.
    words = rumor.get_by_text("season 3 brings back Kilgrave")
    assert not words.is_visible()
    screenshot("subject-spoiler-hidden")
    rumor.locator("summary").click()
    assert words.is_visible()
    screenshot("subject-spoiler-shown")
    # A prediction that came true says so, and stays hidden (no moderator lifted the tag).
    page.goto(f"{web_server.url}/fact/{web_store.predicted_id}")
    predicted = page.locator(f"#fact-{web_store.predicted_id}")
    assert predicted.locator(".outcome").inner_text() == "predicted in May 2026: came true"
    assert not predicted.get_by_text("Trish becomes Hellcat").is_visible()
    assert "fact.resolve" in page.locator("table.history").inner_text()
    # A confirmed fact is shown as it is.
    page.goto(web_server.url + "/search?q=jessica+jones+s2")
    page.locator("p.best a").click()
    assert page.get_by_text("officially confirmed in January 2016").first.is_visible()


def test_sources_list_the_facts_citing_them(
    page, web_server: Server, web_store: WebData, screenshot: Callable
) -> None:
    page.goto(web_server.url + "/showbot/sources")
    section = page.locator("section.source").filter(has_text="Web view test article")
    assert section.locator(f"#fact-{web_store.rumor_id}").count() == 1
    assert section.get_by_role("link", name="Jessica Jones").first.is_visible()
    seeded = page.locator("section.source").filter(has_text="Filming Set For 2017")
    assert seeded.locator("li.fact").count() == 5  # the first five, and a link to all
    screenshot("sources")
    cited = int(seeded.locator("p.citing").inner_text().split()[2])
    assert cited > 5
    seeded.get_by_role("link", name=f"all {cited}").click()
    assert page.locator("section.source").count() == 1
    assert page.locator("li.fact").count() == cited


def test_history_of_a_fact_edited_while_the_server_runs(
    page, web_store: WebData, tmp_path: Path, screenshot: Callable
) -> None:
    db = web_store.path.with_name("edited.db")
    db.write_bytes(web_store.path.read_bytes())  # its own copy: the edit must not leak
    server = start_web(db)
    try:
        page.goto(f"{server.url}/fact/{web_store.rumor_id}")
        assert page.locator("tr.version").count() == 1
        engine = Engine.open(db)  # the bot, or the CLI, writing meanwhile
        try:
            Moderation(engine).edit_fact(
                EDITOR,
                web_store.rumor_id,
                expected_version=1,
                status="reported",
                text="Reported: season 3 brings back Kilgrave.",
            )
        finally:
            engine.close()
        page.reload()
        rows = page.locator("tr.version")
        assert rows.count() == 2
        newest = rows.first.inner_text()
        assert "v2" in newest and "Carol Editor" in newest and "fact.edit" in newest
        assert "rumor" in rows.first.locator(".was").all_inner_texts()  # before -> after
        assert "reported" in rows.first.locator(".now").all_inner_texts()
        assert "Alice Moderator" in rows.last.inner_text()
        # No longer a rumor: shown without a click.
        assert page.get_by_text("Reported: season 3 brings back Kilgrave.").first.is_visible()
        screenshot("fact-history")
    finally:
        stop_web(server)


def test_gaps_and_questions_per_day(page, guild_server: Server, screenshot: Callable) -> None:
    page.goto(guild_server.url + "/showbot/gaps")
    first = page.locator("table.gaps tbody tr").first
    assert "!who is the green goblin" in first.inner_text()
    assert first.locator("td").nth(1).inner_text() == "2"
    screenshot("gaps")
    page.goto(guild_server.url + "/showbot/questions_per_day")
    assert page.locator("svg.chart rect.asked").count() == 30  # a bar a day, quiet ones too
    assert "3 questions" in page.locator("p.rate").inner_text()  # the server's own
    screenshot("questions-per-day")


def test_search_finds_names_with_typos_and_fact_words(
    page, web_server: Server, screenshot: Callable
) -> None:
    page.goto(web_server.url + "/")
    page.get_by_role("searchbox").fill("kilgrav")
    page.get_by_role("button", name="Search").click()
    assert "Killgrave" in page.locator("p.best").inner_text()  # two typos away
    page.get_by_role("searchbox").fill("bloomberg production")
    page.get_by_role("button", name="Search").click()
    assert page.locator("ul.facts li.fact").filter(has_text="Bloomberg").count() >= 1
    screenshot("search")


def test_guild_view_shows_that_servers_facts(
    page, guild_server: Server, screenshot: Callable
) -> None:
    page.goto(guild_server.url + "/search?q=jeri+hogarth")
    page.locator("p.best a").click()
    assert page.get_by_text("A lawyer (this server only).").is_visible()
    assert page.get_by_text("Another server's own fact.").count() == 0
    screenshot("guild-subject")


def test_behind_a_password_nothing_shows_until_logged_in(
    page, web_store: WebData, screenshot: Callable
) -> None:
    from datasette_auth_passwords.utils import hash_password

    server = start_web(web_store.path, env={PASSWORD_ENV: hash_password("s3cret-words")})
    try:
        for path in ("/", "/showbot/subjects.json", f"/fact/{web_store.rumor_id}", "/search?q=x"):
            status, body = server.get(path)
            assert status in (302, 403) or "Log in" in body, path
            assert "Kilgrave" not in body and "Jessica" not in body, path
        page.goto(server.url + "/showbot/sources")
        assert "/-/login" in page.url
        page.fill("#id_username", "moderator")
        page.fill("#id_password", "wrong")
        page.click("input[type=submit]")
        assert "Invalid username or password" in page.content()
        page.fill("#id_username", "moderator")
        page.fill("#id_password", "s3cret-words")
        page.click("input[type=submit]")
        page.goto(server.url + "/showbot/sources")
        assert page.locator("section.source").count() >= 2
        screenshot("logged-in-sources")
    finally:
        stop_web(server)
