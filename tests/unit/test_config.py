from pathlib import Path

import pytest

from bot.config import ConfigError, load_config


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
