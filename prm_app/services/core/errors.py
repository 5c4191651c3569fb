"""Typed domain errors. Their message is shown to the user as it is."""


class DomainError(Exception):
    """Base of every error a user can act on."""


class NotAuthenticated(DomainError):
    def __init__(self, message: str = "Please sign in again: your session has ended."):
        super().__init__(message)


class NotAllowed(DomainError):
    def __init__(self, message: str = "You are not allowed to do that."):
        super().__init__(message)


class NotFound(DomainError):
    def __init__(self, message: str = "That record does not exist or is not visible to you."):
        super().__init__(message)


class Invalid(DomainError):
    """Bad input. `field` names the form field the message belongs to, when there is one;
    `problems` holds every field's message when a whole form was checked (the message is then
    the first of them)."""

    def __init__(
        self, message: str, *, field: str | None = None, problems: dict[str, str] | None = None
    ):
        super().__init__(message)
        self.field = field
        self.problems: dict[str, str] = dict(problems or ({field: message} if field else {}))


class Conflict(DomainError):
    """The record changed under the user, or the operation collides with existing data."""


class Unavailable(DomainError):
    """The database could not be reached (a restart, a network cut): worth trying again."""

    def __init__(self, message: str = "The database is unavailable. Try again in a moment."):
        super().__init__(message)
