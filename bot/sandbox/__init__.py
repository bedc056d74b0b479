"""A local Slack: a Web API server the real WebClient talks to, and a driver that plays Slack.

with Sandbox(signing_secret=SECRET) as sandbox:
    driver = SlackDriver(bot_url, SECRET, sandbox)
"""

from bot.sandbox.driver import SlackDriver
from bot.sandbox.errors import DriverError, SlackError
from bot.sandbox.faults import Faults
from bot.sandbox.models import ApiCall, BlockViolation, ButtonRef, Team, User
from bot.sandbox.sandbox import Sandbox
from bot.sandbox.transport import DriverResponse, signature

__all__ = [
    "ApiCall",
    "BlockViolation",
    "ButtonRef",
    "DriverError",
    "DriverResponse",
    "Faults",
    "Sandbox",
    "SlackDriver",
    "SlackError",
    "Team",
    "User",
    "signature",
]
