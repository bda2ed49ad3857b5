"""The pledges part of the demo, read from the shared small demo (scale 0.05): this year's ten,
the article's six among them, published, two followed live, their statuses varied (one done, one
late, one at risk, the rest on track), every row as the services would leave it."""

from __future__ import annotations

from collections import Counter

import pytest

from guanqing.pledges import rules, selectors
from guanqing.pledges.choices import PledgeState, Status, TargetKind
from guanqing.pledges.models import Pledge, ProgressReport

pytestmark = [
    pytest.mark.shared_demo(scale=0.05),
    pytest.mark.django_db,
    pytest.mark.usefixtures("pinned_today", "official_calendar"),
]


def test_ten_pledges_with_varied_statuses(pinned_today, shared_demo):
    summary = shared_demo.parts["pledges"]
    today = pinned_today
    pledges = Pledge.objects.filter(year=today.year)
    assert summary.pledges == pledges.count() == 10
    assert sorted(pledges.values_list("number", flat=True)) == list(range(1, 11))
    titles = " ".join(pledges.values_list("title", flat=True))
    for story in ("菜单式", "一站式", "你点我买，你要我给", "疗休养", "单身青年", "母婴室"):
        assert story in titles
    assert set(pledges.values_list("state", flat=True)) == {PledgeState.PUBLISHED}
    assert pledges.filter(target_kind=TargetKind.LIVE).count() == 2
    rows = selectors.rows(selectors.with_details(pledges), today)
    statuses = Counter(row.status for row in rows)
    assert statuses[Status.DONE] == 1
    assert statuses[Status.LATE] == 1
    assert statuses[Status.AT_RISK] == 1
    assert statuses[Status.ON_TRACK] == 7
    for row in rows:
        assert row.pledge.lead_units.exists()
        assert all(m.due_on.year == today.year for m in row.milestones)
    for r in ProgressReport.objects.select_related("pledge"):
        assert r.month.day == 1 and r.month <= rules.month_start(today)
        assert (r.value is None) is r.pledge.is_live
    assert summary.reports == ProgressReport.objects.count() > 0
    # the demo unit administrator of 市纪委 leads pledges of its own
    from guanqing.accounts.models import User

    jiwei = User.objects.get(username="unit_jiwei")
    assert Pledge.objects.editable_by(jiwei).count() >= 2
