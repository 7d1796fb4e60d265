"""Actions (``action/``), their auth functions (``auth/``, one module per action module), validators and
template helpers, each registered by decorator into one table of :mod:`.registry`.

Example::

    registered()["actions"]["citizendata_suggest"]     # the function CKAN calls for that action
"""
from __future__ import annotations

from typing import Callable

from . import display, harvest, helpers, home, validators  # noqa: F401  (harvest: for the plugin; the rest registering)
from .action import dcat, delete, suggest, vocab, write  # noqa: F401  (registering)
from .action import assessment  # noqa: F401  (registering)
from .action import quality as quality_action  # noqa: F401  (registering)
from .action import report  # noqa: F401  (registering)
from .auth import activity as activity_auth  # noqa: F401  (registering)
from .auth import assessment as assessment_auth  # noqa: F401  (registering)
from .auth import quality as quality_auth  # noqa: F401  (registering)
from .auth import report as report_auth  # noqa: F401  (registering)
from .auth import suggest as suggest_auth  # noqa: F401  (registering)
from .auth import vocab as vocab_auth  # noqa: F401  (registering)
from .registry import ACTIONS, AUTH, HELPERS, VALIDATORS


def registered() -> dict[str, dict[str, Callable]]:
    """The tables, e.g. ``{"actions": {...}, "auth": {...}, "validators": {...}, "helpers": {...}}``."""
    return {"actions": ACTIONS, "auth": AUTH, "validators": VALIDATORS, "helpers": HELPERS}
