"""A stand-in for NCALayer in browser tests: a tiny WebSocket server (RFC 6455, unfragmented
text frames, as browsers send short messages) on 127.0.0.1 that answers the
`kz.gov.pki.knca.basics` `sign` request the way NCALayer does (design/eds.md A1).

Plain ws:// rather than NCALayer's wss://: the page takes the socket's URL from settings.
"""

import base64
import hashlib
import json
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_ACCEPT_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_TEXT, _CLOSE, _PING, _PONG = 0x1, 0x8, 0x9, 0xA


class NcaLayerStandIn:
    """`answer` picks the reply: "sign" (a CMS from `signer`), "cancel" (the user closed the
    dialog) or "error" (NCALayer's INVOCATION_ERROR). `requests` holds what the page sent."""

    def __init__(self, signer: Callable[[bytes], str]):
        self.signer = signer
        self.answer = "sign"
        self.requests: list[dict] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._running = False
        self._thread.join()
        self._listener.close()

    @contextmanager
    def stopped(self) -> Iterator[None]:
        """Nothing listens on the port meanwhile: NCALayer is not running."""
        self.close()
        try:
            yield
        finally:
            self._listener = socket.create_server(("127.0.0.1", self.port))
            self._start()

    def _start(self) -> None:
        self._running = True
        self._listener.settimeout(0.2)  # lets close() stop the accept loop
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while self._running:
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            connection.settimeout(30)
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        with connection, connection.makefile("rb") as incoming:
            if not _handshake(connection, incoming):
                return
            _send(connection, _TEXT, json.dumps({"result": {"version": "1.4"}}).encode())
            while (frame := _receive(incoming)) is not None:
                opcode, payload = frame
                if opcode == _CLOSE:
                    _send(connection, _CLOSE, payload[:2])
                    return
                if opcode == _PING:
                    _send(connection, _PONG, payload)
                elif opcode == _TEXT:
                    request = json.loads(payload)
                    self.requests.append(request)
                    _send(connection, _TEXT, json.dumps(self._reply(request)).encode())

    def _reply(self, request: dict) -> dict:
        if (request.get("module"), request.get("method")) != ("kz.gov.pki.knca.basics", "sign"):
            return {"status": False, "code": "MODULE_NOT_FOUND", "message": "unknown method"}
        if self.answer == "cancel":
            return {"status": True, "body": {}}
        if self.answer == "error":
            return {"status": False, "code": "INVOCATION_ERROR",
                    "message": "stand-in error", "details": ""}
        content = base64.b64decode(request["args"]["data"])
        return {"status": True, "body": {"result": self.signer(content)}}


def _handshake(connection: socket.socket, incoming) -> bool:
    key = None
    while (line := incoming.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        if name.strip().lower() == "sec-websocket-key":
            key = value.strip().encode()
    if key is None:
        return False
    accept = base64.b64encode(hashlib.sha1(key + _ACCEPT_GUID).digest()).decode()
    connection.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                        f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n")
                       .encode())
    return True


def _receive(incoming) -> tuple[int, bytes] | None:
    header = incoming.read(2)
    if len(header) < 2:
        return None
    opcode, length = header[0] & 0x0F, header[1] & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", incoming.read(2))
    elif length == 127:
        (length,) = struct.unpack("!Q", incoming.read(8))
    mask = incoming.read(4) if header[1] & 0x80 else bytes(4)  # browsers always mask
    payload = incoming.read(length)
    return opcode, bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))


def _send(connection: socket.socket, opcode: int, payload: bytes) -> None:
    header = bytes([0x80 | opcode])  # FIN: one frame per message
    if len(payload) < 126:
        header += bytes([len(payload)])
    elif len(payload) < 1 << 16:
        header += bytes([126]) + struct.pack("!H", len(payload))
    else:
        header += bytes([127]) + struct.pack("!Q", len(payload))
    connection.sendall(header + payload)
