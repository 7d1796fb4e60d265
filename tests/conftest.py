"""CKAN's pytest plugin loads itself (entry point); this adds the project's own fixtures."""
pytest_plugins = ["ckanext.citizendata.testing"]
