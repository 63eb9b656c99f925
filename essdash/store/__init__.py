"""The store layer: settings, the database engine and everything dialect-specific, migrations,
backups, and loading the reference geography, the plan and the demo dataset. Imports the domain."""
