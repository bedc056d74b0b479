"""Schedules: APScheduler wiring and the table of jobs; each job calls one flow with an
explicit `now`. Never `bot.services` or `storage`. Only the composition root imports this.
The rule is in `.importlinter` (see README, "Where does it go"); `make lint` checks it.
"""
