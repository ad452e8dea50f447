"""The fake Bot API over real HTTP on 127.0.0.1, for driving a real `bridgebot run` process.

`FakeBotApiServer(fake)` serves `POST/GET /bot<token>/<method>` (JSON, urlencoded or multipart
bodies, or query strings) and `GET /file/bot<token>/<path>` from a background thread. Point the
bot at `server.base_url` / `server.base_file_url` (ApplicationBuilder().base_url(...)).
getUpdates long-polls, honouring `offset`, `timeout` and `allowed_updates`.

Injected faults (bot/playground/fake_api/faults.py) work as over the network: an injected timeout holds the
answer `timeout_delay` seconds (longer than the client's read timeout). A bot running in another
process is faulted from the test process through the fake itself (`fake.inject_faults(...)`), or
by anyone over HTTP: `POST /_fake/faults` with a JSON body `{"seed": 1, "error_after": 0.1, ...,
"timeout_delay": 1.5}` (`{}` turns them off) and `GET /_fake/faults` for the counts injected.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .fake_request import split_bot_api_path
from .fake_telegram import FakeTelegram, UploadedFile
from .faults import NoAnswer

FAULTS_PATH = "/_fake/faults"
DEFAULT_TIMEOUT_DELAY = 6.0  # past PTB's default 5-second read timeout

MAX_LONG_POLL_SECONDS = 50.0


def parse_body(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Decode a Bot API request body into wire parameters and uploaded files."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if not body:
        return {}, {}
    if media_type == "application/json":
        decoded = json.loads(body.decode("utf-8"))
        if not isinstance(decoded, dict):
            raise ValueError("a JSON body must be an object")
        return decoded, {}
    if media_type == "multipart/form-data":
        return _parse_multipart(content_type, body)
    return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True)), {}


def _parse_multipart(
    content_type: str, body: bytes
) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    # The stdlib email parser reads multipart/form-data correctly; the cgi module is deprecated.
    envelope = b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    message = BytesParser(policy=HTTP).parsebytes(envelope)
    params: dict[str, Any] = {}
    files: dict[str, UploadedFile] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        assert isinstance(payload, bytes)  # decode=True gives the bytes of a leaf part
        filename = part.get_filename()
        if filename is not None:
            files[str(name)] = UploadedFile(
                filename=filename, content=payload, mime_type=part.get_content_type()
            )
        else:
            params[str(name)] = payload.decode(part.get_content_charset() or "utf-8")
    return params, files


class _BotApiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, delayed ACKs add ~40 ms per call.
    disable_nagle_algorithm = True
    server: _BotApiHttpServer

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging; the fake records every call instead."""

    def _serve(self) -> None:
        try:
            status, body, content_type = self._answer()
        except NoAnswer as no_answer:
            # An injected timeout: answer only after the client has given up waiting.
            time.sleep(self.server.timeout_delay)
            status, content_type = no_answer.status, "application/json"
            body = json.dumps(no_answer.envelope).encode()
        except Exception as error:  # the fake must answer, not hang the bot
            status, content_type = 500, "application/json"
            body = json.dumps(
                {"ok": False, "error_code": 500, "description": f"Internal Server Error: {error}"}
            ).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # The bot hung up mid long-poll (it is shutting down); nothing to answer.
            self.close_connection = True

    def _answer(self) -> tuple[int, bytes, str]:
        fake = self.server.fake
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        if url.path == FAULTS_PATH:
            return self._control_faults(raw_body)
        route = split_bot_api_path(url.path)
        if route is None:
            return self._not_found()
        kind, token, target = route
        if kind == "file":
            content = fake.file_content(target) if token == fake.token else None
            if content is None:
                return self._not_found()
            return 200, content, "application/octet-stream"
        try:
            params, files = parse_body(self.headers.get("Content-Type", ""), raw_body)
        except ValueError as error:
            body = {"ok": False, "error_code": 400, "description": f"Bad Request: {error}"}
            return 400, json.dumps(body).encode(), "application/json"
        params = {**dict(parse_qsl(url.query, keep_blank_values=True)), **params}
        if target.lower() == "getupdates":
            try:
                timeout = min(float(params.get("timeout") or 0), MAX_LONG_POLL_SECONDS)
            except ValueError:
                timeout = 0.0
            fake.wait_for_updates_blocking(params, timeout, self.server.stopping)
        status, envelope = fake.handle_wire(target, params, files, token=token)
        return status, json.dumps(envelope).encode("utf-8"), "application/json"

    def _control_faults(self, raw_body: bytes) -> tuple[int, bytes, str]:
        fake = self.server.fake
        if self.command == "POST":
            try:
                options = json.loads(raw_body or b"{}")
                delay = options.pop("timeout_delay", None)
                fake.faults_off()
                fake.inject_faults(**options)
            except (ValueError, TypeError) as error:
                body = {"ok": False, "error_code": 400, "description": f"Bad Request: {error}"}
                return 400, json.dumps(body).encode(), "application/json"
            if delay is not None:
                self.server.timeout_delay = float(delay)
        body = {"ok": True, "result": fake.fault_counts()}
        return 200, json.dumps(body).encode(), "application/json"

    @staticmethod
    def _not_found() -> tuple[int, bytes, str]:
        body = {"ok": False, "error_code": 404, "description": "Not Found"}
        return 404, json.dumps(body).encode(), "application/json"


class _BotApiHttpServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], fake: FakeTelegram):
        super().__init__(address, _BotApiHandler)
        self.fake = fake
        self.stopping = threading.Event()
        self.timeout_delay = DEFAULT_TIMEOUT_DELAY

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients vanishing is normal here (bots stop mid long-poll); report anything else."""
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            super().handle_error(request, client_address)


class FakeBotApiServer:
    """A loopback HTTP Bot API backed by a `FakeTelegram`; use as a (sync) context manager."""

    def __init__(self, fake: FakeTelegram, *, host: str = "127.0.0.1", port: int = 0):
        self.fake = fake
        self._httpd = _BotApiHttpServer((host, port), fake)
        self._thread: threading.Thread | None = None

    @property
    def timeout_delay(self) -> float:
        """How long an injected timeout holds its answer (set it above the client's read timeout)."""
        return self._httpd.timeout_delay

    @timeout_delay.setter
    def timeout_delay(self, seconds: float) -> None:
        self._httpd.timeout_delay = seconds

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ApplicationBuilder().base_url(): PTB appends the token."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    def start(self) -> FakeBotApiServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"fake-bot-api:{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: wake long-polls, stop the accept loop and close the socket."""
        self._httpd.stopping.set()
        self.fake.wake_pollers()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> FakeBotApiServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
