"""Data folder installed as ckanext.citizendata.vocabularies (see setup.py)."""
