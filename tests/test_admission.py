"""admission.py, the rules alone (no processes, a clock the test moves): pages keep a worker,
each client has its share, the queue is bounded, long queries run one at a time and a client
whose query ran long waits for its turn."""

from __future__ import annotations

import pytest

from cchc_graph.admission import PAGES, Admission, Asker, Lane, Limits, Outcome, Ticket
from cchc_graph.errors import BusyError, TooManyRequestsError


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def admission(**limits: float) -> tuple[Admission[str], Clock]:
    clock = Clock()
    rules: Admission[str] = Admission(Limits(**limits), clock)  # type: ignore[arg-type]
    for name in ("w1", "w2", "w3", "w4")[: int(limits.get("workers", 4))]:
        rules.add(name)
    return rules, clock


def query(client: str) -> Asker:
    return Asker(Lane.QUERIES, client)


def ask(rules: Admission[str], asker: Asker) -> Ticket[str]:
    return rules.ask(asker, lambda: None)


def test_the_public_leaves_one_worker_to_the_pages() -> None:
    rules, _ = admission(workers=4, per_client=4)
    held = [ask(rules, query("a")) for _ in range(4)]
    assert [t.worker is not None for t in held] == [True, True, True, False]
    page = ask(rules, PAGES)
    assert page.worker is not None


def test_pages_go_first_when_a_worker_frees() -> None:
    rules, _ = admission(workers=2, per_client=4)
    first, second = ask(rules, PAGES), ask(rules, query("a"))
    waiting_query, waiting_page = ask(rules, query("b")), ask(rules, PAGES)
    assert waiting_query.worker is None and waiting_page.worker is None
    rules.finish(first, Outcome.ANSWERED, first.worker)
    assert waiting_page.worker == "w2" and waiting_query.worker is None
    rules.finish(waiting_page, Outcome.ANSWERED, waiting_page.worker)
    assert waiting_query.worker is None  # the last free worker stays with the pages
    rules.finish(second, Outcome.ANSWERED, second.worker)
    assert waiting_query.worker is not None


def test_a_client_runs_its_share_and_waits_with_a_bounded_number() -> None:
    rules, _ = admission(workers=4, per_client=2, client_waiting=2)
    running = [ask(rules, query("a")) for _ in range(2)]
    waiting = [ask(rules, query("a")) for _ in range(2)]
    assert all(t.worker for t in running) and not any(t.worker for t in waiting)
    with pytest.raises(TooManyRequestsError) as refused:
        ask(rules, query("a"))
    assert refused.value.http_status == 429 and refused.value.retry_after
    assert ask(rules, query("b")).worker is not None  # another client is not held up


def test_the_queue_is_bounded() -> None:
    rules, _ = admission(workers=2, per_client=1, client_waiting=1, queue=3)
    for client in "abcd":  # one runs (the other worker is the pages'), three wait
        ask(rules, query(client))
    with pytest.raises(BusyError) as refused:
        ask(rules, query("f"))
    assert refused.value.http_status == 503 and refused.value.retry_after


def test_a_second_long_query_is_stopped_the_first_runs_on() -> None:
    rules, clock = admission(workers=4, per_client=2, long_after=1.0, long_queries=1)
    first = ask(rules, query("a"))
    clock.now += 0.5
    second = ask(rules, query("b"))
    assert rules.overdue() == []
    clock.now += 0.7  # the first has run 1.2 s, the second 0.7 s
    assert rules.overdue() == []
    clock.now += 0.5
    assert rules.overdue() == [second]
    assert second.stopped and not first.stopped
    assert rules.overdue() == []  # chosen once


def test_a_client_whose_query_ran_long_waits_while_a_long_query_runs() -> None:
    rules, clock = admission(workers=4, per_client=2, long_after=1.0, heavy_for=60)
    slow = ask(rules, query("a"))
    clock.now += 2
    rules.overdue()
    rules.finish(slow, Outcome.ANSWERED, slow.worker)
    assert rules.heavy("a")
    again = ask(rules, query("a"))
    assert again.worker is not None  # no long query runs now
    waits = ask(rules, query("a"))
    assert waits.worker is None  # its first one counts as long: the second waits
    assert ask(rules, query("b")).worker is not None  # others run
    rules.finish(again, Outcome.ANSWERED, again.worker)
    assert waits.worker is not None
    clock.now += 61
    assert not rules.heavy("a")


def test_timeouts_and_stops_make_a_client_heavy() -> None:
    rules, _ = admission()
    for outcome in (Outcome.TIMED_OUT, Outcome.STOPPED, Outcome.FAILED):
        ticket = ask(rules, query(outcome.value))
        rules.finish(ticket, outcome, None)
        assert rules.heavy(outcome.value)
    quick = ask(rules, query("quick"))
    rules.finish(quick, Outcome.ANSWERED, quick.worker)
    assert not rules.heavy("quick")


def test_exports_run_one_at_a_time() -> None:
    rules, _ = admission(workers=4, exports=1)
    first = ask(rules, Asker(Lane.EXPORTS, "a"))
    second = ask(rules, Asker(Lane.EXPORTS, "b"))
    assert first.worker is not None and second.worker is None
    rules.finish(first, Outcome.ANSWERED, first.worker)
    assert second.worker is not None


def test_a_ticket_given_up_leaves_no_trace() -> None:
    rules, _ = admission(workers=2, per_client=1, client_waiting=1)
    held = ask(rules, query("a"))
    waiting = ask(rules, query("a"))
    assert rules.give_up(waiting) is None
    assert rules.waiting == 0
    ask(rules, query("a"))  # its place in the client's share is free again
    rules.finish(held, Outcome.ANSWERED, held.worker)
    assert rules.running == 1


def test_a_worker_granted_as_the_wait_ends_is_handed_back() -> None:
    rules, _ = admission(workers=2, per_client=4)
    held = ask(rules, query("a"))
    waiting = ask(rules, query("b"))
    rules.finish(held, Outcome.ANSWERED, held.worker)  # granted now...
    worker = rules.give_up(waiting)  # ...as its wait ends
    assert worker is not None
    rules.finish(waiting, Outcome.ANSWERED, worker)
    assert rules.running == 0 and rules.waiting == 0


def test_the_remembered_clients_are_bounded() -> None:
    rules, _ = admission(clients_remembered=10)
    for index in range(50):
        ticket = ask(rules, query(f"10.0.0.{index}"))
        rules.finish(ticket, Outcome.TIMED_OUT, ticket.worker)
    assert sum(rules.heavy(f"10.0.0.{index}") for index in range(50)) == 10
