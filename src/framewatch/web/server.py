"""Running the app under uvicorn (`framewatch serve`)."""

from __future__ import annotations

import copy
import logging
from urllib.parse import urlsplit, urlunsplit

from ..config import Config
from .access import RedactTokens
from .app import create_app


def shown(target: str) -> str:
    """The store's address as it may be printed: a password in a database URL is not."""
    parts = urlsplit(target)
    if parts.password is None:
        return target
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def run(target: str, config: Config, *, host: str, port: int, token: str | None, pseudonymize: bool,
        connections: str, max_body_bytes: int, access_log: bool) -> None:
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    # Logs, the access log included, go to stderr (uvicorn's default sends the access log to stdout).
    log_config = copy.deepcopy(LOGGING_CONFIG)
    log_config["handlers"]["access"]["stream"] = "ext://sys.stderr"
    app = create_app(target, config, token=token, pseudonymize=pseudonymize, connections=connections,
                     max_body_bytes=max_body_bytes)
    server_config = uvicorn.Config(app, host=host, port=port, access_log=access_log, server_header=False,
                                   proxy_headers=False, log_level="info", log_config=log_config)
    # uvicorn configures its loggers when its Config is made; the filter goes on afterwards.
    logging.getLogger("uvicorn.access").addFilter(RedactTokens())
    uvicorn.Server(server_config).run()
