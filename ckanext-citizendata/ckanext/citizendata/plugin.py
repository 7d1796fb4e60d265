"""Wiring only: each hook hands off to the module that does the work."""
from __future__ import annotations

import ckan.plugins as p
from ckan.plugins import toolkit

from ckanext.citizendata.search import seam


@toolkit.blanket.config_declarations
class CitizenDataPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)

    # IConfigurer: runs before CKAN's start-up search check, so the search seam is in place for it
    def update_config(self, config):
        seam.install()
