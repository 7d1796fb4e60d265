"""Data folder installed as ckanext.citizendata.harvesters (see setup.py)."""
