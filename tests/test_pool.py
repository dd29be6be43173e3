"""The endpoint's query workers (pool.py): answers of any size come whole, from a thread or the
event loop; a query past the timeout, a worker that dies and a request given up are each
answered for, and the pool goes on with a fresh worker."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cchc_graph.answers import Answer
from cchc_graph.build import BuildReport
from cchc_graph.errors import BusyError
from cchc_graph.pool import QueryPool, QueryTimeoutError, StoreSpec, WorkerError
from cchc_graph.store import EmbeddedStore, QuerySyntaxError

EVERYTHING = "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g ?s ?p ?o"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def pool(built: tuple[BuildReport, Path]) -> Iterator[QueryPool]:
    workers = QueryPool(StoreSpec("memory", built[1]), size=2, timeout=5, row_cap=100)
    try:
        yield workers
    finally:
        workers.close()


def _wait_for_workers(pool: QueryPool, count: int) -> None:
    deadline = time.monotonic() + 60
    while pool.alive < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert pool.alive == count


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv", "csv"])
def test_a_large_answer_comes_whole_from_a_thread_and_from_the_loop(
    pool: QueryPool, embedded_store: EmbeddedStore, fmt: str
) -> None:
    expected = embedded_store.answer(EVERYTHING, select_format=fmt, row_cap=100_000)
    assert len(expected.body) > 1 << 20  # many times what a pipe holds at once
    by_thread = pool.answer(EVERYTHING, select_format=fmt, row_cap=100_000)
    by_loop = asyncio.run(pool.answer_async(EVERYTHING, select_format=fmt, row_cap=100_000))
    for answer in (by_thread, by_loop):
        assert (answer.body, answer.rows, answer.truncated) == (expected.body, expected.rows, False)


def test_large_answers_asked_at_once_come_whole(pool: QueryPool) -> None:
    async def at_once() -> list[bytes]:
        answers = await asyncio.gather(
            *(pool.answer_async(EVERYTHING, select_format="xml", row_cap=100_000) for _ in range(4))
        )
        return [answer.body for answer in answers]

    bodies = asyncio.run(at_once())
    assert len(set(bodies)) == 1 and bodies[0].endswith(b"</sparql>")


def test_errors_come_back_typed(pool: QueryPool) -> None:
    with pytest.raises(QuerySyntaxError):
        pool.answer("SELECT WHERE")
    with pytest.raises(QuerySyntaxError):
        asyncio.run(pool.answer_async("SELECT WHERE"))
    assert pool.answer(COUNT, select_format="csv").rows == 1


def test_a_slow_query_is_stopped_in_the_loop_and_the_others_answered(
    built: tuple[BuildReport, Path],
) -> None:
    pool = QueryPool(StoreSpec("memory", built[1]), size=2, timeout=2, row_cap=100)

    async def both() -> list[object]:
        slow = asyncio.ensure_future(pool.answer_async(SLOW))
        await asyncio.sleep(0.2)
        quick = [await pool.answer_async(COUNT, select_format="tsv") for _ in range(5)]
        return [*(await asyncio.gather(slow, return_exceptions=True)), *quick]

    try:
        started = time.monotonic()
        slow, *quick = asyncio.run(both())
        assert isinstance(slow, QueryTimeoutError) and "stopped" in str(slow)
        assert 2 <= time.monotonic() - started < 6
        assert all(answer.rows == 1 for answer in quick)  # type: ignore[attr-defined]
        _wait_for_workers(pool, 2)
    finally:
        pool.close()


def test_a_request_with_no_free_worker_gives_up_after_its_wait(
    built: tuple[BuildReport, Path],
) -> None:
    pool = QueryPool(
        StoreSpec("memory", built[1]), size=1, timeout=3, row_cap=100, queue_wait=1.0
    )

    async def queued() -> list[BaseException | object]:
        first = asyncio.ensure_future(pool.answer_async(SLOW))
        await asyncio.sleep(0)  # it has the worker: the next one waits
        return await asyncio.gather(first, pool.answer_async(COUNT), return_exceptions=True)

    try:
        started = time.monotonic()
        slow, waited = asyncio.run(queued())
        assert isinstance(slow, QueryTimeoutError) and "stopped" in str(slow)
        assert isinstance(waited, BusyError) and "no query worker" in str(waited)
        assert waited.http_status == 503 and waited.retry_after == 3
        assert 3 <= time.monotonic() - started < 8
        _wait_for_workers(pool, 1)
        assert pool.answer(COUNT).rows == 1
    finally:
        pool.close()


def test_time_spent_waiting_for_a_worker_is_not_running_time(
    built: tuple[BuildReport, Path],
) -> None:
    """The timeout counts from the moment a query has a worker: a quick query that waited
    behind a slow one for longer than the timeout is still answered."""
    pool = QueryPool(
        StoreSpec("memory", built[1]), size=1, timeout=1.5, row_cap=100, queue_wait=10
    )

    async def queued() -> list[BaseException | object]:
        first = asyncio.ensure_future(pool.answer_async(SLOW))
        await asyncio.sleep(0)
        return await asyncio.gather(first, pool.answer_async(COUNT), return_exceptions=True)

    try:
        slow, waited = asyncio.run(queued())
        assert isinstance(slow, QueryTimeoutError)
        assert isinstance(waited, Answer) and waited.rows == 1
    finally:
        pool.close()


def test_a_worker_that_dies_is_replaced(built: tuple[BuildReport, Path]) -> None:
    pool = QueryPool(StoreSpec("memory", built[1]), size=1, timeout=30, row_cap=100)

    async def killed() -> None:
        asking = asyncio.ensure_future(pool.answer_async(SLOW))
        await asyncio.sleep(0.3)
        pid = pool._workers[0].process.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        await asking

    try:
        with pytest.raises(WorkerError, match="stopped unexpectedly"):
            asyncio.run(killed())
        _wait_for_workers(pool, 1)
        assert asyncio.run(pool.answer_async(COUNT)).rows == 1
    finally:
        pool.close()


def test_a_request_given_up_does_not_leave_its_answer_to_the_next(
    built: tuple[BuildReport, Path],
) -> None:
    pool = QueryPool(StoreSpec("memory", built[1]), size=1, timeout=30, row_cap=100)

    async def cancelled() -> str:
        asking = asyncio.ensure_future(pool.answer_async(SLOW))
        await asyncio.sleep(0.3)
        asking.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asking
        answer = await pool.answer_async(COUNT, select_format="csv")
        return answer.body.decode()

    try:
        assert asyncio.run(cancelled()).startswith("n\r\n")
    finally:
        pool.close()


# ------------------------------------------------------------------ the answer cache


@pytest.fixture
def caching(built: tuple[BuildReport, Path]) -> Iterator[QueryPool]:
    pool = QueryPool(StoreSpec("memory", built[1]), size=1, timeout=5, row_cap=100,
                     cache_bytes=1 << 20)
    try:
        yield pool
    finally:
        pool.close()


def test_a_question_asked_again_is_answered_without_a_worker(caching: QueryPool) -> None:
    first = caching.answer(COUNT, select_format="csv")
    assert caching.cache is not None and (caching.cache.hits, caching.cache.misses) == (0, 1)
    # with its one worker gone, the pool can still answer what it was asked before
    caching._workers[0].process.kill()
    caching._workers[0].process.join(5)
    again = caching.answer(COUNT, select_format="csv")
    assert again == first and caching.cache.hits == 1
    from_loop = asyncio.run(caching.answer_async(COUNT, select_format="csv"))
    assert from_loop == first and caching.cache.hits == 2


def test_the_cache_tells_formats_caps_and_datasets_apart(caching: QueryPool) -> None:
    from cchc_graph.store import Dataset

    assert caching.cache is not None
    json_answer = caching.answer(EVERYTHING, select_format="json")
    tsv_answer = caching.answer(EVERYTHING, select_format="tsv")
    capped = caching.answer(EVERYTHING, select_format="tsv", row_cap=3)
    one_graph = caching.answer(
        EVERYTHING,
        select_format="tsv",
        dataset=Dataset(named_graphs=("https://w3id.org/cchc/id/graph/ontology",)),
    )
    assert caching.cache.hits == 0 and len(caching.cache) == 4
    assert json_answer.body != tsv_answer.body and capped.rows == 3 and capped.truncated
    assert one_graph.body != tsv_answer.body


def test_errors_changing_answers_and_large_answers_are_not_kept(caching: QueryPool) -> None:
    assert caching.cache is not None
    for _ in range(2):
        with pytest.raises(QuerySyntaxError):
            caching.answer("SELECT WHERE {")
    now = "SELECT (NOW() AS ?t) WHERE {}"
    caching.answer(now)
    caching.answer(now)
    assert caching.cache.hits == 0 and len(caching.cache) == 0
    # an answer over an eighth of the limit (1 MiB) stays out; the cache never passes its limit
    caching.answer(EVERYTHING, select_format="xml", row_cap=100_000)
    assert len(caching.cache) == 0
    for limit in range(1, 60):
        caching.answer(EVERYTHING, select_format="tsv", row_cap=limit * 10)
    assert caching.cache._size <= caching.cache.limit
    assert len(caching.cache) < 59  # the first ones went out


def test_no_cache_by_default(pool: QueryPool) -> None:
    assert pool.cache is None
