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
from ckanext.dcat import utils as dcat_utils
from flask import Blueprint

from ckanext.citizendata import config
from ckanext.citizendata.logic import home as home_figures

home = Blueprint("citizendata_home", __name__)


@home.route("/")
def index():
    if config.dcat_content_negotiation() and dcat_utils.check_access_header():
        return dcat_utils.read_catalog_page(None)   # a machine asking for RDF gets the catalog, as ckanext-dcat's "/"
    context = {"user": current_user.name if current_user.is_authenticated else ""}
    try:
        figures = home_figures.figures(context)
    except SearchError:          # the search backend is down: the page still shows its text and links
        figures = None
    _ask_for_an_email()
    return toolkit.render("home/index.html", {"figures": figures})


def _ask_for_an_email() -> None:
    """As CKAN's home page does (in CKAN's words): a signed-in user without an e-mail address is asked for one."""
    if current_user.is_authenticated and not current_user.email:
        url = toolkit.h.url_for("user.edit")
        toolkit.h.flash_notice(
            toolkit._('Please <a href="%s">update your profile</a> and add your email address. ') % url
            + toolkit._("%s uses your email address if you need to reset your password.") % toolkit.g.site_title,
            allow_html=True)


def get_blueprints():
    return [home]
