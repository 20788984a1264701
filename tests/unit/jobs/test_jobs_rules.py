"""The job life cycle (a Hypothesis state machine) and the source URL rules (Hypothesis over
addresses)."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from domain.jobs.source_url import (
    AllowList,
    check_addresses,
    is_public_address,
    parse_source_url,
)
from domain.jobs.status import FINISHED, JobStatus
from domain.jobs.transcription import Segment, Transcription
from domain.shared.errors import InvalidTransition, ValidationFailed
from domain.shared.ids import new_id

T0 = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


class TranscriptionLifeCycle(RuleBasedStateMachine):
    """Whatever happens (crash re-runs, late outcomes, cancellations), a finished job never
    changes again and progress never goes back or past 100."""

    def __init__(self) -> None:
        super().__init__()
        self.job = Transcription.submit(
            owner_id=new_id(), source_url="https://a.example/x.mp4", language=None, now=T0
        )
        self.now = T0
        self.finished_as: JobStatus | None = None
        self.last_progress = 0

    def _tick(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now

    def _try(self, action: object) -> None:
        before = self.job.status
        try:
            action()  # type: ignore[operator]
        except InvalidTransition:
            assert before in FINISHED or self.job.status == before
            return
        assert before not in FINISHED

    @rule()
    def start(self) -> None:
        self._try(lambda: self.job.start(self._tick()))

    @rule(percent=st.integers(-50, 200))
    def report(self, percent: int) -> None:
        self.job.report(percent, self._tick())

    @rule()
    def complete(self) -> None:
        if self.job.status is JobStatus.RUNNING:
            self.finished_as = JobStatus.COMPLETED
        self._try(lambda: self.job.complete("t", [Segment(0, 1, "t")], self._tick()))

    @rule(error=st.sampled_from(["", "  ", "provider down", "x" * 600]))
    def fail(self, error: str) -> None:
        if not self.job.status.finished:
            self.finished_as = JobStatus.FAILED
        self._try(lambda: self.job.fail(error, self._tick()))

    @rule()
    def cancel(self) -> None:
        if not self.job.status.finished:
            self.finished_as = JobStatus.CANCELLED
        self._try(lambda: self.job.cancel(self._tick()))

    @invariant()
    def outcome_is_final(self) -> None:
        if self.finished_as is not None:
            assert self.job.status is self.finished_as
            assert self.job.completed_at is not None

    @invariant()
    def progress_is_bounded_and_monotonic(self) -> None:
        assert 0 <= self.job.progress <= 100
        assert self.job.progress >= self.last_progress
        self.last_progress = self.job.progress
        if self.job.progress == 100:
            assert self.job.status is JobStatus.COMPLETED

    @invariant()
    def error_is_short_and_readable(self) -> None:
        if self.job.status is JobStatus.FAILED:
            assert self.job.error
            assert len(self.job.error) <= 500


TestTranscriptionLifeCycle = TranscriptionLifeCycle.TestCase
TestTranscriptionLifeCycle.settings = settings(
    max_examples=60, stateful_step_count=20, suppress_health_check=[HealthCheck.too_slow]
)


def test_a_crash_rerun_starts_again_and_counts_the_attempt() -> None:
    job = Transcription.submit(owner_id=new_id(), source_url="https://a/x", language=None, now=T0)
    job.start(T0)
    job.report(40, T0)
    job.start(T0 + timedelta(seconds=5))
    assert job.attempts == 2
    assert job.started_at == T0
    assert job.progress == 40


# -- addresses ------------------------------------------------------------------------------
PRIVATE_V4 = [
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "100.64.0.0/10",
    "0.0.0.0/8",
    "224.0.0.0/4",
    "240.0.0.0/4",
]
PRIVATE_V6 = ["::1/128", "fc00::/7", "fe80::/10", "ff00::/8", "::/128"]


def _in(network: str) -> st.SearchStrategy[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    net = ipaddress.ip_network(network)
    return st.integers(int(net.network_address), int(net.broadcast_address)).map(
        lambda n: ipaddress.ip_address(n) if net.version == 4 else ipaddress.IPv6Address(n)
    )


private_v4 = st.one_of(*[_in(n) for n in PRIVATE_V4])
private_v6 = st.one_of(*[_in(n) for n in PRIVATE_V6])


@given(private_v4)
def test_private_loopback_link_local_ipv4_are_refused(address: ipaddress.IPv4Address) -> None:
    assert not is_public_address(address)
    with pytest.raises(ValidationFailed) as caught:
        check_addresses([address], AllowList())
    assert caught.value.code == "forbidden_source_url"


@given(private_v4)
def test_ipv4_hidden_in_ipv6_forms_is_judged_as_ipv4(address: ipaddress.IPv4Address) -> None:
    mapped = ipaddress.IPv6Address(f"::ffff:{address}")
    nat64 = ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) | int(address))
    sixtofour = ipaddress.IPv6Address((0x2002 << 112) | (int(address) << 80))
    for form in (mapped, nat64, sixtofour):
        assert not is_public_address(form), form


@given(private_v6)
def test_private_ipv6_is_refused(address: ipaddress.IPv6Address) -> None:
    assert not is_public_address(address)


@given(st.ip_addresses())
def test_an_address_is_public_only_when_global(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    if is_public_address(address):
        assert address.is_global
        assert not address.is_private
        assert not address.is_loopback
        assert not address.is_link_local


@given(st.lists(st.ip_addresses(v=4), min_size=1, max_size=5), private_v4)
def test_one_private_address_among_public_ones_is_enough_to_refuse(
    others: list[ipaddress.IPv4Address], bad: ipaddress.IPv4Address
) -> None:
    with pytest.raises(ValidationFailed):
        check_addresses([*others, bad], AllowList())


@given(_in("10.0.0.0/8"))
def test_an_allow_listed_network_is_accepted(address: ipaddress.IPv4Address) -> None:
    check_addresses([address], AllowList.parse(["10.0.0.0/8"]))


def test_no_address_at_all_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        check_addresses([], AllowList())


@pytest.mark.parametrize(
    "url",
    [
        "ftp://a.example/x",
        "file:///etc/passwd",
        "gopher://a.example/",
        "http://",
        "http:///x",
        "https://user:pw@a.example/x",
        "http://a.example:99999/x",
        "http://a.example/x y",
        "http://a.example/\nx",
        "https://" + "a" * 2050,
        "javascript:alert(1)",
    ],
)
def test_bad_forms_are_refused(url: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_source_url(url)
    assert caught.value.errors[0].field == "source_url"


def test_literals_and_names_are_told_apart() -> None:
    assert parse_source_url("http://[::1]:8080/a").literal == ipaddress.ip_address("::1")
    assert parse_source_url("HTTP://Media.Example.COM./a").host == "media.example.com"
    assert parse_source_url("https://media.example.com/a").literal is None


def test_allow_list_entries() -> None:
    allow = AllowList.parse(["media.local", "*.corp.example", "192.168.5.0/24", " "])
    assert allow.allows_host("media.local")
    assert allow.allows_host("a.corp.example")
    assert not allow.allows_host("corp.example.evil")
    assert allow.allows_address(ipaddress.ip_address("192.168.5.9"))
    assert not allow.allows_address(ipaddress.ip_address("192.168.6.9"))
