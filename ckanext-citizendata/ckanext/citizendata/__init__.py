"""ckanext-citizendata: the catalog and standards registry for citizen data."""
