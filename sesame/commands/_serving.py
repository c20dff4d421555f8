"""Serving an app with uvicorn on a socket bound up front: a taken port is one clear line before anything starts,
and a callback runs once the port really accepts connections (after the app's startup)."""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable
from typing import Any

from shared.runtime import StartupError

ANY_ADDRESS = {"", "0.0.0.0", "::", "[::]"}


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to host:port, not yet listening (connections are refused until the server starts)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart is not blocked by TIME_WAIT
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        where = f"{host}:{port}"
        if exc.errno == errno.EADDRINUSE:
            raise StartupError(
                f"port {port} is already in use on {host} (another Sesame?): choose one with --port"
            ) from None
        if exc.errno == errno.EACCES:
            raise StartupError(
                f"not allowed to listen on {where} (ports below 1024 need privileges)"
            ) from None
        raise StartupError(f"cannot listen on {where}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def local_url(host: str, port: int) -> str:
    """The http:// address a browser on this machine reaches a server bound to host:port at."""
    if host in ANY_ADDRESS:
        host = "localhost"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def serve(
    app: Any, sock: socket.socket, *, on_started: Callable[[], None] | None = None, **config: Any
) -> int:
    """Run `app` on `sock` until stopped; `on_started` runs once the port accepts connections. Returns the exit
    status: 0, or 3 (uvicorn's startup failure) when the app's startup failed."""
    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started and on_started is not None:
                on_started()

    server = Server(uvicorn.Config(app, log_config=None, **config))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn stopped gracefully, then re-raised the Ctrl+C it caught
        pass
    finally:
        sock.close()
    return 0 if server.started else 3
