"""Open data writes: the open-data facts of a project, and an open data package read back into an empty base."""
