"""Storage: SQLModel tables, one query module per aggregate, Alembic migrations.
It knows nothing above it (no `bot`, `handlers`, `schedules`); services call it.
The rule is in `.importlinter` (see README, "Where does it go"); `make lint` checks it.
"""
