"""What every page of the web app shares: the site (workspace, language, ingest pool), the
CSRF token, the error pages. Whatever goes wrong becomes a page in the site's language, never
a Python error page: a workspace fault says it is the secretariat's to fix (503), a refused
request says what to do (400, 404, 405, 413)."""

from __future__ import annotations

import hmac
import io
import logging
import secrets
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, Request, current_app, render_template, request, session, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BuildError

from fujimi_xl import api, store
from fujimi_xl.core.errors import FormDefinitionError, FujimiError, WorkspaceError
from fujimi_xl.core.messages import web_text
from fujimi_xl.store.workspace import Workspace
from fujimi_xl.web.runner import Runner

log = logging.getLogger("fujimi_xl.web")

CSRF_FIELD = "csrf"


class UploadRequest(Request):
    """Uploaded files are held in memory (the size is capped): nothing of a request is
    written anywhere but where ingest's temporary file goes, inside the workspace."""

    def _get_file_stream(self, total_content_length: int | None, content_type: str | None,
                         filename: str | None = None,
                         content_length: int | None = None) -> Any:
        return io.BytesIO()


@dataclass
class Site:
    """What every request of the app needs: the workspace, the language, the ingest pool."""

    root: Path
    lang: str
    max_upload_mb: int
    trusted_header: str | None
    runner: Runner
    upload_locks: dict[tuple[str, str], Any] = field(default_factory=dict)

    def workspace(self) -> Workspace:
        """Opened for each request: the config (a deadline set meanwhile) is read fresh."""
        return api.open_workspace(self.root)

    def t(self, key: str, **params: Any) -> str:
        return web_text(key, self.lang, **params)


def site() -> Site:
    return current_app.extensions["fujimi"]  # type: ignore[no-any-return]


# -- CSRF: every POST carries the token of its session ----------------------------------------
def csrf_token() -> str:
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def check_csrf() -> None:
    if request.method != "POST":
        return
    expected = session.get(CSRF_FIELD)
    given = request.form.get(CSRF_FIELD, "")  # an oversized body raises 413 here, unread
    if not isinstance(expected, str) or not hmac.compare_digest(expected, given):
        page_abort(400, site().t("bad_request"))


def no_cache(response: Any) -> Any:
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; "
                                "frame-ancestors 'none'; form-action 'self'")
    return response


# -- errors: a page in the site's language for each ----------------------------------------------
class PageAbort(HTTPException):
    """Stop a request with a status and a sentence for the page."""

    def __init__(self, status: int, text: str, back: str = "") -> None:
        super().__init__(text)
        self.code = status
        self.text = text
        self.back = back


def page_abort(status: int, text: str, back: str = "") -> None:
    raise PageAbort(status, text, back)


def error_page(status: int, text: str, back: str = "") -> tuple[str, int]:
    return render_template("error.html", text=text, back=back, status=status), status


def _back() -> str:
    """The group's page to go back to, when the failed request was on one."""
    token = (request.view_args or {}).get("token") if request else None
    if isinstance(token, str):
        try:
            return url_for("group_page", token=token)
        except BuildError:  # no page to go back to: none offered
            return ""
    return ""


def install_errors(app: Flask) -> None:
    @app.errorhandler(PageAbort)
    def aborted(exc: PageAbort) -> Any:
        return error_page(exc.code or 400, exc.text, exc.back or _back())

    @app.errorhandler(404)
    def not_found(exc: Any) -> Any:
        return error_page(404, site().t("not_found"))

    @app.errorhandler(405)
    def method(exc: Any) -> Any:
        return error_page(405, site().t("method"), _back())

    @app.errorhandler(413)
    def too_large(exc: Any) -> Any:
        return error_page(413, site().t("too_large", mb=site().max_upload_mb), _back())

    @app.errorhandler(HTTPException)
    def other_http(exc: HTTPException) -> Any:
        status = exc.code or 400
        return error_page(status, site().t("bad_request"), _back())

    @app.errorhandler(Exception)
    def anything(exc: Exception) -> Any:
        return failure_page(exc)


def _master_where(root: Path) -> str:
    """The master as a message may name it (its file, or its URL without the password)."""
    try:
        return api.open_workspace(root).db_where
    except Exception:  # the workspace cannot even be opened: name its folder
        return str(root)


def failure_page(exc: BaseException) -> tuple[str, int]:
    """A page for an exception: the workspace's fault (503, the secretariat's), an error the
    toolkit raised on purpose (400, its sentence), anything else (500, a reference to quote,
    the traceback only in the server's log)."""
    s = site()
    if isinstance(exc, (*store.db_errors(), OSError)):
        exc = store.fault_from(exc, _master_where(s.root))
    if isinstance(exc, WorkspaceError | FormDefinitionError):  # the secretariat's
        return error_page(503, s.t("fault", message=exc.message(s.lang)), _back())
    if isinstance(exc, FujimiError):
        return error_page(400, s.t("error", message=exc.message(s.lang)), _back())
    ref = uuid.uuid4().hex[:8]
    log.error("request failed (%s)", ref, exc_info=exc)
    return error_page(500, s.t("crash", ref=ref), _back())
