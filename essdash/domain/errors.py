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


class BusyError(EssdashError):
    """Another write held the database longer than a write may wait; nothing was written."""


class ConflictError(EssdashError):
    """Someone else saved the same record meanwhile; nothing was overwritten.

    ``changes`` lists ``(field label, value you loaded, value now saved)``.
    """

    def __init__(self, what: str, changes: list[tuple[str, str, str]]):
        self.changes = changes
        detail = " ; ".join(f"{label} : « {old} » → « {new} »" for label, old, new in changes) or "version"
        super().__init__(
            f"{what} a été modifié(e) par quelqu'un d'autre pendant votre saisie ({detail}). "
            "Rien n'a été enregistré : rechargez la page pour repartir de la version à jour."
        )


class AccessError(EssdashError):
    """The gate refused a write: no person, an unknown or removed account, or a role or place that
    does not allow it; nothing was written."""


class ConfigurationError(EssdashError):
    """A setting (environment variable, secrets) is missing or wrong; the dashboard does not start."""
