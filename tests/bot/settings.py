"""Settings that pass every check, for tests of the commands that need them."""

VALID_SLACK_SETTINGS = {
    "SLACK_BOT_TOKEN": "xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
    "SLACK_SIGNING_SECRET": "8f742231b10e8888abcd99yyyzzz85a5",
    "SLACK_APP_TOKEN": "xapp-1-A0123456789-1234567890123-abcdef0123456789",
    "CS_TEAM_CHANNEL": "C024BE91L",
}
