"""The read layer: filters and every read (register, places, follow-up, indicators, equity report,
the meeting pack as data, exports). Returns DataFrames and frozen dataclasses, never ORM objects."""
