"""The four tables the plugin hands to CKAN (IActions, IAuthFunctions, IValidators, ITemplateHelpers), each
filled by a decorator where the function is defined.

Example::

    @register_action
    @toolkit.side_effect_free
    def citizendata_vocabulary_list(context, data_dict): ...
"""
from __future__ import annotations

from typing import Callable

ACTIONS: dict[str, Callable] = {}
AUTH: dict[str, Callable] = {}
VALIDATORS: dict[str, Callable] = {}
HELPERS: dict[str, Callable] = {}


def _register(table: dict[str, Callable]) -> Callable[[Callable], Callable]:
    def decorator(func: Callable) -> Callable:
        table[func.__name__] = func
        return func
    return decorator


register_action = _register(ACTIONS)
register_auth = _register(AUTH)
register_validator = _register(VALIDATORS)
register_helper = _register(HELPERS)
