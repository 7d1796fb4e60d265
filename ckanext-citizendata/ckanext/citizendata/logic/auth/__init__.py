"""Auth functions, one module per module of ``action/``."""
