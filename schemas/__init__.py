"""Data folder installed as ckanext.citizendata.schemas (see setup.py)."""
