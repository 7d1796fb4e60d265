"""Actions, auth functions, validators and template helpers, each registered by decorator into one dict.

Example::

    @register_action
    @toolkit.side_effect_free
    def citizendata_vocabulary_list(context, data_dict): ...

The plugin hands these dicts to CKAN (IActions, IAuthFunctions, IValidators, ITemplateHelpers).
"""
from __future__ import annotations

from typing import Callable

ACTIONS: dict[str, Callable] = {}
AUTH: dict[str, Callable] = {}
VALIDATORS: dict[str, Callable] = {}
HELPERS: dict[str, Callable] = {}


def _register(table: dict[str, Callable]):
    def decorator(func: Callable) -> Callable:
        table[func.__name__] = func
        return func
    return decorator


register_action = _register(ACTIONS)
register_auth = _register(AUTH)
register_validator = _register(VALIDATORS)
register_helper = _register(HELPERS)


def registered() -> dict[str, dict[str, Callable]]:
    """Import every module that registers something, then return the dicts."""
    from . import auth_functions as _auth  # noqa: F401
    from .action import suggest as _suggest  # noqa: F401
    from .action import vocab as _vocab  # noqa: F401
    from .action import dcat as _dcat  # noqa: F401
    from .. import helpers as _helpers  # noqa: F401
    from . import validators as _validators  # noqa: F401
    return {"actions": ACTIONS, "auth": AUTH, "validators": VALIDATORS, "helpers": HELPERS}
