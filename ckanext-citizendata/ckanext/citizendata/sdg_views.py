"""The SDG coverage dashboard: which SDG indicators have citizen data, from which countries, at which engagement
depth and recognition status (figures: logic/coverage.py; charts drawn by Chart.js from the tables beside them).

Example::

    GET /sdg/            every goal
    GET /sdg/?goal=16    narrowed to one goal (a goal that is not 1-17 answers 400)
"""
from __future__ import annotations

from ckan.common import current_user
from ckan.lib.helpers import lang as current_lang
from ckan.plugins import toolkit
from flask import Blueprint, request

from ckanext.citizendata.logic import coverage

sdg = Blueprint("citizendata_sdg", __name__)


@sdg.route("/sdg/")
def dashboard():
    try:
        goal = coverage.checked_goal(request.args.get("goal"))
    except coverage.UnknownGoal:
        return toolkit.abort(400, toolkit._("There is no SDG goal with that number: choose a goal from 1 to 17."))
    context = {"user": current_user.name if current_user.is_authenticated else ""}
    figures = coverage.coverage(context, goal, current_lang() or "en")
    return toolkit.render("citizendata/dashboard/sdg.html", {"figures": figures, "goal": goal})


def get_blueprints() -> list[Blueprint]:
    return [sdg]
