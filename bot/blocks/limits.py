"""Slack's Block Kit limits: every renderer takes them from here. Pure.

Only Slack's own limits belong here; how long we let a customer name or a task title grow
is a renderer's choice and stays with it. tests/blocks/test_limits.py builds each element at
the limit and one past it with slack_sdk's models, which refuse what Slack would refuse;
slack_sdk does not check the blocks in a message, the text of a context or the
`max_length` of a plain-text input, so those three are from Slack's Block Kit reference.
"""

from __future__ import annotations

MESSAGE_BLOCKS = 50  # blocks in one message
VIEW_BLOCKS = 100  # blocks in a modal or the App Home
TEXT = 3000  # a section's text, or one text element of a context
HEADER_TEXT = 150
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
OPTION_TEXT = 75  # an option of a select or of radio buttons
OPTION_VALUE = 150
SELECT_OPTIONS = 100  # options in a static select
PLACEHOLDER = 150
VIEW_TITLE = 24  # a modal's title, and its submit and close buttons
INPUT_TEXT = 3000  # the most a plain-text input can be told to accept (`max_length`)
