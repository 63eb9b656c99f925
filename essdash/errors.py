"""Errors that carry a French message meant to be shown to the user as is."""


class EssdashError(Exception):
    """Base class: ``str(error)`` is a complete French sentence for the user."""


class ReferenceDataError(EssdashError):
    """A shipped data file (communes, territories, plan, indicators) fails its own checks."""


class DatabaseError(EssdashError):
    """The database cannot be opened, created or is not an essdash database."""
