"""The instructors' part of the demo, read from the shared small demo (scale 0.05): instructors
in a few dozen partner villages (the demo member among them), their logs obeying the services'
rules, most months met."""

from __future__ import annotations

from collections import defaultdict

import pytest

from guanqing.accounts.models import User
from guanqing.instructors import rules
from guanqing.instructors.choices import Compliance, TermState
from guanqing.instructors.demo import MIN_VILLAGES
from guanqing.instructors.models import InstructorTerm, WorkLog
from guanqing.registry.choices import DivisionLevel

SCALE = 0.05

pytestmark = [
    pytest.mark.shared_demo(scale=SCALE),
    pytest.mark.django_db,
    pytest.mark.usefixtures("pinned_today", "official_calendar"),
]


def test_instructors_in_partner_villages_with_their_logs(pinned_today, shared_demo):
    summary = shared_demo.parts["instructors"]
    today = pinned_today
    terms = list(InstructorTerm.objects.select_related("village", "member"))
    appointed = [t for t in terms if t.state == TermState.APPOINTED]
    assert len(appointed) >= MIN_VILLAGES
    assert summary.terms == len(terms)
    assert all(t.village.level == DivisionLevel.COMMUNITY for t in terms)
    assert all(t.member.unit_id == t.unit_id for t in terms)
    assert len({t.member_id for t in appointed}) == len(appointed)
    demo_member = User.objects.get(username="member_demo").member_id
    assert any(t.member_id == demo_member for t in appointed)
    entries = defaultdict(list)
    for entry in WorkLog.objects.order_by("starts_on"):
        entries[entry.term_id].append(entry)
    assert summary.logs == sum(len(v) for v in entries.values()) > 0
    met = judged = 0
    for term in terms:
        logs = entries[term.pk]
        for previous, entry in zip(logs, logs[1:], strict=False):
            assert previous.ends_on < entry.starts_on  # no overlap
        for entry in logs:
            assert term.starts_on <= entry.starts_on <= entry.ends_on <= min(term.ends_on, today)
            assert rules.Month.of(entry.starts_on) == rules.Month.of(entry.ends_on)
            assert entry.days == (entry.ends_on - entry.starts_on).days + 1
        pairs = [(e.starts_on, e.days) for e in logs]
        for month in rules.term_months(term.starts_on, term.ends_on, today):
            required = rules.required_days(term.required_days, month, term.starts_on, term.ends_on)
            state = rules.compliance(
                required,
                rules.logged_days(pairs, month),
                month=month,
                term_last=term.ends_on,
                today=today,
            )
            if state in (Compliance.MET, Compliance.SHORT):
                judged += 1
                met += state == Compliance.MET
    assert judged and 0.6 < met / judged < 1
