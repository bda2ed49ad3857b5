"""The service window's city board and a clerk's queue against hand-written SQL, side by side.

Builds `--cases` cases (default 2,000,000) accepted on the official calendar's working days over
the last four years, across 100 units with one to three windows each (two clerks a window), each
window with its own matters (promised 1–10 working days, statutory two to four times that, one in
eight a 即办件), in a throwaway SQLite database or in the (empty, throwaway) PostgreSQL database
named by `--database-url`. A case accepted on day A is completed 0–(promised + 1) working days
after A (so some are late), 2% of them paused once for 1–5 working days; the cases of the last
working days are still open (a few past their deadline). Three in ten completed cases are rated
(好差评) within a week, one in twenty of them a 差评 with its follow-up at some step (a few excluded
by an upheld appeal, some fixes rated again). A kept database without ratings gets them. Then, as
of today, measures:

- the city board (`figures.window_board` for the committee: every window side by side — its open
  cases today on track / due soon / overdue; the cases accepted this year: accepted, 即办件,
  completed, early, late, promised and statutory limits, working days used counted in SQL from
  the calendar, pauses excluded; and its 好差评 of the year: ratings, good, bad, rectified, fed
  back, completed cases and those rated), against hand-written SQL (four queries) giving the same
  numbers: every row of the board, shares and averages included, must be equal;
- the queue page's data (`cases`): the first page of `selectors.clerk_queue` (the open cases in
  the user's scope, running before paused, earliest deadline first) with the number of cases in
  it and each case's clock from `selectors.with_clocks` — what the page shows: the case, its
  window, matter and missing 容缺 materials, its deadline moved by its pauses, the working days
  left and how it stands — for the busiest clerk and for the committee (the whole city), against
  hand-written SQL giving the same (two queries: the count, and the page with its clock counted
  from the calendar table); both compared on every open case first, then on the first page;

each timed alternately, medians printed, answers compared (a mismatch stops the run). The last
line is `ratio=<worst ratio>`. Targets (printed, never asserted): ratio ≤ 1.5; a clerk's queue
under 50 ms. When the official calendar does not hold next year yet (late in a year), its Mondays
to Fridays are entered as working days for the run: the clock of a case accepted now reaches
into it.

Usage: python bench/window.py [--quick] [--cases N] [--database-url postgres://…] [--keep DIR]
"""

from __future__ import annotations

import argparse
import bisect
import collections
import datetime
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Writer, side_by_side, start_django, table_columns  # noqa: E402 - the bench's own helpers

UNITS = 100
MATTERS_PER_WINDOW = 12
PAUSE_SHARE = 0.02
YEARS = 4


def build(n_cases: int, today: datetime.date, seed: int = 2026) -> None:
    from django.db import connection, transaction

    from guanqing.accounts.models import User
    from guanqing.core.models import CalendarDay
    from guanqing.window.models import Case

    rng = random.Random(seed)
    writer = Writer(connection)
    now = datetime.datetime.now(datetime.UTC)
    stamp = time.perf_counter()

    def done(what, n):
        nonlocal stamp
        print(f"  {what:12} {n:>11,} rows {time.perf_counter() - stamp:7.1f} s", flush=True)
        stamp = time.perf_counter()

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -1000000")

    workdays = list(
        CalendarDay.objects.filter(is_workday=True).order_by("date").values_list("date", flat=True)
    )
    first_day = today.replace(year=today.year - YEARS)
    start = bisect.bisect_left(workdays, first_day)
    until = bisect.bisect_right(workdays, today)
    days = workdays[start:until]

    def add(day_index: int, n: int) -> datetime.date | None:
        """The n-th working day after the one at `day_index`; None past the calendar's last year
        (the statutory deadline of a recent case may fall in a year not yet entered)."""
        index = day_index + n
        return workdays[index] if index < len(workdays) else None

    with transaction.atomic():
        n = writer.write(
            "registry_unit",
            [
                "id",
                "name",
                "short_name",
                "credit_code",
                "address",
                "sort_order",
                "is_active",
                "created_at",
                "updated_at",
            ],
            ((i, f"单位{i:03d}", "", "", "", i, True, now, now) for i in range(1, UNITS + 1)),
        )
        done("units", n)
        windows = []  # (id, unit id)
        for unit in range(1, UNITS + 1):
            for _ in range(rng.randint(1, 3)):
                windows.append((len(windows) + 1, unit))
        n = writer.write(
            "window_window",
            ["id", "unit_id", "name", "location", "is_active", "created_at"],
            ((w, u, f"窗口{w:03d}", "", True, now) for w, u in windows),
        )
        done("windows", n)
        clerks = {}
        users = []
        for w, u in windows:
            clerks[w] = []
            for k in range(2):
                users.append(User(username=f"bench_clerk_{w}_{k}", role="window_clerk", unit_id=u))
        User.objects.bulk_create(users, batch_size=2000)
        ids = dict(
            User.objects.filter(username__startswith="bench_clerk_").values_list("username", "pk")
        )
        through = []
        for w, _u in windows:
            for k in range(2):
                user_id = ids[f"bench_clerk_{w}_{k}"]
                clerks[w].append(user_id)
                through.append((len(through) + 1, w, user_id))
        writer.write("window_window_clerks", ["id", "window_id", "user_id"], through)
        done("clerks", len(users))

        items, matters, versions = [], [], []
        window_versions = {}
        for w, u in windows:
            item_id = len(items) + 1
            items.append((item_id, u, f"I{w:04d}", f"审批事项{w}", "", 0, True))
            window_versions[w] = []
            for _ in range(MATTERS_PER_WINDOW):
                m = len(matters) + 1
                immediate = rng.random() < 1 / 8
                promised = 0 if immediate else rng.randint(1, 10)
                statutory = rng.randint(1, 5) if immediate else promised * rng.randint(2, 4)
                matters.append((m, item_id, f"M{m:06d}", f"办理项{m}", m, 0, True))
                versions.append(
                    (
                        m,
                        m,
                        1,
                        "immediate" if immediate else "promised",
                        statutory,
                        promised,
                        0,
                        "",
                        "",
                        first_day,
                        now,
                    )
                )
                window_versions[w].append((m, promised, statutory))
        writer.write(
            "window_approvalitem",
            ["id", "unit_id", "code", "name", "legal_basis", "sort_order", "is_active"],
            items,
        )
        # matters point at their version and versions at their matter: matters first, without it
        writer.write(
            "window_matter",
            ["id", "item_id", "code", "name", "current_id", "sort_order", "is_active"],
            ((m, i, c, nm, None, so, a) for m, i, c, nm, _cur, so, a in matters),
        )
        writer.write(
            "window_matterversion",
            [
                "id",
                "matter_id",
                "number",
                "kind",
                "statutory_workdays",
                "promised_workdays",
                "fee",
                "fee_note",
                "legal_basis",
                "valid_from",
                "created_at",
            ],
            versions,
        )
        with connection.cursor() as cursor:
            cursor.execute("UPDATE window_matter SET current_id = id")
        done("matters", len(matters))

        # the case table's columns, as the model declares them
        fields = [f for f in Case._meta.concrete_fields]
        columns = [f.column for f in fields]
        defaults = {f.attname: (f.get_default() if f.has_default() else "") for f in fields}
        for nullable in (
            "id_number_hash",
            "accepted_on",
            "deadline",
            "statutory_deadline",
            "supply_by",
            "completed_on",
            "delivered_on",
            "terminated_on",
        ):
            if nullable in defaults:
                defaults[nullable] = None
        defaults.update(created_at=now, updated_at=now)
        attnames = [f.attname for f in fields]

        per_day = n_cases / len(days)
        pauses = []
        sequence: dict[tuple, int] = {}

        def rows():
            case_id = 0
            carry = 0.0
            for offset, day in enumerate(days):
                day_index = start + offset
                carry += per_day
                count, carry = int(carry), carry - int(carry)
                for _ in range(count):
                    case_id += 1
                    w, _u = windows[rng.randrange(len(windows))]
                    version, promised, statutory = rng.choice(window_versions[w])
                    paused = 0
                    if promised and rng.random() < PAUSE_SHARE:
                        paused = rng.randint(1, 5)
                    deadline = add(day_index, promised + paused)
                    statutory_deadline = add(day_index, statutory + paused)
                    used = rng.randint(0, promised + 1) if promised else 0
                    end_index = day_index + (max(used, 1) if paused else used) + paused
                    row = dict(defaults)
                    key = (w, day)
                    sequence[key] = sequence.get(key, 0) + 1
                    row.update(
                        id=case_id,
                        window_id=w,
                        version_id=version,
                        receipt_no=f"SL{day:%Y%m%d}-{w:04d}-{sequence[key]:04d}",
                        applicant_kind="enterprise",
                        applicant_name=f"申请人{case_id}",
                        credit_code="",
                        applicant_phone="13800000000",
                        phone_tail="0000",
                        received_on=day,
                        accepted_on=day,
                        deadline=deadline,
                        statutory_deadline=statutory_deadline,
                        handled_by_id=rng.choice(clerks[w]),
                    )
                    if paused:
                        pause_start = workdays[day_index + 1]
                        pause_end = workdays[day_index + 1 + paused]
                        if pause_end > today:
                            pause_end = None
                        pauses.append((case_id, pause_start, pause_end))
                    if end_index < until - 1 and (paused == 0 or pauses[-1][2] is not None):
                        completed = workdays[end_index]
                        row.update(state="completed", outcome="approved", completed_on=completed)
                    elif paused and pauses[-1][2] is None:
                        row.update(state="paused")
                    else:
                        row.update(state="accepted")
                    yield tuple(row[a] for a in attnames)

        n = writer.write("window_case", columns, rows())
        done("cases", n)
        n = writer.write(
            "window_casepause",
            ["id", "case_id", "kind", "reason", "started_on", "ended_on", "created_at"],
            (
                (i + 1, case, "inspection", "检验检测", first, last, now)
                for i, (case, first, last) in enumerate(pauses)
            ),
        )
        done("pauses", n)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    done("analyze", 0)


def build_ratings(today: datetime.date, seed: int = 2027) -> None:
    """好差评 for the cases built: three in ten completed cases rated (round 1) within a week of
    their completion — one in twenty 差评 (levels 1–2), each with its follow-up at some step of
    核实 → 整改 → 反馈 (one in twenty excluded by an upheld appeal) — and half the closed
    follow-ups' fixes rated again (round 2, which the figures leave out)."""
    from django.db import connection, transaction

    from guanqing.window.choices import FollowUpState, RatingChannel, RatingRound
    from guanqing.window.models import Case, FollowUp, QuestionSet, Rating

    rng = random.Random(seed)
    writer = Writer(connection)
    now = datetime.datetime.now(datetime.UTC)
    stamp = time.perf_counter()
    question_set = QuestionSet.objects.order_by("number").first()
    if question_set is None:
        question_set = QuestionSet.objects.create(number=1, note="bench")
    levels = (5, 4, 3, 2, 1)
    weights = (70, 17, 8, 3, 2)
    channels = (RatingChannel.KIOSK, RatingChannel.LINK)
    r_columns, r_names, r_defaults = table_columns(Rating)
    f_columns, f_names, f_defaults = table_columns(FollowUp)
    ratings, follow_ups = [], []
    completed = (
        Case.objects.filter(completed_on__isnull=False)
        .order_by("pk")
        .values_list("pk", "completed_on")
        .iterator(chunk_size=50_000)
    )

    def rating(case_id, round_, level, rated_on):
        row = dict(r_defaults)
        row.update(
            id=len(ratings) + 1,
            case_id=case_id,
            round=round_,
            level=level,
            channel=rng.choice(channels),
            question_set_id=question_set.pk,
            comment="",
            rated_on=rated_on,
            rated_at=now,
        )
        ratings.append(tuple(row[a] for a in r_names))
        return row["id"]

    day = datetime.timedelta(days=1)
    for case_id, completed_on in completed:
        if rng.random() >= 0.3:
            continue
        rated_on = min(completed_on + rng.randint(0, 6) * day, today)
        level = rng.choices(levels, weights)[0]
        rating_id = rating(case_id, RatingRound.CASE, level, rated_on)
        if level > 2:
            continue
        step = rng.random()
        verified = rectified = fed_back = None
        if step < 0.05:
            state = FollowUpState.EXCLUDED
        elif step < 0.15:
            state = FollowUpState.VERIFY
        else:
            verified = min(rated_on + rng.randint(0, 3) * day, today)
            if step < 0.3:
                state = FollowUpState.RECTIFY
            else:
                rectified = min(verified + rng.randint(0, 10) * day, today)
                if step < 0.45:
                    state = FollowUpState.FEEDBACK
                else:
                    fed_back = min(rectified + rng.randint(0, 3) * day, today)
                    state = FollowUpState.CLOSED if step < 0.9 else FollowUpState.AWAITING
        row = dict(f_defaults)
        row.update(
            id=len(follow_ups) + 1,
            rating_id=rating_id,
            state=state,
            opened_on=rated_on,
            rectify_due=rated_on + 14 * day,
            verified_on=verified,
            rectified_on=rectified,
            fed_back_on=fed_back,
            closed_on=fed_back if state == FollowUpState.CLOSED else None,
            updated_at=now,
        )
        follow_ups.append(tuple(row[a] for a in f_names))
        if state == FollowUpState.CLOSED and rng.random() < 0.5:
            rating(case_id, RatingRound.FIX, rng.choices(levels, weights)[0], fed_back)
    with transaction.atomic():
        n = writer.write("window_rating", r_columns, ratings)
        m = writer.write("window_followup", f_columns, follow_ups)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  {'ratings':12} {n:>11,} rows, {m:,} follow-ups {time.perf_counter() - stamp:7.1f} s")


def next_year_stand_in(today: datetime.date) -> int | None:
    """Late in a year the official calendar may not hold the next one yet, and the clock of a case
    accepted now (its statutory deadline) reaches into it: the page would show only the missing
    year. Then the next year's Mondays to Fridays are entered as its working days, for the run;
    the year entered is returned (None when it was there)."""
    from guanqing.core.calendar.workdays import forget_cached_years
    from guanqing.core.models import CalendarDay

    year = today.year + 1
    if CalendarDay.objects.filter(date__year=year).exists():
        return None
    first = datetime.date(year, 1, 1)
    days = (first + datetime.timedelta(days=i) for i in range(366))
    CalendarDay.objects.bulk_create(
        CalendarDay(date=day, is_workday=day.weekday() < 5, source="bench: Monday to Friday")
        for day in days
        if day.year == year
    )
    forget_cached_years()
    return year


# --- the hand-written queries --------------------------------------------------------------------

BOARD_SQL = """
    SELECT c.window_id,
      COUNT(*),
      SUM(CASE WHEN v.kind = 'immediate' THEN 1 ELSE 0 END),
      SUM(CASE WHEN c.completed_on IS NOT NULL AND c.deadline IS NOT NULL THEN 1 ELSE 0 END),
      SUM(CASE WHEN c.completed_on IS NOT NULL AND c.completed_on < c.deadline THEN 1 ELSE 0 END),
      SUM(CASE WHEN c.completed_on IS NOT NULL AND c.completed_on > c.deadline THEN 1 ELSE 0 END),
      SUM(v.promised_workdays), SUM(v.statutory_workdays),
      SUM(CASE WHEN c.completed_on IS NOT NULL AND c.deadline IS NOT NULL THEN
        (SELECT COUNT(*) FROM core_calendarday d
          WHERE d.is_workday AND d.date > c.accepted_on AND d.date <= c.completed_on
            AND NOT EXISTS (SELECT 1 FROM window_casepause p WHERE p.case_id = c.id
                            AND p.started_on < d.date AND p.ended_on >= d.date))
      END)
    FROM window_case c JOIN window_matterversion v ON v.id = c.version_id
    WHERE c.accepted_on >= %(first)s AND c.accepted_on <= %(last)s
    GROUP BY c.window_id
"""

WINDOWS_SQL = """
    SELECT w.id, w.name, w.unit_id, u.name, w.is_active,
      (SELECT COUNT(*) FROM window_case c WHERE c.window_id = w.id AND c.state IN ('accepted', 'paused')
        AND (c.state = 'paused' OR c.deadline >= %(beyond)s)),
      (SELECT COUNT(*) FROM window_case c WHERE c.window_id = w.id AND c.state = 'accepted'
        AND c.deadline >= %(today)s AND c.deadline < %(beyond)s),
      (SELECT COUNT(*) FROM window_case c WHERE c.window_id = w.id AND c.state = 'accepted'
        AND c.deadline < %(today)s)
    FROM window_window w JOIN registry_unit u ON u.id = w.unit_id
    ORDER BY u.sort_order, u.name, w.name, w.id
"""

# 好差评 of the range by window: the round-1 ratings rated in it, but those an upheld appeal
# excluded (good: levels 4–5; bad: 1–2, with their follow-up rectified / fed back), and the cases
# completed in it with such a rating (participation).
RATINGS_SQL = """
    SELECT c.window_id, COUNT(*),
      SUM(CASE WHEN r.level >= 4 THEN 1 ELSE 0 END),
      SUM(CASE WHEN r.level <= 2 THEN 1 ELSE 0 END),
      SUM(CASE WHEN r.level <= 2 AND f.rectified_on IS NOT NULL THEN 1 ELSE 0 END),
      SUM(CASE WHEN r.level <= 2 AND f.fed_back_on IS NOT NULL THEN 1 ELSE 0 END)
    FROM window_rating r JOIN window_case c ON c.id = r.case_id
    LEFT JOIN window_followup f ON f.rating_id = r.id
    WHERE r.round = 1 AND r.rated_on >= %(first)s AND r.rated_on <= %(last)s
      AND (f.state IS NULL OR f.state <> 'excluded')
    GROUP BY c.window_id
"""

PARTICIPATION_SQL = """
    SELECT c.window_id, COUNT(*),
      SUM(CASE WHEN EXISTS (SELECT 1 FROM window_rating r
                            LEFT JOIN window_followup f ON f.rating_id = r.id
                            WHERE r.case_id = c.id AND r.round = 1
                              AND (f.state IS NULL OR f.state <> 'excluded'))
          THEN 1 ELSE 0 END)
    FROM window_case c
    WHERE c.completed_on >= %(first)s AND c.completed_on <= %(last)s
    GROUP BY c.window_id
"""


# The first page of the queue as the page shows it, with the number of cases in it: the open cases
# of the clerk's windows (`{scope}`: CLERK) or of the city (the committee's, `{scope}` empty),
# running ("accepted") before paused, by the kept deadline; each with its window, matter, whether
# 容缺 materials are still missing, and its clock as of today — the deadline moved by its pauses'
# working days (a running pause counts up to today), the working days left and how it stands.
# Working days are counted from the calendar table; `workday` numbers those after the page's
# earliest acceptance.
CLERK = "JOIN window_window_clerks wc ON wc.window_id = c.window_id AND wc.user_id = %(user)s"

QUEUE_COUNT_SQL = """
    SELECT COUNT(*) FROM window_case c {scope}
    WHERE c.state IN ('accepted', 'paused')
"""

QUEUE_PAGE_SQL = """
    WITH page AS MATERIALIZED (
      SELECT c.id, c.receipt_no, c.state, c.accepted_on, c.deadline AS kept_deadline,
        c.applicant_name, w.name AS window_name, m.name AS matter_name,
        v.promised_workdays AS promised,
        CASE WHEN c.accepted_on > %(today)s THEN c.accepted_on ELSE %(today)s END AS end_on
      FROM window_case c {scope}
      JOIN window_window w ON w.id = c.window_id
      JOIN window_matterversion v ON v.id = c.version_id
      JOIN window_matter m ON m.id = v.matter_id
      WHERE c.state IN ('accepted', 'paused')
      ORDER BY c.state, c.deadline, c.accepted_on, c.id
      LIMIT %(page_size)s
    ),
    workday AS MATERIALIZED (
      SELECT d.date, ROW_NUMBER() OVER (ORDER BY d.date) AS k FROM core_calendarday d
      WHERE d.is_workday AND d.date > (SELECT MIN(accepted_on) FROM page)
    ),
    moved AS MATERIALIZED (
      SELECT page.*,
        page.promised + (SELECT COUNT(*) FROM window_casepause p
          JOIN core_calendarday d ON d.is_workday AND d.date > p.started_on
            AND d.date <= COALESCE(p.ended_on,
              CASE WHEN p.started_on > page.end_on THEN p.started_on ELSE page.end_on END)
          WHERE p.case_id = page.id) AS n,
        (SELECT COUNT(*) FROM workday WHERE workday.date <= page.accepted_on) AS k0
      FROM page
    ),
    clock AS MATERIALIZED (
      SELECT moved.*,
        CASE WHEN n = 0 THEN accepted_on
          ELSE (SELECT workday.date FROM workday WHERE workday.k = moved.k0 + moved.n) END
          AS deadline
      FROM moved
    ),
    remaining AS MATERIALIZED (
      SELECT clock.*,
        CASE WHEN %(today)s <= clock.deadline
          THEN (SELECT COUNT(*) FROM core_calendarday d
                WHERE d.is_workday AND d.date > %(today)s AND d.date <= clock.deadline)
          ELSE -(SELECT CASE WHEN COUNT(*) > 1 THEN COUNT(*) ELSE 1 END FROM core_calendarday d
                 WHERE d.is_workday AND d.date > clock.deadline AND d.date <= %(today)s)
        END AS left_days
      FROM clock
    )
    SELECT id, receipt_no, state, window_name, applicant_name, matter_name,
      EXISTS (SELECT 1 FROM window_casemissingmaterial mm
              WHERE mm.case_id = remaining.id AND mm.supplied_on IS NULL),
      deadline, left_days,
      CASE WHEN left_days < 0 THEN 'overdue' WHEN left_days <= %(due_soon)s THEN 'due_soon'
        ELSE 'open' END
    FROM remaining
    ORDER BY state, kept_deadline, accepted_on, id
"""


# --- the run -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="40,000 cases, fewer repetitions")
    parser.add_argument("--cases", type=int, default=2_000_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--keep", default=None, help="keep (and reuse) the SQLite data here")
    args = parser.parse_args()
    n_cases = 40_000 if args.quick else args.cases
    repeat = 5 if args.quick else args.repeat

    start_django(keep=args.keep, database_url=args.database_url)
    from django.core.management import call_command
    from django.core.paginator import Paginator
    from django.db import connection
    from django.db.models import Count

    from guanqing.accounts.models import User
    from guanqing.core.calendar.workdays import add_workdays, business_date
    from guanqing.core.daterange import DateRange
    from guanqing.core.ui.htmx import DEFAULT_PAGE_SIZE
    from guanqing.window import figures, selectors
    from guanqing.window.models import Case, CasePause, Rating, WindowSettings

    call_command("migrate", verbosity=0)
    today = business_date()
    existing = Case.objects.count()
    if existing and abs(existing - n_cases) > n_cases // 100:
        sys.exit(
            f"the database already holds {existing:,} cases, not {n_cases:,}: "
            "give an empty database (or the --keep folder of a run of the same size)"
        )
    start = time.perf_counter()
    if not existing:
        print(f"building {n_cases:,} cases on {connection.vendor}:")
        build(n_cases, today)
        print(f"built in {time.perf_counter() - start:.0f} s")
    else:
        # statistics for an index a migration added since the data were built (SQLite plans with
        # the other indexes' statistics and none for it otherwise)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    if not Rating.objects.exists():  # a kept database built before 好差评 gets them now
        build_ratings(today)
    stand_in = next_year_stand_in(today)
    if stand_in:
        print(f"calendar: no {stand_in} yet, entered Monday to Friday as working days for the run")
    span = DateRange.parse(None, None, today=today)
    settings = WindowSettings.current()
    due_soon_workdays = settings.due_soon_workdays
    params = {
        "first": span.first,
        "last": span.last,
        "today": today,
        "beyond": add_workdays(today, due_soon_workdays + 1),
    }
    print(
        f"database: {connection.vendor}; cases {Case.objects.count():,}, pauses "
        f"{CasePause.objects.count():,}, open {Case.objects.open().count():,}, ratings "
        f"{Rating.objects.count():,}; "
        f"board from {span.first} to {span.last}"
    )

    def sql_rows(sql, extra=None):
        with connection.cursor() as cursor:
            cursor.execute(sql, {**params, **(extra or {})})
            return cursor.fetchall()

    committee, _ = User.objects.get_or_create(username="bench_committee", role="committee")

    # --- the city board --------------------------------------------------------------------------
    def board_orm():
        return figures.window_board(committee, span, today=today)

    def board_hand():
        return (
            sql_rows(WINDOWS_SQL),
            sql_rows(BOARD_SQL),
            sql_rows(RATINGS_SQL),
            sql_rows(PARTICIPATION_SQL),
        )

    def board_expected(windows, grouped, rated, participation):
        """The board's rows (all but their links) from the hand-written queries' numbers; the
        shares and averages derived from them as the board derives them (`figures._derived`,
        `figures._rating_derived`: rounding half up to the decimals shown)."""
        grouped = {row[0]: row[1:] for row in grouped}
        rated = {row[0]: row[1:] for row in rated}
        participation = {row[0]: row[1:] for row in participation}
        rows = []
        for window_id, name, unit_id, unit, active, on_track, due_soon, overdue in windows:
            if not active and window_id not in grouped and not on_track + due_soon + overdue:
                continue
            accepted, immediate, completed, early, late, promised, statutory, used = grouped.get(
                window_id, (0,) * 8
            )
            names = ("rated", "good", "bad", "rectified", "fed_back")
            counts = dict(zip(names, rated.get(window_id, (0,) * 5), strict=True))
            done, rated_cases = participation.get(window_id, (0, 0))
            counts.update(completed=done, rated_cases=rated_cases)
            ratings = figures._rating_derived(counts)
            if window_id in rated or window_id in participation:  # named as `rating_figures` does
                labels = {"window_id": window_id, "window": name, "unit_id": unit_id, "unit": unit}
                ratings = {**labels, **ratings}
            measures = {
                "accepted": accepted,
                "immediate": immediate,
                "completed": completed,
                "early": early,
                "late": late,
                "promised_sum": promised,
                "statutory_sum": statutory,
                "used_sum": used,
            }
            rows.append(
                {
                    "window_id": window_id,
                    "window": name,
                    "unit_id": unit_id,
                    "unit": unit,
                    "on_track": on_track,
                    "due_soon": due_soon,
                    "overdue": overdue,
                    **figures._derived(measures),
                    "ratings": ratings,
                }
            )
        return rows

    board = board_orm()
    expected = board_expected(*board_hand())
    got = [{k: v for k, v in row.items() if k != "links"} for row in board["windows"]]
    if got != expected:
        for mine, theirs in zip(got, expected, strict=False):
            if mine != theirs:
                diff = {k: (mine.get(k), theirs.get(k)) for k in theirs if mine.get(k) != theirs[k]}
                print(f"  window {theirs['window_id']}: board, SQL: {diff}")
                break
        sys.exit(f"city board ({len(got)} windows) differs from SQL ({len(expected)})")
    totals = {k: sum(r[k] for r in board["windows"]) for k in ("accepted", "completed", "early")}
    rated_total = sum(r["ratings"]["rated"] for r in board["windows"])
    bad_total = sum(r["ratings"]["bad"] for r in board["windows"])
    print(
        f"city board: {len(board['windows'])} windows, {totals['accepted']:,} accepted this "
        f"year, {totals['completed']:,} completed, {totals['early']:,} early; "
        f"{rated_total:,} rated ({bad_total:,} 差评)"
    )
    cases = [("city board, this year (every window)", board_orm, board_hand)]

    # --- the queue page: the busiest clerk's and the committee's (the city's) first page ----------
    def shown(case):
        """What the page shows of a case (a date as text: SQLite answers a computed one so)."""
        clock = case.clock
        return (
            case.pk,
            case.receipt_no,
            case.state,
            case.window.name,
            case.applicant_name,
            case.version.matter.name,
            bool(case.outstanding_materials),
            str(clock.deadline),
            clock.remaining_workdays,
            str(clock.timing),
        )

    def queue(whose: str, user, scope: str):
        count_sql, page_sql = (
            QUEUE_COUNT_SQL.format(scope=scope),
            QUEUE_PAGE_SQL.format(scope=scope),
        )

        def orm(page_size=DEFAULT_PAGE_SIZE):
            # what the queue page reads: the first page of `clerk_queue` (as `paginate` gives it,
            # the total included) and the clock of each of its cases
            page = Paginator(selectors.clerk_queue(user), page_size).get_page(None)
            return page.paginator.count, selectors.with_clocks(page.object_list, today=today)

        def hand(page_size=DEFAULT_PAGE_SIZE):
            extra = {"user": user.pk, "page_size": page_size, "due_soon": due_soon_workdays}
            return sql_rows(count_sql, extra)[0][0], sql_rows(page_sql, extra)

        # compared on one page holding every open case (the paused ones too), then on the first
        # page the queue shows, which is timed
        total, states = orm()[0], None
        for size in (max(total, 1), DEFAULT_PAGE_SIZE):
            total, page = orm(size)
            hand_total, hand_page = hand(size)
            if total != hand_total:
                sys.exit(f"{whose} queue: {total} open cases, SQL counts {hand_total}")
            got = [shown(case) for case in page]
            expected = [(*row[:6], bool(row[6]), str(row[7]), *row[8:]) for row in hand_page]
            if got != expected:
                for mine, theirs in zip(got, expected, strict=False):
                    if mine != theirs:
                        print(f"  page: {mine}\n  SQL:  {theirs}")
                        break
                sys.exit(f"{whose} queue ({len(got)} a page) differs from SQL")
            if states is None:  # the whole queue
                states = collections.Counter(row[2] for row in got)
                timings = collections.Counter(row[-1] for row in got)
        print(
            f"{whose} queue: {total:,} open cases ({states['paused']:,} paused, "
            f"{timings['overdue']:,} overdue, {timings['due_soon']:,} due soon), "
            f"first page {len(got)}"
        )
        cases.append((f"{whose} queue, first page ({total:,} open cases)", orm, hand))

    busiest = (
        Case.objects.open()
        .values("window_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("window_id", flat=True)
        .first()
    )
    clerk = User.objects.filter(windows__id=busiest).order_by("pk").first()
    queue("clerk's", clerk, CLERK)
    queue("committee's", committee, "")

    print(f"\n{'case':52} {'ORM ms':>9} {'SQL ms':>8} {'ratio':>6}")
    ratios, queue_ms = [], 0.0
    for name, orm, sql in cases:
        orm_ms, sql_ms = side_by_side(orm, sql, repeat)
        ratio = orm_ms / sql_ms
        ratios.append(ratio)
        if name.startswith("clerk's"):
            queue_ms = orm_ms
        print(f"{name:52} {orm_ms:9.1f} {sql_ms:8.1f} {ratio:6.2f}", flush=True)
    print(f"clerk's queue: {queue_ms:.1f} ms (target < 50 ms); target ratio ≤ 1.5")
    print(f"ratio={max(ratios):.2f}")


if __name__ == "__main__":
    main()
