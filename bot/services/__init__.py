"""Services: units of work, one module per feature.

A service function takes a session (or the engine) and an actor, does every lookup, permission
and state check, and returns one result type. It may import `bot.domain` and `storage`, and
nothing of Slack (`bot.slack`, `bot.blocks`, `slack_sdk`, `slack_bolt`). Called by flows.
The rule is in `.importlinter` (see README, "Where does it go"); `make lint` checks it.
"""
