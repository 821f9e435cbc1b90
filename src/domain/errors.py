"""The one base class for every domain and application error."""


class PonteError(Exception):
    """Base of all domain and application errors; entrypoints map subclasses to responses."""


class ValidationError(PonteError):
    """A value failed a domain rule.

    ``field`` names the offending attribute when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(PonteError):
    """The named thing does not exist (or is not visible to the caller)."""

    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"{what} {key} not found")
        self.what = what
        self.key = key


class Conflict(PonteError):
    """The request clashes with the current state, e.g. a unique ``field`` already taken.

    ``slug`` is the stable problem type the HTTP layer answers with.
    """

    def __init__(self, message: str, *, slug: str = "conflict", field: str | None = None) -> None:
        super().__init__(message)
        self.slug = slug
        self.field = field
