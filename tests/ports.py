"""Loopback ports for the test servers that must be told their port before they bind.

aiosmtpd and Radicale cannot listen on port 0 and report the port (the browser tests' live
server and the static HTTP server can, and do). A port that was merely free a moment ago may be
taken by another process before the server binds it: the other pytest-xdist worker, another
test run, or any connection's local port. `reserve_port` therefore leaves the port in TIME_WAIT
(a connection to it closed by the listening side): the kernel then hands it to no one asking for
port 0 for about a minute, while a server that binds it with SO_REUSEADDR (asyncio's and
socketserver's default) gets it at once.
"""
from __future__ import annotations

import socket

HOST = "127.0.0.1"


def reserve_port(host: str = HOST) -> int:
    """Return a port on *host* that is free and kept from other processes' port-0 requests."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        with socket.create_connection((host, port)) as client:
            accepted, _ = listener.accept()
            # The listening side closes first, so the TIME_WAIT is on this port.
            accepted.close()
            client.recv(1)
    return port
