"""The PostgreSQL search backend (the default): :mod:`.backend` stores and searches, :mod:`.compiler` turns
query nodes into SQL, :mod:`.analysis` analyses free text."""
