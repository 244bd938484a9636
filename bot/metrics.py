"""Prometheus metrics for ``GET /metrics``: counts and timings of the work, never text.

Counters and histograms (turns, their latency, safety verdicts, escalations, delivery attempts
and send errors) are this process's; the state operators watch (outbox depth, unacknowledged
cases) is read from the database at each scrape (``bot.storage.gauges``), so any worker gives the
same answer.

Several processes (``mangnon serve`` workers, ``mangnon dispatch``): set
``PROMETHEUS_MULTIPROC_DIR`` to a directory they all share (a volume, for containers), before
they start; each process writes its counters to its own files there, named by host and process
id (containers on one volume all have a process 1), and any worker's ``/metrics`` adds them all
up (prometheus-client's multiprocess mode). Files of processes that ended stay, so totals carry
on across restarts; empty the directory when everything is stopped (``/run`` is emptied at
boot). Without it each worker reports its own counts: scrape every worker, sum in Prometheus.
"""

from __future__ import annotations

import hmac
import os
import re
import socket
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, values
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from bot.core.services import RiskVerdict
from bot.storage.gauges import Gauges

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# a turn takes ~1 ms on one process and must stay under 100 ms at p99 (issue #18): fine below,
# coarse above, up to the 5 s where a user gives up
TURN_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
CODE = re.compile(r"[^A-Za-z0-9_.-]")


def multiprocess_dir() -> str | None:
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return path or None


HOST = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())


def _process() -> str:
    """This process in the multiprocess directory's file names (prometheus-client: ``pid``)."""
    return f"{HOST}-{os.getpid()}"


if multiprocess_dir() is not None:  # before any metric exists: each value is a file of ours
    values.ValueClass = values.MultiProcessValue(process_identifier=_process)  # type: ignore[no-untyped-call]


def _label(value: str | None, none: str = "none") -> str:
    """A label value from a closed set, made safe: short, no odd characters."""
    return CODE.sub("_", value)[:32] if value else none


class Metrics:
    """The process's counters (implements ``bot.core.observe.Observer``)."""

    def __init__(self) -> None:
        # a registry per instance: tests make several; in multiprocess mode the values live in
        # PROMETHEUS_MULTIPROC_DIR's files and the registry only names them
        self.registry = CollectorRegistry()
        r = self.registry
        self.turns = Counter(
            "mangnon_turns", "Messages handled", ["channel", "outcome"], registry=r
        )
        self.turn_seconds = Histogram(
            "mangnon_turn_seconds",
            "Time to handle a message, safety check to replies",
            ["channel"],
            buckets=TURN_BUCKETS,
            registry=r,
        )
        self.verdicts = Counter(
            "mangnon_safety_verdicts",
            "Safety check verdicts on messages with text (level: crisis, check-in, none)",
            ["level", "category"],
            registry=r,
        )
        self.escalations = Counter(
            "mangnon_escalations",
            "Messages answered with the crisis answer (hotline, counsellor offer)",
            ["channel", "category"],
            registry=r,
        )
        self.deliveries = Counter(
            "mangnon_outbox_deliveries",
            "Outbox send attempts by result (sent, retry, unreachable, outside-window, rejected)",
            ["channel", "result"],
            registry=r,
        )
        self.send_errors = Counter(
            "mangnon_send_errors",
            "Outbox send attempts that did not go, by the channel's error code",
            ["channel", "code"],
            registry=r,
        )
        self._turn_children: dict[tuple[str, bool], tuple[Any, Any]] = {}
        self._verdict_children: dict[tuple[str, str, str | None, bool], tuple[Any, ...]] = {}
        self._delivery_children: dict[tuple[str, str, str], tuple[Any, ...]] = {}

    # Observer: the labelled children are looked up once per label set (``labels()`` costs
    # ~10 µs a call; a turn would pay it four times)
    def turn(self, channel: str, seconds: float, verdict: RiskVerdict | None, failed: bool) -> None:
        key = (channel, failed)
        children = self._turn_children.get(key)
        if children is None:
            name = _label(channel)
            children = self._turn_children[key] = (
                self.turns.labels(name, "failed" if failed else "ok"),
                self.turn_seconds.labels(name),
            )
        children[0].inc()
        children[1].observe(seconds)
        if verdict is not None:
            vkey = (channel, verdict.level, verdict.category, verdict.escalate)
            counters = self._verdict_children.get(vkey)
            if counters is None:
                category = _label(verdict.category)
                counters = self._verdict_children[vkey] = (
                    self.verdicts.labels(_label(verdict.level), category),
                    *(
                        (self.escalations.labels(_label(channel), category),)
                        if verdict.escalate
                        else ()
                    ),
                )
            for counter in counters:
                counter.inc()

    def delivery(self, channel: str, result: str, error: str) -> None:
        key = (channel, result, error)
        counters = self._delivery_children.get(key)
        if counters is None:
            name = _label(channel)
            counters = self._delivery_children[key] = (
                self.deliveries.labels(name, _label(result)),
                *(
                    (self.send_errors.labels(name, _label(error, "unknown")),)
                    if result != "sent"
                    else ()
                ),
            )
        for counter in counters:
            counter.inc()

    # exposition
    def render(self, gauges: Gauges | None) -> bytes:
        """The text exposition: this process's counters (or every process's, in multiprocess
        mode), then the database's gauges (``mangnon_database_up 0`` when it did not answer)."""
        path = multiprocess_dir()
        if path is not None:
            counters = CollectorRegistry()
            MultiProcessCollector(counters, path=path)  # type: ignore[no-untyped-call]
        else:
            counters = self.registry
        state = CollectorRegistry()
        state.register(StateCollector(gauges))
        return generate_latest(counters) + generate_latest(state)


class StateCollector(Collector):
    def __init__(self, gauges: Gauges | None) -> None:
        self.gauges = gauges

    def collect(self):  # type: ignore[no-untyped-def]  # prometheus-client's own signature
        up = GaugeMetricFamily("mangnon_database_up", "1 when the database answered this scrape")
        up.add_metric([], 0 if self.gauges is None else 1)
        yield up
        if self.gauges is None:
            return
        depth = GaugeMetricFamily(
            "mangnon_outbox_rows",
            "Outbox rows waiting (pending, sending, paused) and dead letters",
            labels=["channel", "status"],
        )
        for (channel, status), rows in sorted(self.gauges.outbox.items()):
            depth.add_metric([channel, status], rows)
        yield depth
        yield GaugeMetricFamily(
            "mangnon_cases_unacknowledged",
            "Open safety cases nobody has acknowledged",
            value=self.gauges.unacknowledged,
        )
        yield GaugeMetricFamily(
            "mangnon_cases_overdue",
            "Unacknowledged cases older than DESK_ACK_MINUTES",
            value=self.gauges.overdue,
        )
        yield GaugeMetricFamily(
            "mangnon_cases_unacknowledged_oldest_seconds",
            "How long the oldest unacknowledged case has waited (0: none)",
            value=self.gauges.oldest_seconds,
        )


def authorised(header: str | None, token: str | None) -> bool:
    """No token set: anyone who can reach the route (keep it off the public proxy). Else the
    request must carry ``Authorization: Bearer <token>``."""
    if token is None:
        return True
    if header is None or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header[len("Bearer ") :].encode(), token.encode())
