"""Settings: one validation for `config check`, `run` and every command (exit 2, one line
per problem naming the variable and its value, never a traceback)."""

import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.cli import main
from bot.config import SettingsError, load_settings
from bot.config_values import MASK_MAX, MASK_SHARE, mask_secret
from bot.domain.playbook import shipped_playbook_dir
from tests.bot.settings import VALID_SLACK_SETTINGS

ROOT = Path(__file__).resolve().parents[2]
GOOD = VALID_SLACK_SETTINGS
VARIABLES = (
    *GOOD,
    "DATABASE_URL",
    "DEFAULT_TIMEZONE",
    "DEFAULT_LOCALE",
    "SLACK_API_URL",
    "HOLIDAY_COUNTRY",
    "YEAR_END_CLOSURE",
    "PLAYBOOK_DIR",
    "DEFAULT_PLAYBOOK",
    "REMINDER_HOUR",
    "DIGEST_CRON",
    "LOG_FORMAT",
    "LOG_LEVEL",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # No stray .env or variables from the developer's shell.
    monkeypatch.chdir(tmp_path)
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


def _good_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in GOOD.items():
        monkeypatch.setenv(name, value)


def _playbook_dir(tmp_path: Path, **changes: object) -> Path:
    """A PLAYBOOK_DIR holding a copy of tech-touch with `changes` applied."""
    data = yaml.safe_load((shipped_playbook_dir() / "tech-touch.yaml").read_text())
    data.update(changes)
    folder = tmp_path / "playbooks"
    folder.mkdir(exist_ok=True)
    (folder / "custom.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    return folder


def _cycle(tmp_path: Path) -> str:
    data = yaml.safe_load((shipped_playbook_dir() / "tech-touch.yaml").read_text())
    data["name"] = "cyclic"
    data["tasks"][0]["depends_on"] = [data["tasks"][-1]["id"]]  # welcome-kit ← … ← go-live
    folder = tmp_path / "playbooks"
    folder.mkdir()
    (folder / "cyclic.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    return str(folder)


# (variable, value or a function of tmp_path, what the one line must say)
BAD_SETTINGS = [
    ("DIGEST_CRON", "funday 25:00", "DIGEST_CRON: 'funday 25:00': 25:00 is not a time of day"),
    ("DIGEST_CRON", "funday 09:00", "DIGEST_CRON: 'funday 09:00': 'funday' is not a weekday"),
    ("DIGEST_CRON", "every monday", "DIGEST_CRON: 'every monday' is not a weekday and time"),
    ("LOG_LEVEL", "LOUD", "LOG_LEVEL: 'LOUD' is not a log level (DEBUG, INFO,"),
    ("LOG_FORMAT", "xml", "LOG_FORMAT: 'xml' is not one of 'text' or 'json'"),
    ("DEFAULT_PLAYBOOK", "mid-touch", "DEFAULT_PLAYBOOK: no playbook named 'mid-touch' (avail"),
    (
        "PLAYBOOK_DIR",
        _cycle,
        "cyclic.yaml: task 'welcome-kit': field 'depends_on': dependency cycle",
    ),
    (
        "PLAYBOOK_DIR",
        lambda tmp: str(_playbook_dir(tmp, name="low-touch")),
        "custom.yaml: playbook 'low-touch' is shipped with the bot: add `overrides: low-touch`",
    ),
    ("PLAYBOOK_DIR", "/nonexistent/playbooks", "PLAYBOOK_DIR: /nonexistent/playbooks is not a dir"),
    ("SLACK_BOT_TOKEN", "abc", "SLACK_BOT_TOKEN: '…' (3 characters) does not start with 'xoxb-'"),
    (
        "SLACK_BOT_TOKEN",
        "xapp-1-A0123456789-1234567890123-abcdef0123456789",
        "SLACK_BOT_TOKEN: 'xapp-…6789' (49 characters) does not start with 'xoxb-'",
    ),
    ("SLACK_APP_TOKEN", "xoxb-12345", "SLACK_APP_TOKEN: 'xoxb-…' (10 characters) does not start"),
    ("SLACK_SIGNING_SECRET", "...", "SLACK_SIGNING_SECRET: '…' (3 characters) is the placeholder"),
    ("CS_TEAM_CHANNEL", "general", "CS_TEAM_CHANNEL: 'general' is not a channel id such as C01"),
    ("CS_TEAM_CHANNEL", "#cs-team", "CS_TEAM_CHANNEL: '#cs-team' is not a channel id"),
    ("CS_TEAM_CHANNEL", "C0123456789", "CS_TEAM_CHANNEL: 'C0123456789' is the example from .env"),
    ("REMINDER_HOUR", "25", "REMINDER_HOUR: input should be less than or equal to 23 (got '25')"),
    ("REMINDER_HOUR", "nine", "REMINDER_HOUR: input should be a valid integer"),
    ("DEFAULT_LOCALE", "fr", "DEFAULT_LOCALE: 'fr' is not one of 'ja' or 'en'"),
    ("DEFAULT_TIMEZONE", "Mars/Olympus", "DEFAULT_TIMEZONE: unknown time zone 'Mars/Olympus'"),
    ("HOLIDAY_COUNTRY", "XX", "HOLIDAY_COUNTRY: unknown country code 'XX'"),
    ("SLACK_API_URL", "not a url", "SLACK_API_URL: 'not a url' is not an http(s) URL"),
    ("DATABASE_URL", "mysql://x", "DATABASE_URL: 'mysql://x' is not a sqlite"),
    ("YEAR_END_CLOSURE", "13-40:01-01", "YEAR_END_CLOSURE: '13-40:01-01' is not a MM-DD:MM-DD"),
    ("SLACK_SIGNING_SECRET", None, "SLACK_SIGNING_SECRET: not set: the Signing Secret"),
    ("CS_TEAM_CHANNEL", None, "CS_TEAM_CHANNEL: not set"),
]


@pytest.mark.parametrize("command", [["config", "check"], ["run"]], ids=["config-check", "run"])
@pytest.mark.parametrize(("name", "value", "line"), BAD_SETTINGS)
def test_each_bad_setting_is_one_line_and_exit_2(  # type: ignore[no-untyped-def]
    command, name, value, line, monkeypatch, capsys, tmp_path
) -> None:
    _good_env(monkeypatch)
    if value is None:
        monkeypatch.delenv(name)
    else:
        monkeypatch.setenv(name, value(tmp_path) if callable(value) else value)
    assert main(command) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, lines
    assert line in lines[0] and lines[0].startswith(f"onboardbot: {name}: ")
    assert "Traceback" not in captured.err and captured.out == ""
    if name == "SLACK_BOT_TOKEN" and value == "abc":
        assert "abc" not in captured.err  # even a wrong secret is not printed


def test_socket_mode_needs_an_app_token_of_its_kind(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    _good_env(monkeypatch)
    monkeypatch.delenv("SLACK_APP_TOKEN")
    assert main(["config", "check"]) == 0  # HTTP mode does without it
    capsys.readouterr()
    for command in (["config", "check", "--mode", "socket"], ["run", "--mode", "socket"]):
        assert main(command) == 2
        assert capsys.readouterr().err.splitlines() == [
            "onboardbot: SLACK_APP_TOKEN: not set: an app-level token (xapp-…) with"
            " connections:write, for Socket Mode"
        ]


def test_the_unedited_env_example_is_refused_line_by_line(capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    assert main(["config", "check"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(":")[1].strip() for line in lines] == [
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "CS_TEAM_CHANNEL",
    ]
    assert all("example" in line or "placeholder" in line for line in lines)
    # Socket Mode also names the app-level token the example leaves commented out.
    (tmp_path / ".env").write_text(
        (ROOT / ".env.example").read_text().replace("# SLACK_APP_TOKEN=", "SLACK_APP_TOKEN=")
    )
    assert main(["config", "check", "--mode", "socket"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert (
        len(lines) == 4
        and "SLACK_APP_TOKEN: 'xapp-…' (8 characters) is the placeholder" in lines[2]
    )


def test_the_env_example_once_filled_in_passes(capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = (ROOT / ".env.example").read_text()
    for name, value in GOOD.items():
        text = "\n".join(
            f"{name}={value}" if line.lstrip("# ").startswith(f"{name}=") else line
            for line in text.splitlines()
        )
    (tmp_path / ".env").write_text(text)
    assert main(["config", "check", "--mode", "socket"]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "CS_TEAM_CHANNEL" in out and GOOD["CS_TEAM_CHANNEL"] in out
    for secret in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        assert GOOD[secret][8:20] not in out


def test_defaults() -> None:
    settings = load_settings()
    assert settings.default_locale == "ja"
    assert settings.default_timezone == "Asia/Tokyo"
    assert settings.holiday_country == "JP"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.database_url == "sqlite:///onboardbot.db"
    assert (settings.digest_time.day_of_week, settings.digest_time.hour) == ("mon", 9)


def test_several_bad_values_give_one_line_each(monkeypatch: pytest.MonkeyPatch) -> None:
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


def test_a_custom_playbook_that_says_it_overrides_replaces_the_shipped_one(  # type: ignore[no-untyped-def]
    monkeypatch, tmp_path
) -> None:
    folder = _playbook_dir(tmp_path, name="low-touch", overrides="low-touch")
    monkeypatch.setenv("PLAYBOOK_DIR", str(folder))
    assert load_settings().playbook_dir == folder


def test_config_check_masks_secrets(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    _good_env(monkeypatch)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret-token")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "abcde")  # short: nothing of it is shown
    assert main(["config", "check"]) == 0
    out = capsys.readouterr().out
    assert "very-secret" not in out and "SLACK_BOT_TOKEN" in out and "xoxb-" in out
    signing = next(line for line in out.splitlines() if line.startswith("SLACK_SIGNING_SECRET"))
    assert signing.split()[-1] == "…"


@given(st.text(min_size=0, max_size=200))
def test_masking_never_shows_more_than_a_fixed_share(secret: str) -> None:
    masked = mask_secret(secret)
    prefix = next((p for p in ("xoxb-", "xapp-", "xoxp-", "xoxe-") if secret.startswith(p)), "")
    rest = secret[len(prefix) :]
    shown = masked.removeprefix(prefix).removeprefix("…")
    assert len(shown) <= min(len(rest) // MASK_SHARE, MASK_MAX)
    assert rest.endswith(shown)


def test_api_tokens_and_webhooks_are_checked_without_showing_secrets() -> None:
    from bot.config import SettingsError, load_settings

    good = "crm:" + "a" * 30 + ",bi:" + "b" * 30 + ":read"
    settings = load_settings(_env_file=None, api_tokens=good)
    assert [(t.name, t.read_only) for t in settings.api_token_list] == [
        ("crm", False),
        ("bi", True),
    ]
    assert settings.masked()["API_TOKENS"] == "crm, bi"
    for bad, words in (
        ("crm:short", "24-200"),
        ("crm", "NAME:TOKEN"),
        ("crm:" + "a" * 30 + ",crm:" + "b" * 30, "twice"),
        ("crm:" + "a" * 30 + ":write", "NAME:TOKEN"),
    ):
        with pytest.raises(SettingsError) as raised:
            load_settings(_env_file=None, api_tokens=bad)
        (line,) = raised.value.problems
        assert line.startswith("API_TOKENS:") and words in line and "a" * 30 not in line
    with pytest.raises(SettingsError) as raised:
        load_settings(_env_file=None, webhook_urls="https://crm.example/hook")
    assert raised.value.problems == [
        "WEBHOOK_SECRET: not set: WEBHOOK_URLS needs a secret to sign with"
    ]
    with pytest.raises(SettingsError) as raised:
        load_settings(_env_file=None, webhook_urls="ftp://x", webhook_secret="s" * 20)
    assert raised.value.problems[0].startswith("WEBHOOK_URLS: 'ftp://x'")
