"""Demo data: organizations and records written only from public facts (demo/records.json)."""
