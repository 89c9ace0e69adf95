"""Fixtures for end-to-end tests: a started FakeDiscord that fails the test on bad REST calls,
and the real bot process (``python -m bot run``) connected to one."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from botprocess import ConfigSections, RunningBot, StartBot, World, build_world
from fakediscord import MANAGE_MESSAGES, FakeDiscord

from bot.engine import Engine
from tests.seeded import seeded_copy


@pytest_asyncio.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A running fake with one guild: "Test Server" with #general, #off-topic and a
    "Moderator" role (Manage Messages); the app owner is ``fake_discord.owner``.

    At teardown it asserts that nothing the bot did would have been rejected by real Discord;
    tests that provoke violations on purpose must ``take_violations()`` them.
    """
    fake = FakeDiscord()
    fake.add_guild(
        "Test Server", channels=("general", "off-topic"), roles={"Moderator": MANAGE_MESSAGES}
    )
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
    fake.assert_no_violations()


# -- the real bot process (python -m bot run) ----------------------------------------------------


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world() -> AsyncIterator[World]:
    """A module-wide fake Discord with "Test Server" and "Other Server" (see build_world)."""
    fake = FakeDiscord()
    main, other = build_world(fake)
    await fake.start()
    try:
        yield World(fake, main, other)
    finally:
        await fake.stop()


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """What ``python -m bot ask`` answers, from its own freshly seeded database."""
    engine = Engine.open(seeded_copy(tmp_path_factory.mktemp("reference") / "reference.db"))
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def bot_overrides() -> ConfigSections:
    """Config sections merged into the bot's config.toml; a test module may override this."""
    return {}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot_process(
    world: World, bot_overrides: ConfigSections, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[RunningBot]:
    """One ``python -m bot run`` per test module, ready (gateway + command sync) when yielded.

    Teardown sends SIGTERM and asserts a clean exit (0, within seconds, no traceback)."""
    running = await RunningBot.start(world.fake, tmp_path_factory.mktemp("bot"), bot_overrides)
    try:
        yield running
    finally:
        if running.exited:
            await running.kill()
            raise AssertionError(f"the bot died during the module\n{running.log_tail()}")
        await running.stop_cleanly()


@pytest.fixture
def bot(bot_process: RunningBot) -> Iterator[RunningBot]:
    """The module's bot process, checked after each test: still running, nothing real Discord
    would reject, no traceback logged."""
    yield bot_process
    assert not bot_process.exited, f"the bot exited\n{bot_process.log_tail()}"
    bot_process.fake.assert_no_violations()
    bot_process.assert_no_tracebacks()


@pytest_asyncio.fixture
async def start_bot(fake_discord: FakeDiscord, tmp_path: Path) -> AsyncIterator[StartBot]:
    """Start a fresh bot process on ``fake_discord`` (for tests that stop, break or
    reconfigure it): ``bot = await start_bot({"discord": {"guild_ids": [...]}})``.

    Teardown stops the ones still running and asserts a clean exit and no traceback."""
    started: list[RunningBot] = []

    async def start(overrides: ConfigSections | None = None, **kwargs: Any) -> RunningBot:
        workdir = tmp_path / f"bot{len(started)}"
        running = await RunningBot.start(fake_discord, workdir, overrides, **kwargs)
        started.append(running)
        return running

    yield start
    for running in started:
        if running.exited:
            running.assert_no_tracebacks()
        else:
            await running.stop_cleanly()
