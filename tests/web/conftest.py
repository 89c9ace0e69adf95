"""The web view's fixtures: a database with global and one server's facts, the real
``python -m bot web`` process serving it, and Debian's Chromium driven by Playwright
(never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.models import Actor
from bot.moderation import Moderation

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("SHOWBOT_ARTIFACTS", ROOT / "test-artifacts")) / "web"

# Ids that must never appear in what the web view serves.
MOD_ID = 712_345_678_901_234_567
GUILD_MOD_ID = 723_456_789_012_345_678
GUILD = 734_567_890_123_456_789
OTHER_GUILD = 745_678_901_234_567_890
USER_IDS = (MOD_ID, GUILD_MOD_ID)
OWNER = Actor(id=MOD_ID, name="Alice Moderator", guild_id=None, owner=True)
GUILD_MOD = Actor(id=GUILD_MOD_ID, name="Bob Servermod", guild_id=GUILD)
OTHER_MOD = Actor(id=GUILD_MOD_ID, name="Bob Servermod", guild_id=OTHER_GUILD)


@dataclass
class WebData:
    path: Path
    rumor_id: int  # a global rumor: hidden until clicked
    predicted_id: int  # a global prediction that came true (still hidden: no unspoil)
    local_id: int  # GUILD's own fact
    other_id: int  # OTHER_GUILD's own fact
    overridden_id: int  # a global fact GUILD overrides with its own version


def _populate(path: Path) -> WebData:
    engine = Engine.open(path)
    try:
        mod = Moderation(engine)
        src = mod.add_source(
            OWNER,
            title="Web view test article",
            publisher="The Test Gazette",
            url="https://example.org/article",
            date="2026-05",
        )
        source = f"#{src.source_id}"
        rumor = mod.add_fact(
            OWNER,
            subject="Jessica Jones",
            kind="what",
            text="A rumor says season 3 brings back Kilgrave.",
            status="rumor",
            source=source,
        )
        predicted = mod.add_fact(
            OWNER,
            subject="Trish Walker",
            kind="what",
            text="A prediction: Trish becomes Hellcat.",
            status="prediction",
            source=source,
        )
        mod.resolve_fact(OWNER, predicted.fact_id, "came true", note="She did, in season 3.")
        overridden = mod.add_fact(
            OWNER, subject="Trish Walker", kind="who", text="Jessica's friend, a radio host."
        )
        mod.edit_fact(
            GUILD_MOD, overridden.fact_id, expected_version=1, text="Patsy, in this server's words."
        )
        local = mod.add_fact(
            GUILD_MOD, subject="Jeri Hogarth", kind="who", text="A lawyer (this server only)."
        )
        other = mod.add_fact(
            OTHER_MOD, subject="Jeri Hogarth", kind="who", text="Another server's own fact."
        )
        # Questions: answered and not, from two servers and the command line.
        for text, guild in (
            ("!who nuke", GUILD),
            ("!when jessica jones s2", None),
            ("!who is the green goblin", GUILD),
            ("!who is the green goblin", GUILD),
            ("!what is wakanda", OTHER_GUILD),
            ("!who is the hobgoblin", None),
            ("!who is the hobgoblin", None),
        ):
            engine.ask(text, guild_id=guild)
        engine.flush_log()
    finally:
        engine.close()
    ids = (rumor, predicted, local, other, overridden)
    return WebData(path, *(o.fact_id for o in ids))


@pytest.fixture(scope="session")
def web_store(tmp_path_factory: pytest.TempPathFactory) -> WebData:
    return _populate(tmp_path_factory.mktemp("web") / "showbot.db")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()


def start_web(db: Path, *args: str, env: dict[str, str] | None = None) -> Server:
    """``python -m bot web`` on a free port, once it answers."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "web", "--db", str(db), "--port", str(port), *args],
        cwd=db.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
    )
    server = Server(f"http://127.0.0.1:{port}", process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"python -m bot web exited {process.returncode}: {process.stdout.read()}")
        try:
            with urllib.request.urlopen(server.url + "/-/versions.json", timeout=2):
                return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    process.kill()
    pytest.fail("python -m bot web did not answer within 60 s")


def stop_web(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="session")
def web_server(web_store: WebData) -> Iterator[Server]:
    server = start_web(web_store.path)
    yield server
    stop_web(server)


@pytest.fixture(scope="session")
def guild_server(web_store: WebData) -> Iterator[Server]:
    server = start_web(web_store.path, "--guild", str(GUILD))
    yield server
    stop_web(server)


def chromium_path() -> str:
    found = os.environ.get("SHOWBOT_CHROMIUM") or shutil.which("chromium")
    if not found:
        pytest.fail(
            "the browser tests need Debian's Chromium: apt-get install chromium"
            " (or set SHOWBOT_CHROMIUM to a Chromium binary); .ci/run installs it"
        )
    return found


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # The flags keep Chromium off the network it would otherwise call home on.
        b = p.chromium.launch(
            executable_path=chromium_path(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def screenshot(page: object) -> Callable[[str], Path]:
    """Save what the page shows now as a test artifact (test-artifacts/web/NAME.png)."""

    def take(name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
