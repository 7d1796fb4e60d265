"""Password reset answers the same way for every address and name, known or not.

CKAN 2.12's ``/user/reset`` form already answers every request with the same redirect and message and mails only
known accounts, except when the mail cannot be sent: then a known account gets "Error sending the email" and an
unknown one the usual message, which tells them apart (on a site without a working SMTP server, always; without
``smtp.mail_from`` CKAN's mailer even fails with a 500 for known accounts only). Here the
reset mail is sent through CKAN's INotifier seam (:func:`notify_about_topic`, wired by the plugin) and a failure
is logged for the operator instead of shown. The second form, ``/user/reset/<id>?key=...``, answered 404 "User
not found" for an unknown id and 403 "Invalid reset key" for a known one with a wrong key: both now get CKAN's
403 answer (:func:`same_answer_for_unknown_ids`).

Example::

    POST /user/reset user=nobody@example.org   -> 302 to the landing page, "A reset link has been emailed ..."
    POST /user/reset user=alice@example.org    -> the same (and a mail to alice, or a line in the log)
    GET /user/reset/no-such-user?key=x         -> 403 "Invalid reset key. Please try again." as for alice
"""
from __future__ import annotations

import logging
from typing import Any, Optional

from ckan import model
from ckan.lib import mailer
from ckan.plugins import toolkit
from flask import request

from ckanext.citizendata.text import unreadable

log = logging.getLogger(__name__)

TOPIC = "request_password_reset"


def install(app: Any) -> None:
    app.before_request(same_answer_for_unknown_ids)


def notify_about_topic(already_notified: bool, topic: str, details: Optional[dict[str, Any]] = None) -> bool:
    """INotifier: send the reset mail; a mail that cannot be sent is logged, not shown (which would tell that the
    account exists). Other topics are left to CKAN and other plugins."""
    if topic != TOPIC or already_notified or not details or not details.get("user"):
        return already_notified
    user = details["user"]
    try:
        mailer.send_reset_link(user)
    except Exception:  # noqa: BLE001 - MailerException, and CKAN's AttributeError when smtp.mail_from is unset
        log.exception("Password reset: the mail to user %s could not be sent", user.name)
    return True


def same_answer_for_unknown_ids() -> None:
    """before_request: an unknown id on the second reset form gets CKAN's answer to a wrong key."""
    if request.endpoint != "user.perform_reset":
        return
    user_id = (request.view_args or {}).get("id", "")
    if unreadable(user_id) or model.User.get(user_id) is None:
        message = toolkit._("Invalid reset key. Please try again.")
        toolkit.h.flash_error(message)
        toolkit.abort(403, message)
