"""Domain: pure rules (playbooks, the business-day calendar, reminder and escalation rules,
KPIs). Values in, values out: no database, no Slack, nothing of the layers above.
The rule is in `.importlinter` (see README, "Where does it go"); `make lint` checks it.
"""
