"""The gateway: the one place that calls Slack's Web API (retries, pacing, outbox sends).
Flows send through it; services and the pure layers (`bot.domain`, `bot.blocks`) never
import it. The rule is in `.importlinter` (see README, "Where does it go"); `make lint` checks it.
"""
