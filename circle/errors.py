"""One error hierarchy for Circle: every message names what failed and what to do next."""

from __future__ import annotations


class CircleError(Exception):
    """Base of every error Circle reports to a user (CLI prints `Error: ...`, TUI notifies)."""

    exit_code: int = 1


class ConfigError(CircleError):
    """The configuration file is missing, unreadable or has invalid values."""

    exit_code = 78  # EX_CONFIG

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class TransitionError(CircleError):
    """A state change that the domain does not allow (e.g. approving a withdrawn story)."""

    exit_code = 65  # EX_DATAERR


class NotFoundError(CircleError):
    """A member, round, story or outbox item that does not exist."""

    exit_code = 66  # EX_NOINPUT


class StoreError(CircleError):
    """The data store cannot be read or written (corrupt, foreign, future schema, disk full)."""

    exit_code = 74  # EX_IOERR


class LockedError(CircleError):
    """Another Circle process holds the lock (e.g. `circle run` is already running)."""

    exit_code = 75  # EX_TEMPFAIL


class MailError(CircleError):
    """A mail server could not be reached, refused us, or answered something unexpected."""

    exit_code = 69  # EX_UNAVAILABLE


class ScheduleError(CircleError):
    """A gathering rule that cannot be understood or yields no dates."""

    exit_code = 78


class ConflictError(StoreError):
    """A record was written from a copy older than the stored one (someone changed it since).

    The application layer never sees this in normal work: its use-cases re-read inside the
    transaction. It guards against a screen or script writing back a stale copy.
    """

    exit_code = 75  # EX_TEMPFAIL: read again and retry


class MailConfigError(MailError):
    """A mail server refused us for a reason only the configuration can fix: the login was
    refused, or its certificate does not verify (wrong host name, untrusted CA). Retrying
    cannot help (and repeated failed logins lock accounts), so nothing is retried."""

    exit_code = 69  # EX_UNAVAILABLE, with the reason printed


class MailUnreachable(MailError):
    """A mail server did not answer in time (connect, banner or greeting) or refused the
    connection: nothing was handed to it, the items stay queued, and the pass stops at once
    (a circuit breaker) to be retried later."""

    exit_code = 75  # EX_TEMPFAIL: try again later
