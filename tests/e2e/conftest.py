"""Fixtures for end-to-end tests: a started FakeDiscord that fails the test on bad REST calls."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from fakediscord import MANAGE_MESSAGES, FakeDiscord


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
