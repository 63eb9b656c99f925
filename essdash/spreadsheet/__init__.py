"""The spreadsheet layer: partners' files as they are (encodings, separators, XLSX), their cells
read the French way, and the columns of each importable kind. No database. Imports the domain."""
