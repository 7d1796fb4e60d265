"""Actions, one module per subject."""
