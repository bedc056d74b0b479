"""Blocks: pure Block Kit rendering, domain values in, blocks out (`ids.py` holds the ids).
It imports `bot.domain` and the message catalogs only: no database, no Slack client.
The rule is in `.importlinter` (see README, "Where does it go"); `make lint` checks it.
"""
