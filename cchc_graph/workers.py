"""workers: a query worker's life in its own process, and the messages on its pipe.

pyoxigraph cannot interrupt a running query, so each query runs in a worker process that holds
its own copy of the store (in memory, read-only on disk, or a client of a remote endpoint), and
a query past its time is stopped by killing the process. A worker also bounds what one query
may cost: its address space is limited (a query that needs more makes the allocator fail and
the worker end), and queries run on a thread with a large stack, since Oxigraph's parser and
evaluator recurse on the query's structure.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pickle
import resource
import select
import struct
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Literal

from cchc_graph.answers import ANSWER_BYTES
from cchc_graph.builds import current_build
from cchc_graph.errors import CchcError
from cchc_graph.remote import RemoteStore
from cchc_graph.store import EmbeddedStore, Store, StoreError

QUERY_STACK = 256 << 20  # bytes of stack for the thread that runs queries


class QueryMemoryError(CchcError):
    """A query needed more memory than one query may use, and its worker stopped."""

    exit_code = 2
    http_status = 503


@dataclass(frozen=True)
class StoreSpec:
    """How to open the store, in this process or in a worker."""

    kind: Literal["memory", "disk", "remote"]
    build_dir: Path
    location: Path | None = None  # the on-disk store
    endpoint: str | None = None
    graph_store: str | None = None
    read_only: bool = False
    answer_limit: int = ANSWER_BYTES  # bytes of one answer, past which it is cut

    def for_workers(self) -> StoreSpec:
        """The spec each worker opens: an on-disk store is brought up to date here, once, then
        opened read-only by every worker (RocksDB allows one writer)."""
        if self.kind != "disk" or self.read_only:
            return self
        if self.location is None:
            raise StoreError("an on-disk store needs a location")
        EmbeddedStore.on_disk(self.build_dir, self.location)
        return dataclasses.replace(self, read_only=True)

    def open(self) -> Store:
        if self.kind == "remote":
            if self.endpoint is None:
                raise ValueError("self.endpoint is missing")
            return RemoteStore(self.endpoint, self.graph_store)
        if self.kind == "disk":
            if self.location is None:
                raise ValueError("self.location is missing")
            if self.read_only:
                store = EmbeddedStore.read_only(self.location)
            else:
                store = EmbeddedStore.on_disk(self.build_dir, self.location)
        else:
            store = EmbeddedStore.in_memory(self.build_dir)
        store.answer_limit = self.answer_limit
        return store


def store_spec(settings: Any, endpoint: str | None = None, store: str | None = None) -> StoreSpec:
    """The store the settings (or the command line's --endpoint / --store) choose."""
    endpoint = endpoint or settings.endpoint
    limit = settings.answer_limit << 20
    if endpoint:
        return StoreSpec(
            "remote",
            settings.build_dir,
            endpoint=endpoint,
            graph_store=settings.graph_store,
            answer_limit=limit,
        )
    kind = store or settings.store
    if kind == "disk":
        # each build has its own on-disk store, in its folder (unless one is named): a server
        # holding an older build never sees its store reloaded under it
        location = settings.store_dir or current_build(settings.build_dir) / "store"
        return StoreSpec("disk", settings.build_dir, location=location, answer_limit=limit)
    return StoreSpec("memory", settings.build_dir, answer_limit=limit)


def worker_main(connection: Connection, spec: StoreSpec, memory: int | None) -> None:
    """A worker process: answer requests on a thread with a large stack until the pipe closes.
    `memory` is the bytes one query may add to the worker's address space (None: no limit)."""
    threading.stack_size(QUERY_STACK)
    thread = threading.Thread(
        target=_serve, args=(connection.fileno(), spec, memory), name="cchc-query"
    )
    thread.start()
    thread.join()


def _serve(descriptor: int, spec: StoreSpec, memory: int | None) -> None:
    try:
        store = spec.open()
    except CchcError as error:
        send(descriptor, ("error", error))
        return
    if memory is not None:
        _limit_address_space(memory)
    send(descriptor, ("ready", store.description))
    frames = Frames()
    while True:
        try:
            while not frames.feed(os.read(descriptor, frames.wanted)):
                pass
        except (EOFError, OSError):
            return
        request: dict[str, Any] = frames.take()[0]
        try:
            answer = store.answer(**request)
            meta = (answer.form, answer.format.name, answer.rows, answer.truncated)
            send(descriptor, ("ok", meta), answer.body)
        except CchcError as error:
            send(descriptor, ("error", error))
        except MemoryError:
            send(descriptor, ("error", memory_error(memory)))
        except Exception as error:  # a worker must answer every request, whatever goes wrong
            send(descriptor, ("error", StoreError(f"{type(error).__name__}: {error}")))


def memory_error(memory: int | None) -> QueryMemoryError:
    allowed = f"the {memory >> 20} MiB" if memory else "the memory"
    return QueryMemoryError(
        f"the query needed more than {allowed} one query may use, and was stopped; narrow it "
        "(fewer rows, no ORDER BY or GROUP BY over everything)"
    )


def _limit_address_space(memory: int) -> None:
    """What the worker holds now (the store, the query thread's stack) plus `memory` bytes."""
    with open("/proc/self/status", encoding="ascii") as status:
        size = next(int(line.split()[1]) << 10 for line in status if line.startswith("VmSize:"))
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = size + memory
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


# A message on a worker's pipe: two lengths, a pickled header, then the answer's bytes as they
# are (not pickled: one copy less of a large answer), written at once and read at once.
_LENGTHS = struct.Struct("!IQ")


def send(descriptor: int, header: Any, body: bytes = b"") -> None:
    """Write one message; on the server's non-blocking end, wait while the pipe is full."""
    pickled = pickle.dumps(header, protocol=pickle.HIGHEST_PROTOCOL)
    parts = [_LENGTHS.pack(len(pickled), len(body)), pickled, body]
    while parts:
        try:
            written = os.writev(descriptor, parts)
        except BlockingIOError:
            wait(descriptor, select.POLLOUT, None)  # the worker is reading: a short wait
            continue
        while parts and written >= len(parts[0]):
            written -= len(parts.pop(0))
        if parts and written:
            parts[0] = parts[0][written:]


class Frames:
    """Reads one message from the chunks read off a pipe: `feed` until it says complete."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._have = 0
        self._need = _LENGTHS.size
        self.wanted = 1 << 16  # the next read's size: a small message comes in one read

    def feed(self, chunk: bytes) -> bool:
        if not chunk:
            raise EOFError("the pipe closed")
        self._chunks.append(chunk)
        self._have += len(chunk)
        if self._need == _LENGTHS.size and self._have >= _LENGTHS.size:
            first = self._chunks[0] if len(self._chunks) == 1 else b"".join(self._chunks)
            header_size, body_size = _LENGTHS.unpack_from(first)
            self._need += header_size + body_size
        self.wanted = max(1 << 16, self._need - self._have)
        return self._have >= self._need

    def take(self) -> tuple[Any, bytes]:
        """The complete message's header and body; the reader is then ready for the next one."""
        data = self._chunks[0] if len(self._chunks) == 1 else b"".join(self._chunks)
        header_size, _ = _LENGTHS.unpack_from(data)
        start = _LENGTHS.size + header_size
        header = pickle.loads(data[_LENGTHS.size : start])  # noqa: S301 (our worker's message)
        body = data[start : self._need]
        self._chunks, self._have, self._need, self.wanted = [], 0, _LENGTHS.size, 1 << 16
        return header, body


def read_within(descriptor: int, seconds: float) -> tuple[Any, bytes] | None:
    """One message read off the (non-blocking) pipe, or None after `seconds`."""
    deadline = time.monotonic() + seconds
    frames = Frames()
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not wait(descriptor, select.POLLIN, left):
            return None
        with contextlib.suppress(BlockingIOError):
            if frames.feed(os.read(descriptor, frames.wanted)):
                return frames.take()


def wait(descriptor: int, event: int, seconds: float | None) -> bool:
    """Wait until the descriptor is ready for `event` (poll: any descriptor number)."""
    poller = select.poll()
    poller.register(descriptor, event)
    return bool(poller.poll(None if seconds is None else seconds * 1000))
