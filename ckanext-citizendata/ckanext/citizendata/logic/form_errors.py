"""The record validator's errors in plain words for the web form, in the user's language. The API keeps the
validator's precise wording (``engagement[1].stage: "collect" appears twice; one entry per stage``); the form shows,
next to the field, ``The stage Collection is given twice: keep one entry per stage.``

A message of record/validate.py carries its rule and values (``validate.Words``); a rule without plain words here
keeps the validator's wording, without the path (the message stands next to its field).

Example::

    >>> plain(["engagement", 1, "stage"], validate.Words("...", "unique_stage", stage="collect"))
    'The stage Collection is given twice: keep one entry per stage.'
"""
from __future__ import annotations

from typing import Any, Callable

from ckan.plugins import toolkit

from ckanext.citizendata.record import fields
from ckanext.citizendata.record.validate import path_text
from ckanext.citizendata.vocab import registry

FORM_FLAG = "save"   # what CKAN's dataset views (create, edit) put in the context of a write from the web form


def from_form(context: dict) -> bool:
    """Whether a write comes from CKAN's web form (its dataset views set ``save``; the action API does not)."""
    return FORM_FLAG in context


def _label(path: list, value: Any) -> str:
    """A concept's name in the user's language (the value itself when it is no concept)."""
    name = str(path[-1]) if path else ""
    scheme = fields.leaf_vocabulary(name)
    if not scheme or value in (None, ""):
        return str(value)
    return registry.display_labels(scheme, toolkit.h.lang()).get(str(value), str(value))


def _required(path: list, params: dict) -> str:
    if path == ["engagement"]:
        return toolkit._("Give at least one stage of the data value chain in which people took part.")
    return toolkit._("Required: please give a value.")


def _type(path: list, params: dict) -> str:
    limit = params.get("limit")
    kinds = limit if isinstance(limit, list) else [limit]
    if "integer" in kinds or "number" in kinds:
        return toolkit._("Enter a whole number, such as 1500.")
    if "boolean" in kinds:
        return toolkit._("Choose Yes or No.")
    return toolkit._("This value has the wrong form.")


_PLAIN: dict[str, Callable[[list, dict], str]] = {
    "required": _required,
    "type": _type,
    "unique_stage": lambda path, p: toolkit._("The stage {stage} is given twice: keep one entry per stage.").format(
        stage=_label(path, p.get("stage"))),
    "needs_size": lambda path, p: toolkit._("A probability sample needs its sample size."),
    "safeguard": lambda path, p: toolkit._(
        "Personal or sensitive data need informed consent or an ethics review: answer Yes to one of them, "
        "or No to personal data."),
    "email": lambda path, p: toolkit._("{value} is not an e-mail address: write it as name@example.org.").format(
        value=p.get("value")),
    "vocabulary": lambda path, p: toolkit._("{value} is not one of the choices: choose one from the list.").format(
        value=p.get("value")),
    "minimum": lambda path, p: toolkit._("Enter at least {limit}.").format(limit=p.get("limit")),
    "format": lambda path, p: toolkit._("This value has the wrong form."),
    "uniqueItems": lambda path, p: toolkit._("A value is given twice: keep it once."),
}


def plain(path: list, message: Any) -> str:
    """The form's words for one error of the record validator (``message``: a ``validate.Words``)."""
    words = _PLAIN.get(getattr(message, "rule", ""))
    if words is not None:
        return words(list(path), getattr(message, "params", {}))
    text = str(message)
    prefix = _path_prefix(path)
    return text[len(prefix):] if text.startswith(prefix) else text


def _path_prefix(path: list) -> str:
    return f"{path_text(path)}: "
