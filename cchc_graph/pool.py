"""pool: the endpoint's query workers (workers.py), shared fairly (admission.py).

A request passes the guard (guard.py), is answered from the answer cache if it was asked
before, else waits for a worker as the admission rules allow, within `queue_wait` seconds; its
`timeout` counts from the moment it has a worker. A query past its timeout, a long query
stopped for another, and a worker that dies under a query (memory, a crash) each end in a typed
error, and a fresh worker takes the place of the one that was killed.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import math
import multiprocessing
import os
import re
import signal
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from cchc_graph.admission import ASKING, Admission, Asker, Limits, Outcome, Ticket
from cchc_graph.answers import GRAPH_FORMATS, SELECT_FORMATS, Answer, Table, tsv_table
from cchc_graph.errors import BusyError, CchcError
from cchc_graph.guard import QueryPolicy, check
from cchc_graph.store import Dataset, StoreError
from cchc_graph.workers import (
    Frames,
    QueryMemoryError,
    StoreSpec,
    memory_error,
    read_within,
    send,
    store_spec,
    worker_main,
)

__all__ = [
    "AnswerCache",
    "QueryMemoryError",
    "QueryPool",
    "QueryStoppedError",
    "QueryTimeoutError",
    "StoreSpec",
    "WorkerError",
    "store_spec",
]


class QueryTimeoutError(CchcError):
    """A query ran past the timeout and was stopped."""

    exit_code = 2
    http_status = 503


class QueryStoppedError(BusyError):
    """A long query stopped so that another long query could finish."""


class WorkerError(CchcError):
    """A query worker stopped under a query for a reason that is not the query's: our bug."""

    exit_code = 3
    http_status = 500


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    connection: Connection


class AnswerCache:
    """Answers kept by what was asked (the query text, the formats, the dataset, the row cap),
    up to `limit` bytes counting the question's text, the least recently asked going first.

    The served graph does not change while it is served (the endpoint is read-only; a new build
    is served by a new pool), so a kept answer stays right. Errors and timeouts are never kept,
    nor an answer larger than an eighth of the limit, which would push out many small ones.
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

    @property
    def size(self) -> int:
        return self._size

    def __len__(self) -> int:
        return len(self._answers)


class QueryPool:
    """Worker processes answering queries within their time, memory and share."""

    def __init__(
        self,
        spec: StoreSpec,
        size: int = 2,
        timeout: float = 10.0,
        row_cap: int | None = None,
        cache_bytes: int = 0,
        *,
        limits: Limits | None = None,
        policy: QueryPolicy = QueryPolicy(),
        query_memory: int | None = None,
        queue_wait: float | None = None,
    ) -> None:
        self.spec = spec.for_workers()
        self.timeout = timeout
        self.queue_wait = timeout if queue_wait is None else queue_wait
        self.row_cap = row_cap  # for callers that name none: no page reads past it
        self.cache = AnswerCache(cache_bytes) if cache_bytes > 0 else None
        self.policy = policy
        self.query_memory = query_memory
        size = max(1, size)
        limits = limits or Limits(workers=size)
        # with one worker there is nothing to keep for the pages
        self.limits = _fitted(limits, size)
        self.admission: Admission[_Worker] = Admission(self.limits)
        self.description = ""
        self._context = multiprocessing.get_context("spawn")
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._restarts: list[threading.Thread] = []
        started = [self._start() for _ in range(size)]
        for worker in started:
            self._await_ready(worker)
        self._watcher = threading.Thread(target=self._watch, name="cchc-long-queries", daemon=True)
        self._watcher.start()

    # ------------------------------------------------------------ asking

    def answer(
        self,
        query: str,
        *,
        select_format: str = "json",
        graph_format: str = "turtle",
        dataset: Dataset = Dataset(),
        row_cap: int | None = None,
        asker: Asker | None = None,
    ) -> Answer:
        """Answer from a thread: wait for a worker, then for its answer."""
        request = self._request(query, select_format, graph_format, dataset, row_cap)
        key, kept = self._kept(request)
        if kept is not None:
            return kept
        woken = threading.Event()
        ticket = self.admission.ask(asker or ASKING.get(), woken.set)
        if ticket.worker is None and not woken.wait(self.queue_wait):
            self._no_worker_in_time(ticket)
        worker = self._held(ticket)
        try:
            send(worker.connection.fileno(), request)
            reply = read_within(worker.connection.fileno(), self.timeout)
        except (EOFError, OSError):
            raise self._lost(ticket, worker) from None
        return self._keep(key, self._settle(ticket, worker, reply))

    async def answer_async(
        self,
        query: str,
        *,
        select_format: str = "json",
        graph_format: str = "turtle",
        dataset: Dataset = Dataset(),
        row_cap: int | None = None,
        asker: Asker | None = None,
    ) -> Answer:
        """`answer` for the event loop: the worker's pipe is watched by the loop itself, so a
        request costs no thread hand-over (which cost as much as the query on small graphs),
        and a large answer is read as it comes, without blocking the loop."""
        request = self._request(query, select_format, graph_format, dataset, row_cap)
        key, kept = self._kept(request)
        if kept is not None:
            return kept
        loop = asyncio.get_running_loop()
        ticket = await self._wait_for_worker(loop, asker or ASKING.get())
        worker = self._held(ticket)
        descriptor = worker.connection.fileno()
        frames = Frames()
        complete: asyncio.Future[None] = loop.create_future()
        try:
            send(descriptor, request)
            loop.add_reader(descriptor, _read_some, descriptor, frames, complete)
            timer = loop.call_later(self.timeout, _expire, complete)
            try:
                await complete
            finally:
                timer.cancel()
                loop.remove_reader(descriptor)
            reply: tuple[Any, bytes] | None = frames.take()
        except TimeoutError:
            reply = None
        except (EOFError, OSError):
            raise self._lost(ticket, worker) from None
        except asyncio.CancelledError:  # its answer would go to the next request: replace it
            self._replace(worker)
            self.admission.finish(ticket, Outcome.ANSWERED, None)
            raise
        return self._keep(key, self._settle(ticket, worker, reply))

    def select(self, query: str) -> Table:
        return tsv_table(self.answer(query, select_format="tsv").body)

    def load_build(self, build_dir: Path, graphs: Sequence[str] | None = None) -> int:
        raise StoreError("the endpoint's store is read-only; rebuild and reload it")

    # ------------------------------------------------------------ waiting

    async def _wait_for_worker(
        self, loop: asyncio.AbstractEventLoop, asker: Asker
    ) -> Ticket[_Worker]:
        woken: asyncio.Future[None] = loop.create_future()

        def wake() -> None:  # under the admission lock: never blocks
            if _running_loop() is loop:
                _resolve(woken)
            else:
                loop.call_soon_threadsafe(_resolve, woken)

        ticket = self.admission.ask(asker, wake)
        if ticket.worker is not None:
            return ticket
        timer = loop.call_later(self.queue_wait, _expire, woken)
        try:
            await woken
        except TimeoutError:
            self._no_worker_in_time(ticket)
        except asyncio.CancelledError:
            worker = self.admission.give_up(ticket)
            if worker is not None:
                self.admission.finish(ticket, Outcome.ANSWERED, worker)
            raise
        finally:
            timer.cancel()
        return ticket

    def _no_worker_in_time(self, ticket: Ticket[_Worker]) -> None:
        """The wait is over without a worker, unless one came as it ended."""
        if self.admission.give_up(ticket) is None:
            raise BusyError(
                f"no query worker became free within {self.queue_wait:g} s; ask again later",
                retry_after=max(1, math.ceil(self.timeout)),
            )

    @staticmethod
    def _held(ticket: Ticket[_Worker]) -> _Worker:
        if ticket.worker is None:
            raise RuntimeError("a ticket without a worker")
        return ticket.worker

    # ------------------------------------------------------------ the outcome

    def _settle(
        self, ticket: Ticket[_Worker], worker: _Worker, reply: tuple[Any, bytes] | None
    ) -> Answer:
        if reply is None:
            self._replace(worker)
            self.admission.finish(ticket, Outcome.TIMED_OUT, None)
            raise QueryTimeoutError(
                f"the query ran longer than {self.timeout:g} s and was stopped"
            )
        self.admission.finish(ticket, Outcome.ANSWERED, worker)
        (status, payload), body = reply
        if status == "error":
            raise payload
        form, name, rows, truncated = payload
        fmt = SELECT_FORMATS.get(name) or GRAPH_FORMATS[name]
        return Answer(form, body, fmt, rows, truncated)

    def _lost(self, ticket: Ticket[_Worker], worker: _Worker) -> CchcError:
        """The worker's pipe closed under a query: why, as the error to raise."""
        worker.process.join(2)
        code = worker.process.exitcode
        self._replace(worker)
        if ticket.stopped:
            self.admission.finish(ticket, Outcome.STOPPED, None)
            return QueryStoppedError(
                f"the query ran past {self.limits.long_after:g} s while "
                f"{self.limits.long_queries} other long query ran, and was stopped: this "
                "endpoint runs long queries one at a time; ask again later or narrow it",
                retry_after=max(1, math.ceil(self.timeout)),
            )
        self.admission.finish(ticket, Outcome.FAILED, None)
        if code == -signal.SIGABRT and self.query_memory is not None:
            return memory_error(self.query_memory)  # the allocator gave up: see workers.py
        return WorkerError(f"a query worker stopped unexpectedly (exit code {code})")

    # ------------------------------------------------------------ workers

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=worker_main,
            args=(child, self.spec, self.query_memory),
            name="cchc-query-worker",
            daemon=True,
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
            reply = read_within(worker.connection.fileno(), 120)
            status, payload = reply[0] if reply is not None else ("late", None)
        except (EOFError, OSError):
            status, payload = "gone", None
        if status != "ready":
            self._discard(worker)
            if isinstance(payload, CchcError):
                raise payload
            raise StoreError(f"a query worker did not start ({status})")
        self.description = str(payload)
        self.admission.add(worker)

    def _discard(self, worker: _Worker) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(5)
        worker.connection.close()
        self.admission.discard(worker)
        with self._lock:
            if worker in self._workers:
                self._workers.remove(worker)

    def _replace(self, worker: _Worker) -> None:
        self._discard(worker)
        if self._closed.is_set():
            return
        thread = threading.Thread(target=self._restart, name="cchc-worker-restart", daemon=True)
        self._restarts.append(thread)
        thread.start()

    def _restart(self) -> None:
        # on failure the pool goes on with fewer workers; the next replacement tries again
        with contextlib.suppress(CchcError, OSError):
            self._await_ready(self._start())

    def _watch(self) -> None:
        """Stops the long queries past their number (see admission.py), ten times a second."""
        while not self._closed.wait(0.1):
            for ticket in self.admission.overdue():
                if ticket.worker is not None and ticket.worker.process.is_alive():
                    ticket.worker.process.kill()

    # ------------------------------------------------------------ the answer cache

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

    def _kept(self, request: dict[str, Any]) -> tuple[tuple[Any, ...], Answer | None]:
        """The request's cache key and its kept answer; a new question meets the guard."""
        key = _key(request)
        kept = self.cache.get(key) if self.cache is not None else None
        if kept is None:
            check(request["query"], self.policy)
        return key, kept

    def _keep(self, key: tuple[Any, ...], answer: Answer) -> Answer:
        if self.cache is not None and not _VOLATILE.search(key[0]):
            self.cache.put(key, answer)
        return answer

    # ------------------------------------------------------------ state

    @property
    def alive(self) -> int:
        with self._lock:
            return sum(1 for w in self._workers if w.process.is_alive())

    @property
    def pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._workers if w.process.pid is not None]

    def close(self) -> None:
        self._closed.set()
        for thread in self._restarts:
            thread.join(60)
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            self._discard(worker)


def _fitted(limits: Limits, size: int) -> Limits:
    """`limits` for `size` workers: the pages' reserve leaves the public at least one."""
    return dataclasses.replace(
        limits, workers=size, page_reserve=min(limits.page_reserve, size - 1)
    )


def _read_some(descriptor: int, frames: Frames, complete: asyncio.Future[None]) -> None:
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


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _expire(future: asyncio.Future[Any]) -> None:
    if not future.done():
        future.set_exception(TimeoutError())

