"""Flows: Slack choreography, one module per feature.

A flow calls one service per user action, renders the result with `bot.blocks` and sends it
through the gateway (`bot.slack`). It resolves nothing itself and never imports `storage`,
`sqlmodel` or `sqlalchemy`: a service opens the session. Called by `handlers` and `schedules`.
The rule is in `.importlinter` (see README, "Where does it go"); `make lint` checks it.
"""
