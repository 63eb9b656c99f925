"""Errors that carry a French message meant to be shown to the user as is."""


class EssdashError(Exception):
    """Base class: ``str(error)`` is a complete French sentence for the user."""


class ReferenceDataError(EssdashError):
    """A shipped data file (communes, territories, plan, indicators) fails its own checks."""


class DatabaseError(EssdashError):
    """The database cannot be opened, created or is not an essdash database."""


class ValidationError(EssdashError):
    """Submitted values were refused; nothing was written.

    ``issues`` lists ``(place, column, message)`` triples, each message a French sentence.
    """

    def __init__(self, issues: list[tuple[str, str, str]]):
        self.issues = issues
        super().__init__(" ; ".join(f"{place}, {column} : {message}" for place, column, message in issues))


class ImportFileError(EssdashError):
    """A file to import cannot be read, or its rows do not all pass validation."""


class BackupError(EssdashError):
    """A backup cannot be taken, or a file to restore is not a usable essdash database."""
