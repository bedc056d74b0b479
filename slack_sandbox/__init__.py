"""A local Slack: a Web API server the real WebClient talks to, and a driver that plays Slack.

with Sandbox(signing_secret=SECRET) as sandbox:
    driver = SlackDriver(bot_url, SECRET, sandbox)

A tool beside the product (the demo, the sandbox page, the tests, the benchmarks): it imports
nothing of the bot, the bot's layers never import it, and the production image leaves it out.
"""

from slack_sandbox.driver import SlackDriver
from slack_sandbox.errors import DriverError, WebApiError
from slack_sandbox.faults import Faults
from slack_sandbox.models import ApiCall, BlockViolation, ButtonRef, Team, User
from slack_sandbox.sandbox import Sandbox
from slack_sandbox.transport import DriverResponse, signature

__all__ = [
    "ApiCall",
    "BlockViolation",
    "ButtonRef",
    "DriverError",
    "DriverResponse",
    "Faults",
    "Sandbox",
    "SlackDriver",
    "Team",
    "User",
    "WebApiError",
    "signature",
]
