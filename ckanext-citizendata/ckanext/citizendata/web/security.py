"""Security headers on every response of the site (pages, API, DCAT, static files, error pages): who may frame
the site (X-Frame-Options and the Content-Security-Policy directive ``frame-ancestors``, nothing else of CSP, so
CKAN's inline scripts and assets load as before), no MIME sniffing (X-Content-Type-Options) and how much of
the address a link passes on (Referrer-Policy). Each is an option ``ckanext.citizendata.security.*``; a header
a view set itself is kept.

Example::

    GET /dataset/   -> X-Frame-Options: SAMEORIGIN, Content-Security-Policy: frame-ancestors 'self',
                       X-Content-Type-Options: nosniff, Referrer-Policy: strict-origin-when-cross-origin
"""
from __future__ import annotations

from typing import Any

from ckanext.citizendata import config


def install(app: Any) -> None:
    """Add the configured headers to every response of ``app``."""
    headers = config.security_headers()

    def add_headers(response: Any) -> Any:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response

    app.after_request(add_headers)
