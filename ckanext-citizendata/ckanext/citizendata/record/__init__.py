"""The citizen-data record: its JSON Schema, validation (one path for every way in) and derived fields."""
