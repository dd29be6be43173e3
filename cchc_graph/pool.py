"""pool: the endpoint's query workers, separate processes that can be stopped.

pyoxigraph cannot interrupt a running query, so each query runs in a worker process that holds
its own copy of the store (in memory, read-only on disk, or a client of a remote endpoint). A
query past the timeout is stopped by killing its worker; a fresh worker takes its place while the
others go on answering.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import multiprocessing
import os
import pickle
import queue
import re
import select
import struct
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, Literal

from cchc_graph.errors import CchcError
from cchc_graph.store import (
    GRAPH_FORMATS,
    SELECT_FORMATS,
    Answer,
    Dataset,
    EmbeddedStore,
    RemoteStore,
    Store,
    StoreError,
    Table,
    tsv_table,
)


class QueryTimeoutError(CchcError):
    """A query ran past the timeout and was stopped, or no worker was free in time."""

    exit_code = 2


@dataclass(frozen=True)
class StoreSpec:
    """How to open the store, in this process or in a worker."""

    kind: Literal["memory", "disk", "remote"]
    build_dir: Path
    location: Path | None = None  # the on-disk store
    endpoint: str | None = None
    graph_store: str | None = None
    read_only: bool = False

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
                return EmbeddedStore.read_only(self.location)
            return EmbeddedStore.on_disk(self.build_dir, self.location)
        return EmbeddedStore.in_memory(self.build_dir)


def _worker_main(connection: Connection, spec: StoreSpec) -> None:
    """A worker's life: open the store, then answer requests until the pipe closes."""
    descriptor = connection.fileno()
    try:
        store = spec.open()
    except CchcError as error:
        _send(descriptor, ("error", error))
        return
    _send(descriptor, ("ready", store.description))
    frames = _Frames()
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
            _send(descriptor, ("ok", meta), answer.body)
        except CchcError as error:
            _send(descriptor, ("error", error))
        except Exception as error:  # a worker must answer every request, whatever goes wrong
            _send(descriptor, ("error", StoreError(f"{type(error).__name__}: {error}")))


# A message on a worker's pipe: two lengths, a pickled header, then the answer's bytes as they
# are (not pickled: one copy less of a large answer), written at once and read at once.
_LENGTHS = struct.Struct("!IQ")


def _send(descriptor: int, header: Any, body: bytes = b"") -> None:
    """Write one message; on the server's non-blocking end, wait while the pipe is full."""
    pickled = pickle.dumps(header, protocol=pickle.HIGHEST_PROTOCOL)
    parts = [_LENGTHS.pack(len(pickled), len(body)), pickled, body]
    while parts:
        try:
            written = os.writev(descriptor, parts)
        except BlockingIOError:
            _wait(descriptor, select.POLLOUT, None)  # the worker is reading: a short wait
            continue
        while parts and written >= len(parts[0]):
            written -= len(parts.pop(0))
        if parts and written:
            parts[0] = parts[0][written:]


class _Frames:
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


@dataclass
class _Worker:
    process: BaseProcess
    connection: Connection


class AnswerCache:
    """Answers kept by what was asked (the query text, the formats, the dataset, the row cap),
    up to `limit` bytes, the least recently asked going first.

    The served graph does not change while it is served (the endpoint is read-only; a rebuild
    needs a restart), so a kept answer stays right. Errors and timeouts are never kept, nor an
    answer larger than an eighth of the limit, which would push out many small ones.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.hits = 0
        self.misses = 0
        self._answers: collections.OrderedDict[tuple[Any, ...], Answer] = (
            collections.OrderedDict()
        )
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Answer | None:
        with self._lock:
            answer = self._answers.get(key)
            if answer is None:
                self.misses += 1
                return None
            self._answers.move_to_end(key)
            self.hits += 1
            return answer

    def put(self, key: tuple[Any, ...], answer: Answer) -> None:
        size = len(answer.body) + len(key[0])
        if size > self.limit // 8:
            return
        with self._lock:
            if key in self._answers:
                return
            self._answers[key] = answer
            self._size += size
            while self._size > self.limit:
                old_key, old = self._answers.popitem(last=False)
                self._size -= len(old.body) + len(old_key[0])

    def __len__(self) -> int:
        return len(self._answers)


class QueryPool:
    """`size` worker processes; `answer` runs a query in a free one, within `timeout` seconds."""

    def __init__(
        self,
        spec: StoreSpec,
        size: int = 2,
        timeout: float = 10.0,
        row_cap: int | None = None,
        cache_bytes: int = 0,
    ) -> None:
        self.spec = spec.for_workers()
        self.timeout = timeout
        self.row_cap = row_cap  # for callers that name none: no page reads past it
        self.cache = AnswerCache(cache_bytes) if cache_bytes > 0 else None
        self.description = ""
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False
        self._restarts: list[threading.Thread] = []
        self._waiters: collections.deque[
            tuple[asyncio.AbstractEventLoop, asyncio.Future[_Worker]]
        ] = collections.deque()
        started = [self._start() for _ in range(max(1, size))]
        for worker in started:
            self._await_ready(worker)

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_worker_main, args=(child, self.spec), name="cchc-query-worker", daemon=True
        )
        process.start()
        child.close()
        # never blocking on this side: the event loop reads what has come and waits for the rest
        os.set_blocking(parent.fileno(), False)
        worker = _Worker(process, parent)
        with self._lock:
            self._workers.append(worker)
        return worker

    def _await_ready(self, worker: _Worker) -> None:
        try:
            reply = _read_within(worker.connection.fileno(), 120)
            status, payload = reply[0] if reply is not None else ("late", None)
        except (EOFError, OSError):
            status, payload = "gone", None
        if status != "ready":
            self._discard(worker)
            if isinstance(payload, CchcError):
                raise payload
            raise StoreError(f"a query worker did not start ({status})")
        self.description = str(payload)
        self._release(worker)

    def _discard(self, worker: _Worker) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(5)
        worker.connection.close()
        with self._lock:
            if worker in self._workers:
                self._workers.remove(worker)

    def _replace(self, worker: _Worker) -> None:
        self._discard(worker)
        if self._closed:
            return
        thread = threading.Thread(target=self._restart, name="cchc-worker-restart", daemon=True)
        self._restarts.append(thread)
        thread.start()

    def _restart(self) -> None:
        # on failure the pool goes on with fewer workers; the next timeout tries again
        with contextlib.suppress(CchcError, OSError):
            self._await_ready(self._start())

    def answer(
        self,
        query: str,
        *,
        select_format: str = "json",
        graph_format: str = "turtle",
        dataset: Dataset = Dataset(),
        row_cap: int | None = None,
    ) -> Answer:
        request = self._request(query, select_format, graph_format, dataset, row_cap)
        key, kept = self._kept(request)
        if kept is not None:
            return kept
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise self._busy() from None
        try:
            _send(worker.connection.fileno(), request)
            reply = _read_within(worker.connection.fileno(), self.timeout)
        except (EOFError, OSError):
            self._replace(worker)
            raise StoreError("a query worker stopped unexpectedly") from None
        return self._keep(key, self._reply(worker, reply))

    async def answer_async(
        self,
        query: str,
        *,
        select_format: str = "json",
        graph_format: str = "turtle",
        dataset: Dataset = Dataset(),
        row_cap: int | None = None,
    ) -> Answer:
        """`answer` for the event loop: the worker's pipe is watched by the loop itself, so a
        request costs no thread hand-over (which cost as much as the query on small graphs),
        and a large answer is read as it comes, without blocking the loop."""
        request = self._request(query, select_format, graph_format, dataset, row_cap)
        key, kept = self._kept(request)
        if kept is not None:
            return kept
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        worker = await self._acquire(loop, deadline)
        descriptor = worker.connection.fileno()
        frames = _Frames()
        complete: asyncio.Future[None] = loop.create_future()
        try:
            _send(descriptor, request)
            loop.add_reader(descriptor, _read_some, descriptor, frames, complete)
            timer = loop.call_at(deadline, _expire, complete)
            try:
                await complete
            finally:
                timer.cancel()
                loop.remove_reader(descriptor)
            reply: tuple[Any, bytes] | None = frames.take()
        except TimeoutError:
            reply = None
        except (EOFError, OSError):
            self._replace(worker)
            raise StoreError("a query worker stopped unexpectedly") from None
        except asyncio.CancelledError:  # its answer would go to the next request: replace it
            self._replace(worker)
            raise
        return self._keep(key, self._reply(worker, reply))

    def _kept(self, request: dict[str, Any]) -> tuple[tuple[Any, ...], Answer | None]:
        """The request's cache key, and its answer if one is kept."""
        key = _key(request)
        return key, (self.cache.get(key) if self.cache is not None else None)

    def _keep(self, key: tuple[Any, ...], answer: Answer) -> Answer:
        if self.cache is not None and not _VOLATILE.search(key[0]):
            self.cache.put(key, answer)
        return answer

    async def _acquire(self, loop: asyncio.AbstractEventLoop, deadline: float) -> _Worker:
        """A free worker, or wait for one without a thread: `_release` hands it over."""
        waiting: asyncio.Future[_Worker] = loop.create_future()
        with self._lock:
            try:
                return self._idle.get_nowait()
            except queue.Empty:
                self._waiters.append((loop, waiting))
        timer = loop.call_at(deadline, _expire, waiting)
        try:
            return await waiting
        except TimeoutError:
            raise self._busy() from None
        finally:
            timer.cancel()

    def _release(self, worker: _Worker) -> None:
        with self._lock:
            while self._waiters:
                loop, waiting = self._waiters.popleft()
                if waiting.done():  # it gave up
                    continue
                if _running_loop() is loop:  # no wake-up of the loop by itself
                    waiting.set_result(worker)
                else:
                    loop.call_soon_threadsafe(self._hand, waiting, worker)
                return
            self._idle.put(worker)

    def _hand(self, waiting: asyncio.Future[_Worker], worker: _Worker) -> None:
        if waiting.done():  # it gave up meanwhile: the next one gets the worker
            self._release(worker)
        else:
            waiting.set_result(worker)

    def _busy(self) -> QueryTimeoutError:
        return QueryTimeoutError(
            f"no query worker became free within {self.timeout:g} s; try again later"
        )

    def _request(
        self,
        query: str,
        select_format: str,
        graph_format: str,
        dataset: Dataset,
        row_cap: int | None,
    ) -> dict[str, Any]:
        return {
            "query": query,
            "select_format": select_format,
            "graph_format": graph_format,
            "dataset": dataset,
            "row_cap": self.row_cap if row_cap is None else row_cap,
        }

    def _reply(self, worker: _Worker, reply: tuple[Any, bytes] | None) -> Answer:
        if reply is None:
            self._replace(worker)
            raise QueryTimeoutError(f"the query ran longer than {self.timeout:g} s and was stopped")
        self._release(worker)
        (status, payload), body = reply
        if status == "error":
            raise payload
        form, name, rows, truncated = payload
        fmt = SELECT_FORMATS.get(name) or GRAPH_FORMATS[name]
        return Answer(form, body, fmt, rows, truncated)

    def select(self, query: str) -> Table:
        return tsv_table(self.answer(query, select_format="tsv").body)

    def load_build(self, build_dir: Path, graphs: Sequence[str] | None = None) -> int:
        raise StoreError("the endpoint's store is read-only; rebuild and restart it")

    @property
    def alive(self) -> int:
        with self._lock:
            return sum(1 for w in self._workers if w.process.is_alive())

    def close(self) -> None:
        self._closed = True
        for thread in self._restarts:
            thread.join(60)
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            self._discard(worker)


def _read_some(descriptor: int, frames: _Frames, complete: asyncio.Future[None]) -> None:
    """The loop's reader: take what the pipe holds; the future completes with the message."""
    if complete.done():
        return
    try:
        if frames.feed(os.read(descriptor, frames.wanted)):
            complete.set_result(None)
    except BlockingIOError:
        pass
    except (EOFError, OSError) as error:
        complete.set_exception(error)


# functions whose value changes from one asking to the next: such answers are not kept
_VOLATILE = re.compile(r"\b(?:NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)


def _key(request: dict[str, Any]) -> tuple[Any, ...]:
    # the query text first: AnswerCache counts its length
    return (
        request["query"],
        request["select_format"],
        request["graph_format"],
        request["dataset"],
        request["row_cap"],
    )


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _expire(future: asyncio.Future[Any]) -> None:
    if not future.done():
        future.set_exception(TimeoutError())


def _read_within(descriptor: int, seconds: float) -> tuple[Any, bytes] | None:
    """One message read off the (non-blocking) pipe, or None after `seconds`."""
    deadline = time.monotonic() + seconds
    frames = _Frames()
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not _wait(descriptor, select.POLLIN, left):
            return None
        with contextlib.suppress(BlockingIOError):
            if frames.feed(os.read(descriptor, frames.wanted)):
                return frames.take()


def _wait(descriptor: int, event: int, seconds: float | None) -> bool:
    """Wait until the descriptor is ready for `event` (poll: any descriptor number)."""
    poller = select.poll()
    poller.register(descriptor, event)
    return bool(poller.poll(None if seconds is None else seconds * 1000))


def store_spec(settings: Any, endpoint: str | None = None, store: str | None = None) -> StoreSpec:
    """The store the settings (or the command line's --endpoint / --store) choose."""
    endpoint = endpoint or settings.endpoint
    if endpoint:
        return StoreSpec(
            "remote", settings.build_dir, endpoint=endpoint, graph_store=settings.graph_store
        )
    kind = store or settings.store
    if kind == "disk":
        return StoreSpec("disk", settings.build_dir, location=settings.store_location)
    return StoreSpec("memory", settings.build_dir)
