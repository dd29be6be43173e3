"""served: what `cchc serve` serves — one build, held so that no cleanup removes it, with its
generation of query workers and what the pages need — and the switch to the next build (SIGHUP),
whole and at once. Each request keeps the generation it began with."""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import multiprocessing
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

import rdflib
from starlette.types import ASGIApp, Receive, Scope, Send

from cchc_graph.builds import Hold, hold_current
from cchc_graph.errors import BusyError, CchcError
from cchc_graph.export import Exporter
from cchc_graph.pool import QueryPool
from cchc_graph.serve import Endpoint
from cchc_graph.settings import Settings
from cchc_graph.site import Site
from cchc_graph.validate import ValidationReport, load_data, load_shapes, shape_files
from cchc_graph.validate import validate as validate_graph
from cchc_graph.web_exports import Uncapped, Warming
from cchc_graph.workers import store_spec


class Validation:
    """The validation report of the served graph, computed once at start in a process of its
    own at low priority: on a large graph it takes half a minute of a core, which the query
    workers and the pages should not have to share. The process dies with the server."""

    def __init__(self, build_dir: Path, shapes_dir: Path) -> None:
        self.report: ValidationReport | None = None
        self.error: str | None = None
        context = multiprocessing.get_context("spawn")
        receiving, sending = context.Pipe(duplex=False)
        process = context.Process(
            target=_validate, args=(sending, build_dir, shapes_dir), name="cchc-validation",
            daemon=True,
        )
        process.start()
        sending.close()
        self._thread = threading.Thread(
            target=self._receive, args=(receiving, process), name="cchc-validation", daemon=True
        )
        self._thread.start()

    def _receive(self, receiving: Connection, process: BaseProcess) -> None:
        try:
            status, payload = receiving.recv()
        except (EOFError, OSError):
            status, payload = "error", f"the validation process stopped (exit {process.exitcode})"
        if status == "ok":
            self.report = payload
        else:
            self.error = str(payload)
        process.join(5)

    def wait(self, seconds: float) -> ValidationReport | None:
        self._thread.join(seconds)
        return self.report


def _validate(sending: Connection, build_dir: Path, shapes_dir: Path) -> None:
    os.nice(10)
    try:
        data = load_data(build_dir / "cchc.nq")
        report = validate_graph(data, load_shapes(shape_files(shapes_dir)))
        # the pages read the findings; the results graph stays here
        sending.send(("ok", dataclasses.replace(report, results=rdflib.Graph())))
    except CchcError as error:
        sending.send(("error", str(error)))



@dataclass(eq=False)
class Generation:
    """One build as served: its folder (held, so that no cleanup removes it), its query
    workers, and what the pages need. A reload serves a new generation, whole, at once."""

    settings: Settings  # build_dir is the build's own folder
    pool: QueryPool
    endpoint: Endpoint
    site: Site
    exporter: Exporter
    network: Warming
    validation: Validation
    held: Hold
    owns_pool: bool
    requests: int = 0  # being answered now

    @classmethod
    def open(cls, settings: Settings, pool: QueryPool | None = None) -> Generation:
        held = hold_current(settings.build_dir)
        try:
            pinned = settings.model_copy(update={"build_dir": held.build})
            workers = pool or open_pool(pinned)
        except BaseException:
            held.close()
            raise
        endpoint = Endpoint(pinned, workers)
        exporter = Exporter(Uncapped(workers), pinned.queries_dir / "views", pinned.base_iri)
        return cls(
            pinned,
            workers,
            endpoint,
            Site(pinned, workers, endpoint.catalogue),
            exporter,
            Warming(exporter),
            Validation(pinned.build_dir, pinned.shapes_dir),
            held,
            owns_pool=pool is None,
        )

    def close(self) -> None:
        if self.owns_pool:
            self.pool.close()
        self.held.close()


SERVED: contextvars.ContextVar[Generation] = contextvars.ContextVar("cchc_served")


class Server:
    """What the app serves: one generation at a time. Each request keeps the generation it
    started with (a context variable set by `Pinning`), so that a reload never mixes two
    builds in one answer; the old generation closes once its requests are done."""

    def __init__(self, settings: Settings, pool: QueryPool | None = None) -> None:
        self.settings = settings
        self.pool = pool
        self.generation: Generation | None = None
        self._reloading = threading.Lock()

    def start(self) -> None:
        self.generation = Generation.open(self.settings, self.pool)

    def current(self) -> Generation:
        served = SERVED.get(None) or self.generation
        if served is None:
            raise BusyError("the server is starting; ask again in a moment", retry_after=2)
        return served

    def reload(self) -> Generation:
        """Serve the current build: new workers are ready before any request reaches them."""
        with self._reloading:
            fresh = Generation.open(self.settings)
            old, self.generation = self.generation, fresh
        if old is not None:
            threading.Thread(
                target=self._retire, args=(old,), name="cchc-retire", daemon=True
            ).start()
        return fresh

    def _retire(self, old: Generation) -> None:
        deadline = time.monotonic() + self.settings.query_timeout * 2 + 5
        while old.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        old.close()

    @contextlib.contextmanager
    def endpoint_in_use(self) -> Iterator[Endpoint]:
        """The endpoint served now, counted as in use (a reload waits for it) while held."""
        generation = self.generation
        if generation is None:
            raise BusyError("the server is starting; ask again in a moment", retry_after=2)
        generation.requests += 1
        try:
            yield generation.endpoint
        finally:
            generation.requests -= 1

    def stop(self) -> None:
        if self.generation is not None:
            self.generation.close()
            self.generation = None


class Pinning:
    """ASGI middleware: each request is answered by the generation served when it came."""

    def __init__(self, app: ASGIApp, server: Server) -> None:
        self.app = app
        self.server = server

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        generation = self.server.generation
        if scope["type"] != "http" or generation is None:
            await self.app(scope, receive, send)
            return
        generation.requests += 1
        token = SERVED.set(generation)
        try:
            await self.app(scope, receive, send)
        finally:
            SERVED.reset(token)
            generation.requests -= 1


def open_pool(settings: Settings) -> QueryPool:
    """The query workers `settings` ask for, with their shares, limits and guard."""
    return QueryPool(
        store_spec(settings),
        settings.workers,
        settings.query_timeout,
        settings.row_cap,
        cache_bytes=settings.answer_cache << 20,
        limits=settings.limits(),
        policy=settings.query_policy(),
        query_memory=(settings.query_memory << 20) or None,
        queue_wait=settings.queue_wait,
    )


