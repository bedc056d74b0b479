import json
import logging

from bot.logs import configure, log_context, scrub


def test_json_lines_carry_context_and_never_tokens_or_emails(capsys) -> None:  # type: ignore[no-untyped-def]
    configure(level="INFO", fmt="json")
    log = logging.getLogger("onboardbot.test")
    with log_context(request_id="r1", team_id="T1", channel_id="C1", user_id="U1", project_id=7):
        log.info("sent to taro@acme.example with xoxb-123-secret")
    line = capsys.readouterr().err.strip().splitlines()[-1]
    data = json.loads(line)
    assert data["msg"] == "sent to <email> with <token>"
    assert (
        data["request_id"],
        data["team_id"],
        data["channel_id"],
        data["user_id"],
        data["project_id"],
    ) == ("r1", "T1", "C1", "U1", 7)
    assert data["level"] == "info" and data["logger"] == "onboardbot.test"
    configure(level="INFO", fmt="text")


def test_scrub() -> None:
    assert scrub("xapp-1-A-b and xoxp-9 to a.b@c.example") == "<token> and <token> to <email>"
