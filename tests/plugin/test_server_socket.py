"""The threaded mock answers at loopback speed, not at the pace of delayed ACKs."""

from __future__ import annotations

import socket

from mixpeek_toolkit.mockserver import Settings
from mixpeek_toolkit.mockserver.testing import MockServer


def test_the_listening_socket_is_tcp_so_asyncio_disables_nagle_on_each_connection():
    # asyncio sets TCP_NODELAY on accepted sockets only when their proto is IPPROTO_TCP;
    # a socket made with proto 0 kept Nagle on and cost ~40 ms per request.
    server = MockServer(Settings())
    server.start()
    try:
        assert server._socket is not None
        assert server._socket.proto == socket.IPPROTO_TCP
    finally:
        server.stop()
