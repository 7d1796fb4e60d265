"""The home page: what citizen data is, entry points with counts (SDG goals, countries, engagement stages,
initiative types), the latest initiatives, and the ways in for people and machines. The figures are computed
by logic/home.py as the requesting user.

Example::

    GET /          (and /es/, /fr/, /ar/)
"""
from __future__ import annotations

from ckan.common import current_user
from ckan.lib.search import SearchError
from ckan.plugins import toolkit
from flask import Blueprint

from ckanext.citizendata.logic import home as home_figures

home = Blueprint("citizendata_home", __name__)


@home.route("/")
def index():
    context = {"user": current_user.name if current_user.is_authenticated else ""}
    try:
        figures = home_figures.figures(context)
    except SearchError:          # the search backend is down: the page still shows its text and links
        figures = None
    return toolkit.render("home/index.html", {"figures": figures})


def get_blueprints():
    return [home]
