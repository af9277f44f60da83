"""A small, real OpenAI-compatible HTTP server for tests and benchmarks.

Why a real server instead of mocking the client: the production code talks to
models through the ``openai`` client (wrapped by ``instructor``), and the bugs we
care about live in the transport layer -- retries, timeouts, rate limits,
keep-alive pooling under concurrency, the Batch API's upload/poll/download
dance.  Mocks skip all of that; a loopback server exercises it for real while
staying deterministic and offline (binds 127.0.0.1 on an ephemeral port).

Standard library only, so it runs anywhere the test-suite runs.

Usage::

    with FakeOpenAI(responder=lambda body, n: {"events": []}) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="x")
        ...
        assert srv.request_count == 1

A *responder* is ``(request_body: dict, n: int) -> answer`` where ``n`` is the
0-based index of the chat completion (HTTP and Batch API lines share one
counter) and the answer is one of:

* ``dict`` / ``list`` (or a pydantic model): the structured object the model
  "answers"; sent as tool-call arguments when the request has ``tools``,
  otherwise as JSON message content. A callable answer is called with the
  request body and its result sent instead.
* ``str``: raw message content (simulates a model emitting invalid JSON).
* :class:`RawToolCall`: raw tool-call arguments (invalid JSON in TOOLS mode).
* :class:`Fault`: an HTTP error (429, 500, 503, ...).
* :class:`Stall`: sleep past the client's timeout, then answer ``then``.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional, Union

__all__ = [
    "FakeOpenAI",
    "Fault",
    "Stall",
    "RawToolCall",
    "Answer",
    "Responder",
    "queue_responder",
    "faulty_responder",
    "chat_completion",
    "MODEL_ID",
]

MODEL_ID = "fake-model"


# --------------------------------------------------------------------------- #
# Answer types
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Fault:
    """Respond with an HTTP error instead of a completion.

    ``body`` defaults to an OpenAI-style error object so the client raises the
    proper typed exception (``RateLimitError``, ``InternalServerError``...).
    ``headers`` lets a 429 carry ``Retry-After``; ``delay`` is slept first.
    """

    status: int
    body: Union[dict, str, None] = None
    headers: Optional[dict] = None
    delay: float = 0.0

    def error_body(self) -> Union[dict, str]:
        """The body actually sent (default error object when ``body`` is None)."""
        if self.body is not None:
            return self.body
        kind = "rate_limit_error" if self.status == 429 else "server_error"
        return {
            "error": {
                "message": f"fake fault: HTTP {self.status}",
                "type": kind,
                "param": None,
                "code": None,
            }
        }


@dataclass(frozen=True)
class Stall:
    """Sleep ``seconds`` before answering, to push a request past client timeouts.

    If the client is still connected afterwards it receives ``then`` (any
    non-Stall answer; default: the empty object ``{}``).  Inside a Batch API
    job there is no client timeout to exceed, so the sleep is skipped.
    """

    seconds: float
    then: Any = field(default_factory=dict)


@dataclass(frozen=True)
class RawToolCall:
    """Return ``arguments`` verbatim as a tool call's arguments string.

    A plain ``str`` answer always becomes message *content*; in instructor's
    TOOLS mode the realistic way for a model to emit broken JSON is inside the
    tool call, which is what this simulates.
    """

    arguments: str


Answer = Union[dict, list, str, Fault, Stall, RawToolCall, Any]
Responder = Callable[[dict, int], Answer]


def _default_responder(body: dict, n: int) -> Answer:
    """Answer every request with an empty object (handy for smoke tests)."""
    return {}


# --------------------------------------------------------------------------- #
# Responder helpers
# --------------------------------------------------------------------------- #


def queue_responder(items: list) -> Responder:
    """Return ``items`` in call order; the last item repeats once exhausted.

    Uses its own counter (not ``n``) so it scripts "the next call" no matter
    how requests are numbered, e.g. ``[Fault(429), payload]`` = fail once, then
    succeed on the retry.
    """
    if not items:
        raise ValueError("queue_responder needs at least one item")
    queue = list(items)
    lock = threading.Lock()
    position = itertools.count()

    def respond(body: dict, n: int) -> Answer:
        with lock:
            i = next(position)
        return queue[min(i, len(queue) - 1)]

    return respond


def faulty_responder(
    payload_fn: Callable[[dict], Answer],
    fault_rate: float,
    seed: int,
    faults: list,
) -> Responder:
    """Inject one of ``faults`` at ``fault_rate``, else answer ``payload_fn(body)``.

    The decision for request ``n`` is a pure function of ``(seed, n)``, so a
    run is reproducible even when concurrent requests race each other.
    ``faults`` may hold :class:`Fault`, :class:`Stall`, raw strings, etc.
    """
    if not 0.0 <= fault_rate <= 1.0:
        raise ValueError("fault_rate must be within [0, 1]")
    if fault_rate > 0 and not faults:
        raise ValueError("faults must be non-empty when fault_rate > 0")

    def respond(body: dict, n: int) -> Answer:
        rng = random.Random(f"{seed}:{n}")
        if rng.random() < fault_rate:
            return rng.choice(faults)
        return payload_fn(body)

    return respond


# --------------------------------------------------------------------------- #
# Pure helpers: building OpenAI-shaped objects
# --------------------------------------------------------------------------- #


@dataclass
class _Response:
    """What the transport should send; ``delay`` is slept (interruptibly) first."""

    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict = field(default_factory=dict)
    delay: float = 0.0


def _json_response(status: int, obj: Any, **kwargs: Any) -> _Response:
    return _Response(status, json.dumps(obj).encode(), **kwargs)


def _error_response(status: int, message: str, kind: str = "invalid_request_error") -> _Response:
    error = {"message": message, "type": kind, "param": None, "code": None}
    return _json_response(status, {"error": error})


def _fault_response(fault: Fault) -> _Response:
    body = fault.error_body()
    if isinstance(body, str):
        return _Response(fault.status, body.encode(), "text/plain; charset=utf-8",
                         dict(fault.headers or {}), fault.delay)
    return _json_response(fault.status, body, headers=dict(fault.headers or {}), delay=fault.delay)


def _normalize(answer: Any, request: dict) -> Any:
    """Turn pydantic models into plain JSON-able data (lets tests return models); a callable answer is
    called with the request first (one answer for calls that ask for different schemas)."""
    if callable(answer):
        answer = answer(request)
    if hasattr(answer, "model_dump"):
        return answer.model_dump(mode="json")
    return answer


def _requested_tool_name(request: dict) -> str:
    """The tool the client forced via ``tool_choice``, else the first tool offered."""
    choice = request.get("tool_choice")
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name")
        if name:
            return name
    tools = request.get("tools") or []
    first = tools[0] if tools else {}
    return (first.get("function") or {}).get("name") or "tool"


def _message_for(request: dict, answer: Any, n: int) -> tuple[dict, str, str]:
    """Return ``(message, finish_reason, answer_text)`` for a non-fault answer."""
    if isinstance(answer, str):
        return {"role": "assistant", "content": answer}, "stop", answer
    if isinstance(answer, RawToolCall):
        arguments = answer.arguments
    elif request.get("tools"):
        arguments = json.dumps(answer)
    else:
        text = json.dumps(answer)
        return {"role": "assistant", "content": text}, "stop", text
    call = {
        "id": f"call_{n}",
        "type": "function",
        "function": {"name": _requested_tool_name(request), "arguments": arguments},
    }
    return {"role": "assistant", "content": None, "tool_calls": [call]}, "tool_calls", arguments


def _usage(request: dict, answer_text: str) -> dict:
    """Rough token estimate (~4 chars/token) so cost/usage accounting has numbers."""
    prompt = max(1, len(json.dumps(request.get("messages", []))) // 4)
    completion = max(1, len(answer_text) // 4)
    return {"prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": prompt + completion}


def chat_completion(request: dict, answer: Any, n: int) -> dict:
    """Wrap a (non-fault) answer as a ``chat.completion`` object."""
    message, finish_reason, text = _message_for(request, _normalize(answer, request), n)
    return {
        "id": f"chatcmpl-fake-{n}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model") or MODEL_ID,
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason,
                     "logprobs": None}],
        "usage": _usage(request, text),
    }


# --------------------------------------------------------------------------- #
# Multipart parsing (for POST /v1/files)
# --------------------------------------------------------------------------- #


@dataclass
class _Part:
    name: str
    filename: Optional[str]
    data: bytes


def _header_params(value: str) -> dict[str, str]:
    """Parse ``a; k="v"; k2=v2`` header parameters into a dict."""
    params = {}
    for match in re.finditer(r';\s*([\w*-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^;]*)', value):
        quoted = match.group(3)
        params[match.group(1).lower()] = quoted if quoted is not None else match.group(2).strip()
    return params


def _parse_multipart(content_type: str, body: bytes) -> dict[str, _Part]:
    """Minimal multipart/form-data parser: enough for the openai client's uploads."""
    boundary = _header_params(content_type).get("boundary")
    if not boundary:
        raise ValueError("multipart body without boundary")
    parts: dict[str, _Part] = {}
    for chunk in body.split(b"--" + boundary.encode())[1:]:
        if chunk.startswith(b"--"):
            break  # closing delimiter
        head, _, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        disposition = ""
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            if key.strip().lower() == "content-disposition":
                disposition = value
        params = _header_params(disposition)
        name = params.get("name", "")
        parts[name] = _Part(name, params.get("filename"), data.removesuffix(b"\r\n"))
    return parts


# --------------------------------------------------------------------------- #
# The in-memory "API": routing and state, independent of the HTTP transport
# --------------------------------------------------------------------------- #


class _Api:
    """All endpoint logic and state; returns :class:`_Response` objects."""

    def __init__(self, responder: Responder) -> None:
        self.responder = responder
        self.lock = threading.Lock()  # guards the recorded lists and stores
        self.batch_lock = threading.Lock()  # serializes batch state transitions
        self.requests: list[dict] = []
        self.routes: list[tuple[str, str]] = []
        self.headers: list[dict] = []
        self.files: dict[str, dict] = {}
        self.file_data: dict[str, bytes] = {}
        self.batches: dict[str, dict] = {}
        self._ids = itertools.count(1)
        self._table: list[tuple[str, re.Pattern, Callable[..., _Response]]] = [
            # Databricks serves the same route under /serving-endpoints (instructor's databricks provider)
            ("POST", re.compile(r"/v1(?:/serving-endpoints)?/chat/completions"), self.post_chat_completion),
            ("GET", re.compile(r"/v1/models"), self.get_models),
            ("POST", re.compile(r"/v1/files"), self.post_file),
            ("GET", re.compile(r"/v1/files"), self.list_files),
            ("GET", re.compile(r"/v1/files/([^/]+)"), self.get_file),
            ("GET", re.compile(r"/v1/files/([^/]+)/content"), self.get_file_content),
            ("POST", re.compile(r"/v1/batches"), self.post_batch),
            ("GET", re.compile(r"/v1/batches"), self.list_batches),
            ("GET", re.compile(r"/v1/batches/([^/]+)"), self.get_batch),
            ("POST", re.compile(r"/v1/batches/([^/]+)/cancel"), self.cancel_batch),
        ]

    # -- dispatch ---------------------------------------------------------- #

    def handle(self, method: str, path: str, headers: dict, body: bytes) -> _Response:
        """Route one request; unknown routes get a 404 JSON error."""
        path = path.split("?", 1)[0].rstrip("/")
        with self.lock:
            self.routes.append((method, path))
            self.headers.append(headers)
        for verb, pattern, endpoint in self._table:
            match = pattern.fullmatch(path)
            if match and verb == method:
                return endpoint(*match.groups(), headers=headers, body=body)
        return _error_response(404, f"Unknown route: {method} {path}")

    def _next_id(self, prefix: str) -> str:
        with self.lock:
            return f"{prefix}{next(self._ids)}"

    def _record(self, request: dict) -> int:
        """Store a chat request and return its 0-based index ``n``."""
        with self.lock:
            self.requests.append(request)
            return len(self.requests) - 1

    # -- chat completions ------------------------------------------------- #

    def post_chat_completion(self, *, headers: dict, body: bytes) -> _Response:
        try:
            request = json.loads(body or b"{}")
        except json.JSONDecodeError as exc:
            return _error_response(400, f"Invalid JSON body: {exc}")
        if request.get("stream"):
            return _error_response(400, "FakeOpenAI does not implement streaming")
        n = self._record(request)
        return self._answer_response(request, self.responder(request, n), n)

    def _answer_response(self, request: dict, answer: Any, n: int) -> _Response:
        """Turn a responder answer into an HTTP response (stalls become a delay)."""
        delay = 0.0
        while isinstance(answer, Stall):
            delay += answer.seconds
            answer = answer.then
        if isinstance(answer, Fault):
            response = _fault_response(answer)
        else:
            response = _json_response(200, chat_completion(request, answer, n))
        response.delay += delay
        return response

    def get_models(self, *, headers: dict, body: bytes) -> _Response:
        model = {"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "fake"}
        return _json_response(200, {"object": "list", "data": [model]})

    # -- files --------------------------------------------------------------- #

    def _store_file(self, filename: str, purpose: str, data: bytes) -> dict:
        file_id = self._next_id("file-")
        meta = {"id": file_id, "object": "file", "bytes": len(data),
                "created_at": int(time.time()), "filename": filename,
                "purpose": purpose, "status": "processed", "status_details": None,
                "expires_at": None}
        with self.lock:
            self.files[file_id] = meta
            self.file_data[file_id] = data
        return meta

    def post_file(self, *, headers: dict, body: bytes) -> _Response:
        try:
            parts = _parse_multipart(headers.get("content-type", ""), body)
        except ValueError as exc:
            return _error_response(400, str(exc))
        upload, purpose = parts.get("file"), parts.get("purpose")
        if upload is None or purpose is None:
            return _error_response(400, "multipart upload needs 'file' and 'purpose'")
        meta = self._store_file(upload.filename or "upload", purpose.data.decode(), upload.data)
        return _json_response(200, meta)

    def list_files(self, *, headers: dict, body: bytes) -> _Response:
        with self.lock:
            data = list(self.files.values())
        return _json_response(200, {"object": "list", "data": data, "has_more": False})

    def get_file(self, file_id: str, *, headers: dict, body: bytes) -> _Response:
        meta = self.files.get(file_id)
        if meta is None:
            return _error_response(404, f"No such file: {file_id}")
        return _json_response(200, meta)

    def get_file_content(self, file_id: str, *, headers: dict, body: bytes) -> _Response:
        data = self.file_data.get(file_id)
        if data is None:
            return _error_response(404, f"No such file: {file_id}")
        return _Response(200, data, "application/octet-stream")

    # -- batches ------------------------------------------------------------- #

    def post_batch(self, *, headers: dict, body: bytes) -> _Response:
        try:
            params = json.loads(body or b"{}")
        except json.JSONDecodeError as exc:
            return _error_response(400, f"Invalid JSON body: {exc}")
        input_file_id = params.get("input_file_id")
        if input_file_id not in self.file_data:
            return _error_response(400, f"No such input file: {input_file_id}")
        batch = self._new_batch(params)
        with self.lock:
            self.batches[batch["id"]] = batch
        return _json_response(200, batch)

    def _new_batch(self, params: dict) -> dict:
        now = int(time.time())
        return {
            "id": self._next_id("batch_"), "object": "batch",
            "endpoint": params.get("endpoint", "/v1/chat/completions"),
            "errors": None, "input_file_id": params["input_file_id"],
            "completion_window": params.get("completion_window", "24h"),
            "status": "validating", "output_file_id": None, "error_file_id": None,
            "created_at": now, "in_progress_at": None, "expires_at": now + 86400,
            "finalizing_at": None, "completed_at": None, "failed_at": None,
            "expired_at": None, "cancelling_at": None, "cancelled_at": None,
            "request_counts": {"total": 0, "completed": 0, "failed": 0},
            "metadata": params.get("metadata"), "model": None, "usage": None,
        }

    def list_batches(self, *, headers: dict, body: bytes) -> _Response:
        with self.lock:
            data = list(self.batches.values())
        first, last = (data[0]["id"], data[-1]["id"]) if data else (None, None)
        return _json_response(200, {"object": "list", "data": data, "has_more": False,
                                    "first_id": first, "last_id": last})

    def get_batch(self, batch_id: str, *, headers: dict, body: bytes) -> _Response:
        """Each poll advances the batch one step, so clients must really poll."""
        batch = self.batches.get(batch_id)
        if batch is None:
            return _error_response(404, f"No such batch: {batch_id}")
        with self.batch_lock:
            self._advance(batch)
            return _json_response(200, batch)

    def cancel_batch(self, batch_id: str, *, headers: dict, body: bytes) -> _Response:
        batch = self.batches.get(batch_id)
        if batch is None:
            return _error_response(404, f"No such batch: {batch_id}")
        with self.batch_lock:
            if batch["status"] in ("validating", "in_progress"):
                batch.update(status="cancelling", cancelling_at=int(time.time()))
            return _json_response(200, batch)

    def _advance(self, batch: dict) -> None:
        """validating -> in_progress -> completed; cancelling -> cancelled."""
        now = int(time.time())
        status = batch["status"]
        if status == "validating":
            total = len(self._input_lines(batch))
            batch.update(status="in_progress", in_progress_at=now,
                         request_counts={"total": total, "completed": 0, "failed": 0})
        elif status == "in_progress":
            self._run_batch(batch)
            batch.update(status="completed", finalizing_at=now, completed_at=now)
        elif status == "cancelling":
            batch.update(status="cancelled", cancelled_at=now)

    def _input_lines(self, batch: dict) -> list[bytes]:
        data = self.file_data[batch["input_file_id"]]
        return [line for line in data.splitlines() if line.strip()]

    def _run_batch(self, batch: dict) -> None:
        """Answer every JSONL line through the responder and write the output file."""
        results = [self._batch_line(line) for line in self._input_lines(batch)]
        failed = sum(1 for r in results if r["response"] is None
                     or r["response"]["status_code"] != 200)
        text = "".join(json.dumps(r) + "\n" for r in results).encode()
        output = self._store_file(f"{batch['id']}_output.jsonl", "batch_output", text)
        batch.update(output_file_id=output["id"],
                     request_counts={"total": len(results),
                                     "completed": len(results) - failed, "failed": failed})

    def _batch_line(self, line: bytes) -> dict:
        """One output record; Stall delays are skipped (no client timeout here)."""
        result_id = self._next_id("batch_req_")
        try:
            item = json.loads(line)
            request = item["body"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            error = {"code": "invalid_request", "message": f"Bad JSONL line: {exc}"}
            return {"id": result_id, "custom_id": None, "response": None, "error": error}
        n = self._record(request)
        response = self._answer_response(request, self.responder(request, n), n)
        try:
            payload: Any = json.loads(response.body)
        except json.JSONDecodeError:
            payload = response.body.decode("utf-8", "replace")
        return {"id": result_id, "custom_id": item.get("custom_id"),
                "response": {"status_code": response.status, "request_id": f"req_{n}",
                             "body": payload},
                "error": None}


# --------------------------------------------------------------------------- #
# HTTP transport
# --------------------------------------------------------------------------- #

_DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


class _Server(ThreadingHTTPServer):
    """Threaded server tuned for bursts of keep-alive connections."""

    daemon_threads = True
    request_queue_size = 512
    allow_reuse_address = True

    def __init__(self, api: _Api, latency: float) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.api = api
        self.latency = latency
        self.closing = threading.Event()
        self.request_ids = itertools.count(1)
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet: clients hanging up (timeouts, shutdown) is expected here."""

    def drop_connections(self) -> None:
        """Close idle keep-alive sockets so their handler threads exit promptly."""
        with self.connections_lock:
            conns = list(self.connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(BaseHTTPRequestHandler):
    """Transport only: read body, sleep latency/delay, write response."""

    protocol_version = "HTTP/1.1"
    # headers and body go out in two writes: with Nagle on, the body waits for the client's delayed ACK
    # (~40 ms per response), which would make the fake, not the client, the bottleneck in benchmarks
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        try:
            super().finish()
        except _DISCONNECTS:
            pass

    def log_message(self, format: str, *args: Any) -> None:
        """No per-request logging: keeps test and benchmark output clean."""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _read_body(self) -> bytes:
        """Read a Content-Length or chunked request body."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _dispatch(self, method: str) -> None:
        try:
            body = self._read_body()
            arrived = time.monotonic()
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                response = self.server.api.handle(method, self.path, headers, body)
            except Exception as exc:  # surface responder bugs to the client, not stderr
                response = _error_response(500, f"FakeOpenAI internal error: {exc!r}",
                                           "server_error")
            # the answer is built first, so the latency is the whole time from arrival to reply
            self._sleep(arrived + self.server.latency + response.delay - time.monotonic())
            self._send(response)
        except _DISCONNECTS:
            self.close_connection = True

    def _sleep(self, seconds: float) -> None:
        """Sleep that is cut short by ``close()`` so shutdown never hangs."""
        if seconds > 0:
            self.server.closing.wait(seconds)

    def _send(self, response: _Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("x-request-id", f"req_fake_{next(self.server.request_ids)}")
        for key, value in response.headers.items():
            self.send_header(key, str(value))
        self.end_headers()
        self.wfile.write(response.body)
        self.wfile.flush()


# --------------------------------------------------------------------------- #
# Public façade
# --------------------------------------------------------------------------- #


class FakeOpenAI:
    """An OpenAI-compatible server on 127.0.0.1:<ephemeral> in a daemon thread.

    ``responder`` may be swapped at any time via the attribute of the same
    name; ``latency`` (seconds) is added to every HTTP request.
    """

    def __init__(self, responder: Optional[Responder] = None, latency: float = 0.0) -> None:
        self._api = _Api(responder or _default_responder)
        self._server = _Server(self._api, latency)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name="FakeOpenAI", daemon=True)
        self._thread.start()
        self._closed = False

    # -- lifecycle --------------------------------------------------------- #

    def __enter__(self) -> "FakeOpenAI":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving, wake sleeping handlers and drop keep-alive connections."""
        if self._closed:
            return
        self._closed = True
        self._server.closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._server.drop_connections()
        self._thread.join(timeout=5)

    # -- addresses ----------------------------------------------------------- #

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        """Pass as ``openai.OpenAI(base_url=...)``; includes the ``/v1`` prefix."""
        return f"http://127.0.0.1:{self.port}/v1"

    # -- configuration and inspection ---------------------------------------- #

    @property
    def responder(self) -> Responder:
        return self._api.responder

    @responder.setter
    def responder(self, responder: Responder) -> None:
        self._api.responder = responder

    @property
    def latency(self) -> float:
        return self._server.latency

    @property
    def requests(self) -> list[dict]:
        """Snapshot of every chat completion body answered (HTTP and batch lines)."""
        with self._api.lock:
            return list(self._api.requests)

    @property
    def request_count(self) -> int:
        with self._api.lock:
            return len(self._api.requests)

    @property
    def routes(self) -> list[tuple[str, str]]:
        """Snapshot of ``(method, path)`` for every HTTP request, e.g. to count polls."""
        with self._api.lock:
            return list(self._api.routes)

    @property
    def headers(self) -> list[dict]:
        """Snapshot of every HTTP request's headers (lower-cased names), e.g. to see which key was sent."""
        with self._api.lock:
            return list(self._api.headers)

    @property
    def batches(self) -> dict[str, dict]:
        with self._api.batch_lock:
            return {k: dict(v) for k, v in self._api.batches.items()}

    def file_content(self, file_id: str) -> bytes:
        """Raw bytes of a stored file (uploaded or batch output)."""
        return self._api.file_data[file_id]
