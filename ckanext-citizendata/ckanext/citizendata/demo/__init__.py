"""Demo data: organizations and records written only from public facts (demo/records.json), and the organization
``demo-partner-sources``, which says it is no real one: it holds what ``ckan citizendata harvest demo`` harvests."""
