"""Errors the CLI turns into exit code 2 with a readable message."""


class UsageError(Exception):
    """Bad usage or bad input: the message says what was wrong."""
