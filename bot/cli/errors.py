"""Errors the CLI turns into one line on stderr and an exit code (see the README)."""


class UsageError(Exception):
    """Bad usage or bad input (exit 2): the message says what was wrong."""


class Failure(Exception):
    """The command could not do its work (exit 1): the message says why and what to do."""
