import pytest

from bot.cli import main
from bot.config import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # No stray .env or variables from the developer's shell.
    monkeypatch.chdir(tmp_path)
    for name in (
        "DATABASE_URL",
        "DEFAULT_TIMEZONE",
        "DEFAULT_LOCALE",
        "SLACK_API_URL",
        "HOLIDAY_COUNTRY",
    ):
        monkeypatch.delenv(name, raising=False)


def test_defaults() -> None:
    settings = load_settings()
    assert settings.default_locale == "ja"
    assert settings.default_timezone == "Asia/Tokyo"
    assert settings.holiday_country == "JP"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.database_url == "sqlite:///onboardbot.db"


def test_each_bad_value_is_one_readable_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Mars/Olympus")
    monkeypatch.setenv("DEFAULT_LOCALE", "fr")
    monkeypatch.setenv("SLACK_API_URL", "not a url")
    monkeypatch.setenv("HOLIDAY_COUNTRY", "XX")
    with pytest.raises(SettingsError) as info:
        load_settings()
    problems = info.value.problems
    assert len(problems) == 4
    assert any(p.startswith("DEFAULT_TIMEZONE: unknown time zone 'Mars/Olympus'") for p in problems)
    assert any(p.startswith("DEFAULT_LOCALE:") and "'ja'" in p and "'en'" in p for p in problems)
    assert any(p.startswith("SLACK_API_URL: 'not a url' is not an http(s) URL") for p in problems)
    assert any(p.startswith("HOLIDAY_COUNTRY: unknown country code 'XX'") for p in problems)


def test_env_file_is_read_and_urls_normalised(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / ".env").write_text(
        "SLACK_API_URL=http://127.0.0.1:9999/api\nDATABASE_URL=postgresql://u:secret@db/onb\n"
    )
    settings = load_settings()
    assert settings.slack_api_url == "http://127.0.0.1:9999/api/"
    assert settings.database_url == "postgresql+psycopg://u:secret@db/onb"
    assert settings.masked()["DATABASE_URL"] == "postgresql+psycopg://u:******@db/onb"


def test_bad_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://x")
    with pytest.raises(SettingsError, match="DATABASE_URL: 'mysql://x' is not a sqlite"):
        load_settings()


def test_config_check_masks_secrets_and_bad_config_exits_2(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret-token")
    assert main(["config", "check"]) == 0
    out = capsys.readouterr().out
    assert "very-secret" not in out and "SLACK_BOT_TOKEN" in out and "xoxb-" in out
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Nowhere/Town")
    assert main(["config", "check"]) == 2
    err = capsys.readouterr().err
    assert "DEFAULT_TIMEZONE: unknown time zone 'Nowhere/Town'" in err
    assert "Traceback" not in err
