"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) at /open311/v2/.

- `discovery`, `services` (the active problem categories), `services/{service_code}` (a category's
  service definition: its attributes), `requests` (GET: a search; POST: a new problem, with an
  application's `api_key`) and `requests/{service_request_id}`, each as `.json` or `.xml`.
- A problem's `public_id` is its service_request_id; a merged problem reports its master's status;
  `status_notes` is its latest public note; `agency_responsible` the unit it is assigned to.
- Requests are created at once, so no `tokens/{token}` is needed.
- Nothing about the reporter (name, phone, email, device or account) is ever in an answer.
- Errors are the specification's list of {code, description}, with its HTTP status: 400 for a
  missing or wrong parameter, 403 for a missing, unknown or revoked api_key, 404 for an unknown
  service_code or service_request_id; 429 when a client posts faster than its rate allows.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from guanqing.core.access import public
from guanqing.core.api.base import ClientAddressThrottle
from guanqing.core.errors import Conflict
from guanqing.frontline.choices import OPEN_STATES, ProblemSource, ProblemState
from guanqing.frontline.models import Problem, ProblemCategory, ProblemEvent
from guanqing.frontline.open311 import formats
from guanqing.frontline.open311.keys import active_key
from guanqing.registry.models import Division

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-01T00:00:00+08:00"
DEFAULT_DAYS = 90  # the default window and the longest one a search may span
MAX_REQUESTS = 1000  # the most service requests one search returns
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
COORDINATE = Decimal("0.000001")
# Service errors name the service's fields; the answer names the Open311 parameters.
PARAMETERS = {
    "category": "service_code",
    "title": "description",
    "address": "address_string",
    "division": "address_id",
    "reporter_name": "first_name",
    "reporter_phone": "phone",
    "reporter_email": "email",
    "attributes": "attribute",
}


# ---------------------------------------------------------------------------------------------
# Throttles: posting costs a rate per client address and per application key
# ---------------------------------------------------------------------------------------------


class _Rate:
    default_rate = "60/hour"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope) or self.default_rate


class PostAddressThrottle(_Rate, ClientAddressThrottle):
    """`open311_post` in REST_FRAMEWORK's DEFAULT_THROTTLE_RATES (60 an hour per client address
    when it is not set)."""

    scope = "open311_post"
    default_rate = "60/hour"


class PostKeyThrottle(_Rate, SimpleRateThrottle):
    """`open311_key` in REST_FRAMEWORK's DEFAULT_THROTTLE_RATES (600 an hour per application key
    when it is not set)."""

    scope = "open311_key"
    default_rate = "600/hour"

    def __init__(self, key):
        self.key = key
        super().__init__()

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.key.key_hash}


def _throttled(fmt, throttle):
    seconds = max(1, round(throttle.wait() or 60))
    response = formats.errors(
        fmt, 429, [_("请求过于频繁，请 %(seconds)s 秒后再试") % {"seconds": seconds}]
    )
    response["Retry-After"] = str(seconds)
    return response


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def w3c(moment: datetime.datetime | None) -> str:
    """A W3C datetime in the business time zone: 2026-05-13T10:00:00+08:00."""
    if moment is None:
        return ""
    return moment.astimezone(_zone()).isoformat(timespec="seconds")


_SPACE_FOR_PLUS = re.compile(r"(T\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d:?\d\d)$")


def parse_w3c(value: str) -> datetime.datetime | None:
    """A W3C datetime (YYYY, YYYY-MM, YYYY-MM-DD, or with a time and its zone designator: Z or
    ±hh:mm); a bare date starts at midnight in the business time zone. None when malformed."""
    value = (value or "").strip()
    # A "+" left unencoded in a query string arrives as a space.
    value = _SPACE_FOR_PLUS.sub(r"\1+\2", value)
    try:
        if re.fullmatch(r"\d{4}", value):
            moment = datetime.datetime(int(value), 1, 1)
        elif re.fullmatch(r"\d{4}-\d{2}", value):
            moment = datetime.datetime(int(value[:4]), int(value[5:7]), 1)
        elif re.fullmatch(
            r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?", value
        ):
            moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        else:
            return None
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_zone())
    return moment


def requested_at(problem: Problem) -> datetime.datetime:
    """When the request was made: the moment it was entered, or — for one received on an earlier
    day (a hand-over entered later) — the start of the day it was received."""
    entered = problem.created_at
    if entered is not None and timezone.localtime(entered, _zone()).date() == problem.received_on:
        return entered
    return datetime.datetime.combine(problem.received_on, datetime.time(), tzinfo=_zone())


def _leader(problem: Problem) -> Problem:
    """The problem a merged one follows (its master's master, should that one be merged too)."""
    seen = 0
    while problem.state == ProblemState.MERGED and problem.master_id and seen < 5:
        problem = problem.master
        seen += 1
    return problem


def _service_notice(problem: Problem) -> str:
    if problem.deadline is None:
        return ""
    return _("承办单位将于 %(date)s 前办结答复") % {"date": problem.deadline.isoformat()}


def _number(value: Decimal | None):
    return float(value) if value is not None else None


def request_data(problem: Problem, status_notes: str = "") -> dict:
    """One service request as the specification lists its fields — and nothing about the reporter."""
    leader = _leader(problem)
    unit = problem.unit or leader.unit
    deadline = problem.deadline or leader.deadline
    expected = (
        datetime.datetime.combine(deadline, datetime.time(23, 59, 59), tzinfo=_zone())
        if deadline
        else None
    )
    data = {
        "service_request_id": problem.public_id,
        "status": "open" if leader.state in OPEN_STATES else "closed",
        "status_notes": status_notes,
        "service_name": problem.category.name,
        "service_code": problem.category.code,
        "description": problem.description,
        "agency_responsible": unit.name if unit else "",
        "service_notice": _service_notice(problem),
        "requested_datetime": w3c(requested_at(problem)),
        "updated_datetime": w3c(problem.updated_at),
        "expected_datetime": w3c(expected),
        "address": problem.address,
        "address_id": problem.division.code if problem.division_id else "",
        "zipcode": "",
        "lat": _number(problem.lat),
        "long": _number(problem.long),
        "media_url": problem.media_url,
    }
    # What is not known is null in JSON (an empty element in XML), as in the specification.
    return {name: (None if value == "" else value) for name, value in data.items()}


def _latest_public_notes(ids) -> dict[int, str]:
    notes: dict[int, str] = {}
    events = (
        ProblemEvent.objects.filter(problem_id__in=ids, public=True)
        .exclude(note="")
        .order_by("problem_id", "at", "id")
        .values_list("problem_id", "note")
    )
    for problem_id, note in events:
        notes[problem_id] = note
    return notes


def _requests_data(problems: list[Problem]) -> list[dict]:
    notes = _latest_public_notes([p.pk for p in problems])
    return [request_data(p, notes.get(p.pk, "")) for p in problems]


# What GeoReport publishes: the problems the public reported (this endpoint, or the report page
# without an account). Those collected on outreach visits, handed over from the window or from
# 12345/81890 and raised by instructors are the units' working records, not published.
PUBLISHED_SOURCES = (ProblemSource.OPEN311, ProblemSource.PUBLIC)


def _problems():
    return Problem.objects.filter(source__in=PUBLISHED_SOURCES).select_related(
        "category", "unit", "division", "master__unit", "master__master__unit"
    )


# ---------------------------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------------------------


def attribute_definitions(category: ProblemCategory) -> list[dict]:
    """A category's attributes as the service definition lists them, in their order."""
    found = []
    for index, raw in enumerate(category.attributes or []):
        if not isinstance(raw, dict) or not raw.get("code"):
            continue
        datatype = raw.get("datatype") if raw.get("datatype") in DATATYPES else "string"
        attribute = {
            "variable": bool(raw.get("variable", True)),
            "code": str(raw["code"]),
            "datatype": datatype,
            "required": bool(raw.get("required", False)),
            "datatype_description": raw.get("datatype_description") or None,
            "order": _order(raw.get("order"), index + 1),
            "description": raw.get("description") or "",
        }
        if datatype in ("singlevaluelist", "multivaluelist"):
            attribute["values"] = [
                {"key": str(v.get("key", "")), "name": str(v.get("name", ""))}
                for v in raw.get("values") or []
                if isinstance(v, dict)
            ]
        found.append(attribute)
    return sorted(found, key=lambda a: a["order"])


def _order(value, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default


def _service(category: ProblemCategory) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(attribute_definitions(category)),
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group,
    }


def _active_categories():
    return ProblemCategory.objects.filter(is_active=True).order_by("sort_order", "code")


# ---------------------------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------------------------


def _open311(*methods):
    """A GeoReport endpoint: no account, no CSRF token (an application posts with its api_key),
    never cached; an unknown format is a 404, another method a 405 in the error format."""

    def decorator(view):
        def wrapper(request, *args, fmt, **kwargs):
            if fmt not in formats.FORMATS:
                raise Http404
            if request.method not in methods:
                response = formats.errors(
                    fmt, 405, [_("不支持 %(method)s 请求") % {"method": request.method}]
                )
                response["Allow"] = ", ".join(methods)
                return response
            return view(request, *args, fmt=fmt, **kwargs)

        wrapper.__name__ = view.__name__
        wrapper.__doc__ = view.__doc__
        return public(csrf_exempt(never_cache(wrapper)))

    return decorator


@_open311("GET")
def discovery(request, fmt):
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt}))
    data = {
        "changeset": CHANGESET,
        "contact": _("Open311 接入请联系市直机关工委"),
        "key_service": _("接入密钥由系统管理员发放"),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base.rsplit("/", 1)[0],
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return formats.render(data, fmt, root="discovery")


@_open311("GET")
def service_list(request, fmt):
    data = [_service(category) for category in _active_categories()]
    return formats.render(data, fmt, root="services", item="service")


def _key(value: str) -> str:
    """A code or id from the request as a lookup key: one holding a NUL matches nothing (no code
    holds one, and PostgreSQL refuses it in a query)."""
    return "" if "\x00" in value else value


@_open311("GET")
def service_definition(request, service_code, fmt):
    category = _active_categories().filter(code=_key(service_code)).first()
    if category is None:
        return formats.errors(
            fmt, 404, [_("service_code %(code)s 不存在") % {"code": service_code[:40]}]
        )
    data = {"service_code": category.code, "attributes": attribute_definitions(category)}
    return formats.render(data, fmt, root="service_definition")


@_open311("GET", "POST")
def request_list(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    return _search(request, fmt)


@_open311("GET")
def request_detail(request, service_request_id, fmt):
    problem = _problems().filter(public_id=_key(service_request_id)).first()
    if problem is None:
        return formats.errors(
            fmt, 404, [_("service_request_id %(id)s 不存在") % {"id": service_request_id[:40]}]
        )
    return formats.render(_requests_data([problem]), fmt, root="service_requests", item="request")


# ---------------------------------------------------------------------------------------------
# GET requests: the search
# ---------------------------------------------------------------------------------------------


def _comma_list(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _search(request, fmt):
    params = request.GET
    ids = [i for i in _comma_list(params.get("service_request_id", "")) if _key(i)]
    if ids:
        # "This overrides all other arguments."
        found = {p.public_id: p for p in _problems().filter(public_id__in=ids[:MAX_REQUESTS])}
        problems = [found[i] for i in dict.fromkeys(ids) if i in found]
        return formats.render(
            _requests_data(problems), fmt, root="service_requests", item="request"
        )

    errors: list[str] = []
    start = end = None
    for name in ("start_date", "end_date"):
        if params.get(name, "").strip():
            moment = parse_w3c(params[name])
            if moment is None:
                errors.append(_("%(name)s 不是 W3C 格式的日期时间") % {"name": name})
            elif name == "start_date":
                start = moment
            else:
                end = moment
    statuses = _comma_list(params.get("status", "").lower())
    if any(status not in ("open", "closed") for status in statuses):
        errors.append(_("status 只能是 open 或 closed"))
    if errors:
        return formats.errors(fmt, 400, errors)

    window = datetime.timedelta(days=DEFAULT_DAYS)
    try:
        if start is None and end is None:
            end = timezone.now()
            start = end - window
        elif start is None:
            start = end - window
        elif end is None:
            end = start + window
        first_day, last_day = start.astimezone(_zone()).date(), end.astimezone(_zone()).date()
    except OverflowError:
        return formats.errors(fmt, 400, [_("start_date 或 end_date 超出范围")])
    if end < start:
        return formats.errors(fmt, 400, [_("end_date 不能早于 start_date")])
    if end - start > window:
        return formats.errors(
            fmt, 400, [_("start_date 到 end_date 不能超过 %(days)s 天") % {"days": DEFAULT_DAYS}]
        )

    rows = _problems().filter(received_on__gte=first_day, received_on__lte=last_day)
    codes = _comma_list(params.get("service_code", ""))
    if codes:
        rows = rows.filter(category__code__in=[_key(c) for c in codes])
    if len(set(statuses)) == 1:
        states = OPEN_STATES if statuses[0] == "open" else (ProblemState.CLOSED,)
        rows = rows.filter(
            Q(state__in=states) | Q(state=ProblemState.MERGED, master__state__in=states)
        )
    problems = []
    for problem in rows.order_by("-received_on", "-id").iterator(chunk_size=500):
        if start <= requested_at(problem) <= end:
            problems.append(problem)
            if len(problems) >= MAX_REQUESTS:
                break
    return formats.render(_requests_data(problems), fmt, root="service_requests", item="request")


# ---------------------------------------------------------------------------------------------
# POST requests: a new problem
# ---------------------------------------------------------------------------------------------


def _coordinate(errors: list[str], name: str, value: str) -> Decimal | None:
    if not value.strip():
        return None
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        errors.append(_("%(name)s 不是数字") % {"name": name})
        return None
    limit = 90 if name == "lat" else 180
    if abs(number) > limit:
        errors.append(_("%(name)s 超出范围") % {"name": name})
        return None
    return number.quantize(COORDINATE)


def _attribute_values(post, code: str) -> list[str]:
    values = post.getlist(f"attribute[{code}][]") + post.getlist(f"attribute[{code}]")
    return [v.strip() for v in values if v.strip()]


def _attributes(errors: list[str], category: ProblemCategory, post) -> dict:
    """The attribute[CODE] (attribute[CODE][] for a multivaluelist) values, checked against the
    service definition: required ones present, list values among its keys, numbers and datetimes
    well formed."""
    found = {}
    for attribute in attribute_definitions(category):
        if not attribute["variable"]:
            continue
        code, datatype = attribute["code"], attribute["datatype"]
        values = _attribute_values(post, code)
        name = f"attribute[{code}]"
        if not values:
            if attribute["required"]:
                errors.append(_("%(name)s 必填") % {"name": name})
            continue
        keys = {value["key"] for value in attribute.get("values", [])}
        if datatype == "multivaluelist":
            wrong = [v for v in values if v not in keys]
            if wrong:
                errors.append(_("%(name)s 的取值不在列表中") % {"name": name})
                continue
            found[code] = list(dict.fromkeys(values))
            continue
        if len(values) > 1:
            errors.append(_("%(name)s 只能有一个值") % {"name": name})
            continue
        value = values[0]
        if datatype == "singlevaluelist" and value not in keys:
            errors.append(_("%(name)s 的取值不在列表中") % {"name": name})
        elif datatype == "number" and _not_a_number(value):
            errors.append(_("%(name)s 不是数字") % {"name": name})
        elif datatype == "datetime" and parse_w3c(value) is None:
            errors.append(_("%(name)s 不是 W3C 格式的日期时间") % {"name": name})
        else:
            found[code] = value
    return found


def _not_a_number(value: str) -> bool:
    try:
        return not Decimal(value).is_finite()
    except InvalidOperation:
        return True


def _reporter_name(first: str, last: str) -> str:
    if first.isascii() and last.isascii():
        return " ".join(part for part in (first, last) if part)
    return f"{last}{first}"  # 张 + 三: the family name first


def _title(description: str, fallback: str) -> str:
    line = next((line.strip() for line in description.splitlines() if line.strip()), "")
    if not line:
        return fallback[:120]
    return line if len(line) <= 60 else line[:59] + "…"


def _service_errors(exc: ValidationError) -> list[str]:
    if not hasattr(exc, "error_dict"):
        return [str(m) for m in exc.messages]
    return [
        f"{PARAMETERS.get(field, field)}: {message}"
        for field, messages in exc.message_dict.items()
        for message in messages
    ]


def _create(request, fmt):
    from guanqing.frontline import services  # the problem loop; imported when first posted to

    address_throttle = PostAddressThrottle()
    if not address_throttle.allow_request(request, None):
        return _throttled(fmt, address_throttle)
    post = request.POST
    key = active_key(post.get("api_key", ""))
    if key is None:
        return formats.errors(fmt, 403, [_("api_key 缺失、无效或已被吊销")])
    key_throttle = PostKeyThrottle(key)
    if not key_throttle.allow_request(request, None):
        return _throttled(fmt, key_throttle)

    errors: list[str] = []
    code = post.get("service_code", "").strip()
    category = _active_categories().filter(code=_key(code)).first() if code else None
    if not code:
        errors.append(_("service_code 必填"))
    elif category is None:
        errors.append(_("service_code %(code)s 不存在") % {"code": code[:40]})
    count = len(errors)
    lat = _coordinate(errors, "lat", post.get("lat", ""))
    long = _coordinate(errors, "long", post.get("long", ""))
    coordinate_error = len(errors) > count
    address = post.get("address_string", "").strip()
    address_id = post.get("address_id", "").strip()
    division = None
    if address_id:
        division = Division.objects.filter(code=_key(address_id)).first()
        if division is None:
            errors.append(_("address_id %(id)s 不存在") % {"id": address_id[:40]})
    has_point = lat is not None and long is not None
    if (lat is None) != (long is None) and not (address or address_id):
        errors.append(_("lat 和 long 须同时提供"))
    elif not (has_point or address or address_id or coordinate_error):
        errors.append(_("请提供位置：lat 和 long，或 address_string，或 address_id"))
    attributes = _attributes(errors, category, post) if category else {}
    if errors:
        return formats.errors(fmt, 400, errors)

    description = post.get("description", "").strip()
    try:
        problem = services.problem_report(
            actor=None,
            source=ProblemSource.OPEN311,
            category=category,
            title=_title(description, category.name),
            description=description or category.name,
            division=division,
            address=address,
            lat=lat if has_point else None,
            long=long if has_point else None,
            media_url=post.get("media_url", "").strip(),
            attributes=attributes,
            reporter_name=_reporter_name(
                post.get("first_name", "").strip(), post.get("last_name", "").strip()
            ),
            reporter_phone=post.get("phone", "").strip(),
            reporter_email=post.get("email", "").strip(),
            open311_key=key,
        )
    except ValidationError as exc:
        return formats.errors(fmt, 400, _service_errors(exc))
    except (PermissionDenied, Conflict) as exc:
        return formats.errors(fmt, 400, [str(exc)])
    data = [
        {
            "service_request_id": problem.public_id,
            "service_notice": _service_notice(problem),
            # no accounts are created for reporters
            "account_id": None,
        }
    ]
    return formats.render(data, fmt, root="service_requests", item="request")
