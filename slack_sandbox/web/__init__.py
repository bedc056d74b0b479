"""The sandbox in a browser: a small Slack-like page served next to the local Slack.

`render` turns Block Kit into HTML, `screen` decides what one person sees, `server` serves the
page and its JSON, `session` runs the sandbox, the bot and the simulated clock together.
"""
