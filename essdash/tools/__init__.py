"""Tooling above the interface: the page bench, the browser bench, the load command and the import
bench, run from the command line and imported by no page."""
