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
