"""The Flask application: one workspace, server-rendered pages, every text from the catalogue.

A thin shell over :mod:`fujimi_xl.api` (and the access layer), like the CLI: a route reads the
request, calls one library function and renders its result.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from flask import Flask

from fujimi_xl import api
from fujimi_xl.web import admin, group
from fujimi_xl.web.common import (
    Site,
    UploadRequest,
    check_csrf,
    csrf_token,
    install_errors,
    no_cache,
    site,
)
from fujimi_xl.web.runner import Runner


def create_app(ws_root: Path | str, *, lang: str = "ja", max_upload_mb: int = 20,
               trusted_header: str | None = None, runner: Runner | None = None) -> Flask:
    """The app for the workspace at ``ws_root``: a group's page under /g/<token>, the
    secretariat's board under /admin. ``trusted_header``: the name of a header a reverse proxy
    sets to the signed-in user (off by default: only then is it believed)."""
    ws = api.open_workspace(Path(ws_root))  # a missing workspace is said before serving
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.request_class = UploadRequest
    app.config.update(
        MAX_CONTENT_LENGTH=max_upload_mb * 1024 * 1024,
        SECRET_KEY=hmac.new(ws.key(), b"fujimi-xl web session", hashlib.sha256).digest(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="fujimi_session",
        TEMPLATES_AUTO_RELOAD=False,
    )
    app.extensions["fujimi"] = Site(Path(ws_root), lang if lang in ("ja", "en") else "ja",
                                    max_upload_mb, trusted_header, runner or Runner())
    app.jinja_env.globals.update(t=lambda key, **kw: site().t(key, **kw),
                                 csrf_token=csrf_token, lang=lambda: site().lang)
    app.before_request(check_csrf)
    app.after_request(no_cache)
    install_errors(app)
    group.register(app)
    admin.register(app)
    return app


