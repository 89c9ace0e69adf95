import re
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config, with_shard_ids


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.delenv("SHOWBOT_DB", raising=False)
    config = load_config()
    assert (config.prefix, config.db_path, config.token) == ("!", "showbot.db", None)


def test_env_token_wins_over_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, '[discord]\ntoken = "from-file"\n')
    monkeypatch.setenv("DISCORD_TOKEN", "from-env")
    assert load_config(path).token == "from-env"
    monkeypatch.delenv("DISCORD_TOKEN")
    assert load_config(path).token == "from-file"


def test_db_override_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, '[store]\npath = "a.db"\n')
    monkeypatch.delenv("SHOWBOT_DB", raising=False)
    assert load_config(path).db_path == "a.db"
    monkeypatch.setenv("SHOWBOT_DB", "b.db")
    assert load_config(path).db_path == "b.db"
    assert load_config(path, db_override="c.db").db_path == "c.db"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[discord]\nprefx = '!'\n", "unknown key 'prefx' in [discord]"),
        ("[discrod]\n", "unknown section [discrod]"),
        ("[discord]\nprefix = 3\n", "[discord] prefix must be text"),
        ('[discord]\nguild_ids = ["x"]\n', "[discord] guild_ids must be a list of numeric ids"),
        ("[limits]\ncooldown_rate = true\n", "[limits] cooldown_rate must be"),
        ("[discord\n", "not valid TOML"),
        ("[logging]\nformat = 'xml'\n", "[logging] format"),
        ("[discord]\napi_base = 'localhost'\n", "[discord] api_base must be a URL"),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[")):
        load_config(write(tmp_path, text))


def test_missing_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "nope.toml")


def test_example_config_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    config = load_config(example)
    assert config.prefix == "!"
    assert "***" in str(config.redacted()) or config.token is None


def test_message_content_defaults_on_and_can_be_turned_off(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "")).message_content is True
    config = load_config(write(tmp_path, "[discord]\nmessage_content = false\n"))
    assert config.message_content is False
    with pytest.raises(ConfigError, match=r"\[discord\] message_content must be true or false"):
        load_config(write(tmp_path, '[discord]\nmessage_content = "no"\n'))
    with pytest.raises(ConfigError, match=r"\[discord\] message_content must be true or false"):
        load_config(write(tmp_path, "[discord]\nmessage_content = 0\n"))


@pytest.mark.parametrize(
    ("key", "url"),
    [
        ("api_base", "http://127.0.0.1:8080/api/v10"),
        ("api_base", "http://127.3.2.1/api/v10"),
        ("api_base", "http://localhost:8080/api/v10"),
        ("api_base", "http://LOCALHOST/api/v10"),
        ("api_base", "http://[::1]:8080/api/v10"),
        ("api_base", "https://discord.example.com/api/v10"),
        ("api_base", "https://10.0.0.7/api/v10"),
        ("gateway_url", "ws://127.0.0.1:8080/"),
        ("gateway_url", "ws://[::1]:8080/"),
        ("gateway_url", "wss://gateway.example.com/"),
    ],
)
def test_loopback_or_tls_urls_are_accepted(tmp_path: Path, key: str, url: str) -> None:
    config = load_config(write(tmp_path, f'[discord]\n{key} = "{url}"\n'))
    assert getattr(config, key) == url


@pytest.mark.parametrize(
    ("key", "url"),
    [
        ("api_base", "http://discord.example.com/api/v10"),
        ("api_base", "http://10.0.0.7:8080/api/v10"),
        ("api_base", "http://192.168.1.2/api/v10"),
        ("api_base", "http://[::2]/api/v10"),
        ("api_base", "http://localhost.example.com/api/v10"),
        ("api_base", "http://128.0.0.1/api/v10"),
        ("api_base", "HTTP://discord.example.com/api/v10"),
        ("gateway_url", "ws://gateway.example.com/"),
    ],
)
def test_plain_http_beyond_this_machine_is_refused(tmp_path: Path, key: str, url: str) -> None:
    """The token goes with every request: in clear text only to this machine."""
    with pytest.raises(ConfigError, match=rf"\[discord\] {key} .*token in clear text"):
        load_config(write(tmp_path, f'[discord]\n{key} = "{url}"\n'))


# -- sharding ------------------------------------------------------------------------------------


def test_unsharded_by_default(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[discord]\n"))
    assert (config.shard_count, config.shard_ids, config.shards) == (None, (), None)
    assert config.holds_shard_zero


@pytest.mark.parametrize(
    ("text", "shards", "zero"),
    [
        ("shard_count = 4\n", (0, 1, 2, 3), True),  # every shard in this one process
        ("shard_count = 4\nshard_ids = [0, 1]\n", (0, 1), True),
        ("shard_count = 4\nshard_ids = [3, 2]\n", (3, 2), False),
        ("shard_count = 1\n", (0,), True),
    ],
)
def test_shard_keys(tmp_path: Path, text: str, shards: tuple[int, ...], zero: bool) -> None:
    config = load_config(write(tmp_path, "[discord]\n" + text))
    assert config.shards == shards and config.holds_shard_zero is zero
    assert config.shard_count == int(text.split("=")[1].split()[0])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("shard_count = 0\n", "[discord] shard_count must be at least 1"),
        ("shard_count = -2\n", "[discord] shard_count must be at least 1"),
        ("shard_count = '4'\n", "[discord] shard_count must be number"),
        ("shard_count = true\n", "[discord] shard_count must be number"),
        ("shard_count = 2.0\n", "[discord] shard_count must be number"),
        ("shard_ids = 1\n", "[discord] shard_ids must be a list"),
        ("shard_count = 4\nshard_ids = ['1']\n", "[discord] shard_ids must be a list of shard"),
        ("shard_count = 4\nshard_ids = [true]\n", "[discord] shard_ids must be a list of shard"),
        ("shard_ids = [0]\n", "[discord] shard_ids needs [discord] shard_count"),
        (
            "shard_count = 4\nshard_ids = [1, 4]\n",
            "[discord] shard_ids: shard 4 does not exist; with shard_count = 4 shards are"
            " numbered 0 to 3",
        ),
        ("shard_count = 4\nshard_ids = [-1]\n", "shard -1 does not exist"),
        ("shard_count = 4\nshard_ids = [1, 2, 1]\n", "[discord] shard_ids lists shard 1 twice"),
    ],
)
def test_bad_shard_keys_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(write(tmp_path, "[discord]\n" + text))


def test_shard_ids_override_checks_against_the_count(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[discord]\nshard_count = 4\nshard_ids = [0, 1]\n"))
    assert with_shard_ids(config, [2, 3]).shards == (2, 3)
    assert not with_shard_ids(config, [2, 3]).holds_shard_zero
    with pytest.raises(ConfigError, match=r"--shard-ids: shard 4 does not exist"):
        with_shard_ids(config, [4])
    with pytest.raises(ConfigError, match=r"--shard-ids lists shard 2 twice"):
        with_shard_ids(config, [2, 2])
    with pytest.raises(ConfigError, match=r"--shard-ids needs \[discord\] shard_count"):
        with_shard_ids(load_config(write(tmp_path, "[discord]\n")), [0])


def test_privacy_contact(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "")).privacy_contact is None
    path = write(tmp_path, '[privacy]\ncontact = "  privacy@example.org "\n')
    assert load_config(path).privacy_contact == "privacy@example.org"
    assert load_config(write(tmp_path, '[privacy]\ncontact = " "\n')).privacy_contact is None
    too_long = write(tmp_path, f'[privacy]\ncontact = "{"x" * 201}"\n')
    with pytest.raises(ConfigError, match=r"\[privacy\] contact must be at most 200"):
        load_config(too_long)


def test_privacy_retention_days(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""))
    assert (config.question_days, config.forget_after_days) == (30, 30)
    config = load_config(write(tmp_path, "[privacy]\nquestion_days = 7\nforget_after_days = 0\n"))
    assert (config.question_days, config.forget_after_days) == (7, 0)
    for bad in ("question_days = 0", "forget_after_days = -1"):
        with pytest.raises(ConfigError, match=r"\[privacy\] question_days must be at least 1"):
            load_config(write(tmp_path, f"[privacy]\n{bad}\n"))
    for bad in ("question_days = 1.5", 'forget_after_days = "30"', "question_days = true"):
        with pytest.raises(ConfigError, match=r"\[privacy\] \w+ must be number"):
            load_config(write(tmp_path, f"[privacy]\n{bad}\n"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[privacy]\nquestion_days = 999999\n", "[privacy] question_days must be a number up to"),
        ("[privacy]\nforget_after_days = 999999\n", "[privacy] forget_after_days must be"),
        ("[updates]\nwindow_seconds = inf\n", "[updates] window_seconds must be a number up to"),
        ("[updates]\nlease_seconds = nan\n", "[updates] lease_seconds must be a number up to"),
        ("[limits]\nquestion_max_age = inf\n", "[limits] question_max_age must be"),
        ("[moderation]\nconfirm_seconds = 1e300\n", "[moderation] confirm_seconds must be"),
    ],
)
def test_numbers_past_what_a_round_survives_stop_start_up(
    tmp_path: Path, text: str, message: str
) -> None:
    """Issue 20, item 14: values that passed start-up and then broke every privacy or
    drainer round (a date 999,999 days back, an infinite window) are refused at once."""
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(write(tmp_path, text))


def test_the_upper_bounds_still_take_every_sensible_value(tmp_path: Path) -> None:
    text = (
        "[privacy]\nquestion_days = 3650\nforget_after_days = 3650\n"
        "[updates]\nwindow_seconds = 3600\n"
    )
    config = load_config(write(tmp_path, text))
    assert (config.question_days, config.forget_after_days) == (3650, 3650)


def test_tvmaze_is_off_by_default_and_its_keys_are_checked(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""))
    assert config.tvmaze_enabled is False and config.tvmaze_refresh_hours == 24.0
    assert config.tvmaze_api_base == "https://api.tvmaze.com"
    assert config.tvmaze_user_agent.startswith("showbot/0.1.0")
    on = load_config(
        write(tmp_path, '[tvmaze]\nenabled = true\napi_base = "http://127.0.0.1:9/"\n')
    )
    assert on.tvmaze_enabled and on.tvmaze_api_base == "http://127.0.0.1:9"
    for text, message in (
        ("refresh_hours = 0", r"\[tvmaze\] refresh_hours must be positive"),
        ("refresh_hours = 9000", r"\[tvmaze\] refresh_hours must be a number up to 8,760"),
        ("refresh_hours = inf", r"\[tvmaze\] refresh_hours must be a number up to"),
        ('api_base = "http://api.tvmaze.com"', "plain http:// to api.tvmaze.com"),
        ('api_base = "wss://api.tvmaze.com"', r"\[tvmaze\] api_base must be an http\(s\) URL"),
        ('user_agent = "a\\nb"', r"\[tvmaze\] user_agent must be one line"),
    ):
        with pytest.raises(ConfigError, match=message):
            load_config(write(tmp_path, f"[tvmaze]\n{text}\n"))
