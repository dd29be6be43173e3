"""admission: who gets a query worker next, and which long query to stop — bookkeeping only
(no processes, no threads of its own), so that the rules can be read and tested on their own.

The rules, for an endpoint that faces the public with a handful of workers:
- Pages run the queries we wrote (short ones); one worker stays free for them whatever the
  public asks, and they go first when a worker frees.
- A client (an address) runs `per_client` queries at once and waits with at most
  `client_waiting` more; past that it is told 429 Too Many Requests, with Retry-After.
- At most `queue` requests wait in all; past that, 503 with Retry-After.
- A query running past `long_after` seconds is long. At most `long_queries` long queries run at
  once: a query that turns long while another long one runs is stopped (503, Retry-After), so a
  few clients sending slow queries cannot hold every worker for the whole timeout.
- A client whose query ran long, or was stopped, is heavy for `heavy_for` seconds: its next
  queries start only while no long query runs, and wait (in its own share) otherwise, instead
  of being started and stopped again.
- Exports (whole views, seconds on a large graph) run `exports` at a time.
Time waiting for a worker does not count against a query's timeout; it has its own limit.
"""

from __future__ import annotations

import collections
import contextvars
import enum
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from cchc_graph.errors import BusyError, TooManyRequestsError

W = TypeVar("W")


class Lane(enum.StrEnum):
    PAGES = "pages"  # the pages' own queries
    QUERIES = "queries"  # a client's SPARQL
    EXPORTS = "exports"  # a client's export of a whole view


@dataclass(frozen=True)
class Asker:
    """Who asks: the lane, and the client (an address) where the request came from outside."""

    lane: Lane = Lane.PAGES
    client: str | None = None


PAGES = Asker()
# who asks, for code far from the request (an export's view queries): set where the request is
ASKING: contextvars.ContextVar[Asker] = contextvars.ContextVar("cchc_asking", default=PAGES)


@dataclass(frozen=True)
class Limits:
    """The rules' numbers; see the module's docstring."""

    workers: int = 4
    page_reserve: int = 1
    per_client: int = 2
    client_waiting: int = 4
    queue: int = 64
    long_after: float = 1.0
    long_queries: int = 1
    exports: int = 1
    heavy_for: float = 60.0
    retry_after: int = 10
    clients_remembered: int = 10_000


class Outcome(enum.StrEnum):
    ANSWERED = "answered"
    TIMED_OUT = "timed out"
    STOPPED = "stopped"  # a long query stopped for another
    FAILED = "failed"  # the worker died under it (memory, a crash)


@dataclass(eq=False)
class Ticket(Generic[W]):
    """One request's place: waiting, then holding a worker, then done."""

    asker: Asker
    wake: Callable[[], None]  # called (under the lock, so it must not block) when granted
    asked: float
    worker: W | None = None
    started: float | None = None
    long: bool = False
    stopped: bool = False  # chosen to be stopped: its worker is killed
    done: bool = False

    @property
    def public(self) -> bool:
        return self.asker.lane is not Lane.PAGES


@dataclass
class _Counts:
    running: collections.Counter[Lane] = field(default_factory=collections.Counter)
    by_client: collections.Counter[str] = field(default_factory=collections.Counter)
    waiting_by_client: collections.Counter[str] = field(default_factory=collections.Counter)


class Admission(Generic[W]):
    """The idle workers, the waiting tickets and the running ones, under one lock."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self.lock = threading.Lock()
        self._idle: list[W] = []
        self._waiting: collections.deque[Ticket[W]] = collections.deque()
        self._running: list[Ticket[W]] = []
        self._counts = _Counts()
        self._heavy_until: collections.OrderedDict[str, float] = collections.OrderedDict()

    # ------------------------------------------------------------ workers come and go

    def add(self, worker: W) -> None:
        """A worker is ready (new, or back from a request)."""
        with self.lock:
            self._idle.append(worker)
            self._dispatch()

    def discard(self, worker: W) -> None:
        with self.lock:
            if worker in self._idle:
                self._idle.remove(worker)

    # ------------------------------------------------------------ requests

    def ask(self, asker: Asker, wake: Callable[[], None]) -> Ticket[W]:
        """A ticket, granted at once when the rules allow (its `worker` set), else waiting.
        Raises BusyError or TooManyRequestsError when it may not even wait."""
        ticket: Ticket[W] = Ticket(asker, wake, self.clock())
        with self.lock:
            if self._idle and self._admissible(ticket):
                self._grant(ticket, self._idle.pop())
                return ticket
            self._refuse_waiting(asker)
            self._waiting.append(ticket)
            if asker.client is not None:
                self._counts.waiting_by_client[asker.client] += 1
        return ticket

    def give_up(self, ticket: Ticket[W]) -> W | None:
        """A waiting ticket stops waiting. If it was granted meanwhile, its worker is returned:
        the caller uses it or finishes the ticket."""
        with self.lock:
            if ticket.worker is not None:
                return ticket.worker
            if ticket in self._waiting:
                self._waiting.remove(ticket)
                self._forget_waiting(ticket)
            ticket.done = True
            return None

    def finish(self, ticket: Ticket[W], outcome: Outcome, worker: W | None) -> None:
        """The request is over; `worker` goes back to the idle ones (None: it was discarded)."""
        with self.lock:
            if ticket.done:
                return
            ticket.done = True
            if ticket in self._running:
                self._running.remove(ticket)
                self._counts.running[ticket.asker.lane] -= 1
                if ticket.asker.client is not None:
                    self._counts.by_client[ticket.asker.client] -= 1
            if ticket.long or outcome is not Outcome.ANSWERED:
                self._mark_heavy(ticket.asker)
            if worker is not None:
                self._idle.append(worker)
            self._dispatch()

    def overdue(self) -> list[Ticket[W]]:
        """Marks the queries running past `long_after` as long, and returns those to stop:
        the long ones past `long_queries`, the most recently started first."""
        now = self.clock()
        with self.lock:
            for ticket in self._running:
                if (
                    ticket.asker.lane is Lane.QUERIES
                    and not ticket.long
                    and ticket.started is not None
                    and now - ticket.started > self.limits.long_after
                ):
                    ticket.long = True
                    self._mark_heavy(ticket.asker)
            long = [t for t in self._running if t.long and not t.stopped]
            long.sort(key=lambda t: t.started or 0.0)
            stop = long[self.limits.long_queries :]
            for ticket in stop:
                ticket.stopped = True
            return stop

    def heavy(self, client: str) -> bool:
        with self.lock:
            return self._is_heavy(client)

    @property
    def running(self) -> int:
        with self.lock:
            return len(self._running)

    @property
    def waiting(self) -> int:
        with self.lock:
            return len(self._waiting)

    # ------------------------------------------------------------ the rules (under the lock)

    def _dispatch(self) -> None:
        while self._idle and self._waiting:
            ticket = next((t for t in self._ordered() if self._admissible(t)), None)
            if ticket is None:
                return
            self._waiting.remove(ticket)
            self._forget_waiting(ticket)
            self._grant(ticket, self._idle.pop())

    def _ordered(self) -> list[Ticket[W]]:
        """Pages first, then everyone else in the order they came."""
        return sorted(self._waiting, key=lambda t: t.public)

    def _admissible(self, ticket: Ticket[W]) -> bool:
        if not ticket.public:
            return True
        limits, counts = self.limits, self._counts
        free_for_pages = max(0, limits.page_reserve - counts.running[Lane.PAGES])
        if len(self._idle) <= free_for_pages:
            return False
        client = ticket.asker.client
        if client is not None and counts.by_client[client] >= limits.per_client:
            return False
        if ticket.asker.lane is Lane.EXPORTS:
            return counts.running[Lane.EXPORTS] < limits.exports
        if client is not None and self._is_heavy(client):
            return self._long_running() < limits.long_queries
        return True

    def _long_running(self) -> int:
        return sum(
            1
            for t in self._running
            if t.asker.lane is Lane.QUERIES
            and (t.long or (t.asker.client is not None and self._is_heavy(t.asker.client)))
        )

    def _grant(self, ticket: Ticket[W], worker: W) -> None:
        ticket.worker = worker
        ticket.started = self.clock()
        self._running.append(ticket)
        self._counts.running[ticket.asker.lane] += 1
        if ticket.asker.client is not None:
            self._counts.by_client[ticket.asker.client] += 1
        ticket.wake()

    def _refuse_waiting(self, asker: Asker) -> None:
        limits, client = self.limits, asker.client
        if client is not None and self._counts.waiting_by_client[client] >= limits.client_waiting:
            raise TooManyRequestsError(
                f"too many requests at once from {client}: {limits.per_client} may run and "
                f"{limits.client_waiting} wait; ask again when one is answered",
                retry_after=max(1, round(limits.long_after)),
            )
        if len(self._waiting) >= limits.queue:
            raise BusyError(
                f"the server is busy: {len(self._waiting)} requests are waiting for a query "
                "worker; ask again later",
                retry_after=limits.retry_after,
            )

    def _forget_waiting(self, ticket: Ticket[W]) -> None:
        client = ticket.asker.client
        if client is not None:
            self._counts.waiting_by_client[client] -= 1
            if not self._counts.waiting_by_client[client]:
                del self._counts.waiting_by_client[client]

    def _mark_heavy(self, asker: Asker) -> None:
        if asker.client is None or asker.lane is Lane.PAGES:
            return
        self._heavy_until[asker.client] = self.clock() + self.limits.heavy_for
        self._heavy_until.move_to_end(asker.client)
        while len(self._heavy_until) > self.limits.clients_remembered:
            self._heavy_until.popitem(last=False)

    def _is_heavy(self, client: str) -> bool:
        until = self._heavy_until.get(client)
        if until is None:
            return False
        if until < self.clock():
            del self._heavy_until[client]
            return False
        return True
