"""A page never fails because one of the records it lists cannot be linked: a link to the page of a blueprint
that does not exist (``<type>.read`` for a dataset of a type no dataset form registers, such as an old row
written before types were checked) is built as an empty link and logged, instead of raising werkzeug's
BuildError (a 500 for the whole listing). Templates show such a record without its link
(templates/snippets/package_item.html). Any other failure to build a URL (a known blueprint, a missing view or
argument) is a bug and still raises.

The seam is Flask's ``url_build_error_handlers``, which every ``url_for`` (CKAN's helper included) consults.

Example::

    h.url_for("anything.read", id="old-row")    # -> "" and a warning in the log
"""
from __future__ import annotations

import logging
import re
from typing import Any, Optional

from flask import current_app

log = logging.getLogger(__name__)

UNLINKED = ""
# a record's page: ``<blueprint>.<view>`` with an id (CKAN's url_for also tries static paths such as
# ``/webassets/base/x.js`` as endpoints first, and must see those fail as before)
_RECORD_ENDPOINT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_]+")


def unlinkable(error: Exception, endpoint: str, values: dict[str, Any]) -> Optional[str]:
    """Flask URL-build error handler: ``UNLINKED`` for an endpoint of an unknown blueprint, else None (raise)."""
    blueprint = endpoint.partition(".")[0]
    if not _RECORD_ENDPOINT.fullmatch(endpoint) or "id" not in values or blueprint in current_app.blueprints:
        return None
    log.warning("no page to link for %s %s: blueprint %r does not exist (a dataset of an unregistered type?); "
                "shown without its link", endpoint, values, blueprint)
    return UNLINKED


def install(app: Any) -> None:
    app.url_build_error_handlers.append(unlinkable)
