"""``fujimi-xl serve``: the app under waitress, a production WSGI server (threads, one
process; ingest runs in its own worker processes, see :mod:`fujimi_xl.web.runner`)."""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import waitress

from fujimi_xl.core.errors import FujimiError, os_reason
from fujimi_xl.core.messages import web_text
from fujimi_xl.web.app import create_app
from fujimi_xl.web.runner import Runner


def address(host: str, port: int) -> str:
    """The address to open in a browser: this host's name when it listens on every
    interface."""
    shown = socket.gethostname() if host in ("0.0.0.0", "::", "") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def _stop(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def serve(root: Path, host: str = "127.0.0.1", port: int = 8080, *, lang: str = "ja",
          max_upload_mb: int = 20, trusted_header: str | None = None,
          say: Callable[[str], None] = print, threads: int = 16) -> None:
    """Serve the workspace at ``root`` until stopped (Ctrl+C)."""
    runner = Runner()
    app = create_app(root, lang=lang, max_upload_mb=max_upload_mb,
                     trusted_header=trusted_header, runner=runner)
    runner.start()
    url = address(host, port)
    try:
        server = waitress.create_server(
            app, host=host, port=port, threads=threads, ident="fujimi-xl",
            max_request_body_size=(max_upload_mb + 1) * 1024 * 1024,
            clear_untrusted_proxy_headers=True)
    except OSError as exc:
        runner.close()
        raise FujimiError(code="web_port_busy", host=host, port=port,
                          detail=os_reason(exc)) from None
    # a service manager stops the server with SIGTERM: the same clean stop as Ctrl+C (the
    # ingest workers are shut down with it)
    signal.signal(signal.SIGTERM, _stop)
    say(web_text("serve_started", lang, url=url + "/"))
    say(web_text("serve_admin", lang, url=url + "/admin"))
    say(web_text("serve_stop", lang))
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        runner.close()
