"""The domain layer: the vocabulary (tables and enumerations), lifecycle and validation rules, equity
mathematics, semesters and French formatting. Imports no other layer of essdash."""
