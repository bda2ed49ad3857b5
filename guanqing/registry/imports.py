"""Excel import of units, members and households: check every row, then write all or nothing.

An import runs in two passes. The first checks every row of the sheet (format of each cell, ID number
checksum, references that exist and lie within the actor's scope, duplicates in the file and in the
database) and collects every problem as (row, column, reason). Only a file without a single problem
is written, in one transaction, through the registry services, so that each record gets its own
audit row; one more audit event summarises the file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanqing.core import audit, bulk, excel, sensitive
from guanqing.core.calendar.workdays import business_date
from guanqing.core.context import RequestInfo, reset_request_info, set_request_info
from guanqing.core.excel import RowError, Sheet
from guanqing.core.roles import Role
from guanqing.core.services import require
from guanqing.registry import services
from guanqing.registry.access import access
from guanqing.registry.choices import DivisionLevel
from guanqing.registry.models import Division, Household, Member, PartyOrg, Unit
from guanqing.registry.models_imports import ImportJob, ImportJobStatus, ImportKind
from guanqing.registry.resources import RESOURCES, RegistryResource

logger = logging.getLogger(__name__)

NOT_IN_SCOPE = gettext_lazy("不存在或不在您的权限范围内")
REQUIRED = gettext_lazy("必填项不能为空")

# Who may import (and export) what: whoever may add records of that kind (registry/access.py).
RULE_OF_KIND: dict[str, str] = {
    ImportKind.UNITS: "create_unit",
    ImportKind.MEMBERS: "create_member",
    ImportKind.HOUSEHOLDS: "create_household",
}


def import_kinds_for(user) -> list[str]:
    return [str(kind) for kind, rule in RULE_OF_KIND.items() if access.allows(user, rule)]


export_kinds_for = import_kinds_for


def kind_label(kind: str) -> str:
    return str(ImportKind(kind).label)


@dataclass
class ImportResult:
    """What an import did, or why it wrote nothing."""

    kind: str
    file_name: str
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    # Problems found beyond the first settings.IMPORT_MAX_ERRORS, counted but not listed.
    more_errors: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_total(self) -> int:
        return len(self.errors) + self.more_errors


@dataclass
class RowPlan:
    """One checked row: the record it updates (or None to create) and the service arguments."""

    row: int
    existing: object | None
    data: dict
    id_number: str = ""


Progress = Callable[[int], None] | None


class _Rollback(Exception):
    """Undo a write pass that met a problem the checks did not foresee."""


# ---------------------------------------------------------------------------------------------
# Importers: one per kind
# ---------------------------------------------------------------------------------------------


class Importer:
    kind = ""
    resource_class: type[RegistryResource]
    model = None

    def __init__(self, actor):
        self.actor = actor
        self.resource = self.resource_class()
        self.errors: list[RowError] = []
        self.error_count = 0

    def add_error(self, error: RowError) -> None:
        """Keep the first settings.IMPORT_MAX_ERRORS problems and count the rest: a file of junk
        rows would otherwise make an error list (and a page) of hundreds of megabytes."""
        self.error_count += 1
        if len(self.errors) < settings.IMPORT_MAX_ERRORS:
            self.errors.append(error)

    @property
    def more_errors(self) -> int:
        return self.error_count - len(self.errors)

    # -- first pass ------------------------------------------------------------------------

    def required_names(self) -> set[str]:
        return {name for name, column in self.resource.fields.items() if column.required}

    def header_errors(self, sheet: Sheet) -> list[RowError]:
        present = set(sheet.headers)
        errors = [
            RowError(1, column.column_name, _("缺少必填列"))
            for name, column in self.resource.fields.items()
            if name in self.required_names() and column.column_name not in present
        ]
        errors += [
            RowError(1, header, _("列名重复")) for header in excel.duplicate_headers(sheet.headers)
        ]
        if not errors and not sheet.rows and not sheet.truncated:
            errors.append(RowError(None, "", _("文件中没有数据行")))
        return errors

    def error(self, row: int, field_name: str, reason: str) -> None:
        self.add_error(RowError(row, self.resource.header_of(field_name), reason))

    def clean_cells(self, row: int, record: dict, unreadable: set = frozenset()) -> dict:
        """Each cell through its widget; a bad or missing required cell is an error (an unreadable
        cell has been reported already, and is not reported again as missing)."""
        values = {}
        required = self.required_names()
        for name, column in self.resource.fields.items():
            if (row, column.column_name) in unreadable:
                values[name] = None
                continue
            try:
                value = column.widget.clean(record.get(column.column_name))
            except ValueError as exc:
                self.error(row, name, str(exc))
                values[name] = None
                continue
            if name in required and value in ("", None):
                self.error(row, name, str(REQUIRED))
            values[name] = value
        return values

    def prepare(self, sheet: Sheet) -> None:
        """Load what the checks look up (references, existing records) once for the whole file."""

    def check_row(self, row: int, values: dict) -> RowPlan | None:
        raise NotImplementedError

    def check(self, sheet: Sheet, progress: Progress = None) -> list[RowPlan]:
        for error in self.header_errors(sheet):
            self.add_error(error)
        if self.error_count:
            return []
        self.prepare(sheet)
        unreadable = {(error.row, error.column) for error in sheet.errors}
        for error in sheet.errors:
            self.add_error(error)
        self.error_count += sheet.error_count - len(sheet.errors)
        report = excel.throttled(progress)
        plans = []
        for done, (row, record) in enumerate(sheet.rows, start=1):
            values = self.clean_cells(row, record, unreadable)
            plan = self.check_row(row, values)
            # After the first problem nothing will be written: the plans are not kept.
            if self.error_count:
                plans.clear()
            elif plan is not None:
                plans.append(plan)
            report(done, done == len(sheet.rows))
        return plans

    # -- second pass -----------------------------------------------------------------------

    def create(self, plan: RowPlan):
        raise NotImplementedError

    def update(self, plan: RowPlan):
        raise NotImplementedError

    def write(self, plans: list[RowPlan], progress: Progress = None) -> tuple[int, int, int]:
        """Write every plan; a refused row is recorded and the loop goes on, so all are reported.

        Returns (created, updated, unchanged): a matched record whose cells hold its current values
        is not saved again (the service writes nothing and audits nothing)."""
        created = updated = unchanged = 0
        report = excel.throttled(progress)
        for done, plan in enumerate(plans, start=1):
            try:
                if plan.existing is None:
                    self.create(plan)
                    created += 1
                else:
                    saved = self.update(plan)
                    if saved.updated_at != plan.existing.updated_at:
                        updated += 1
                    else:
                        unchanged += 1
            except ValidationError as exc:
                for name, messages in _message_dict(exc).items():
                    for message in messages:
                        self.error(plan.row, name, message)
            except PermissionDenied as exc:
                self.add_error(RowError(plan.row, "", str(exc) or str(NOT_IN_SCOPE)))
            report(done, done == len(plans))
        return created, updated, unchanged

    # -- shared checks ---------------------------------------------------------------------

    def _existing_by_hash(self, sheet: Sheet) -> None:
        """Records already holding the file's ID numbers, and which of them the actor may change."""
        header = self.resource.header_of("id_number")
        # each number's look-up hash, computed once: the row checks look it up again
        self.hash_of: dict[str, str] = {}
        for _row, record in sheet.rows:
            value = record.get(header)
            if isinstance(value, str | int) and value:
                value = str(value)
                if value not in self.hash_of:
                    self.hash_of[value] = sensitive.lookup_hash(value)
        hashes = set(self.hash_of.values())
        self.existing: dict[str, object] = {}
        self.editable_ids: set[int] = set()
        hashes_list = sorted(hashes)
        for start in range(0, len(hashes_list), 1000):
            chunk = hashes_list[start : start + 1000]
            found = list(self.model.objects.filter(id_number_hash__any_of=chunk))
            for obj in found:
                self.existing[obj.id_number_hash] = obj
            if found:  # which of those this reader may change (none to ask of new numbers)
                self.editable_ids.update(
                    self.model.objects.editable_by(self.actor)
                    .filter(pk__any_of=[obj.pk for obj in found])
                    .values_list("pk", flat=True)
                )
        self.seen_ids: dict[str, int] = {}

    def _match_id_number(self, row: int, number: str):
        """The record to update for this ID number, or None; errors for duplicates."""
        if not number:
            return None
        first = self.seen_ids.get(number)
        if first is not None:
            self.error(row, "id_number", _("与第 %(first)s 行的身份证号码重复") % {"first": first})
            return None
        self.seen_ids[number] = row
        lookup = self.hash_of.get(number) or sensitive.lookup_hash(number)
        existing = self.existing.get(lookup)
        if existing is not None and existing.pk not in self.editable_ids:
            self.error(row, "id_number", services.duplicate_message(self.actor, existing))
            return None
        return existing

    def _communities(self, sheet: Sheet, field_name: str) -> dict[str, Division]:
        header = self.resource.header_of(field_name)
        codes = {str(record.get(header)) for _row, record in sheet.rows if record.get(header)}
        # parent__parent: the name check and the audit record read full_name (区 + 街道 + 社区)
        divisions = Division.objects.filter(code__in=codes).select_related(
            "successor", "parent__parent"
        )
        return {d.code: d for d in divisions}

    def _community(self, row: int, field_name: str, code: str) -> Division | None:
        division = self.communities.get(code)
        if division is None:
            self.error(row, field_name, _("区划代码 %(code)s 不存在") % {"code": code})
            return None
        if division.level != DivisionLevel.COMMUNITY:
            self.error(
                row,
                field_name,
                _("%(code)s（%(division_name)s）不是社区/村一级")
                % {"code": code, "division_name": division.name},
            )
            return None
        if division.valid_until is not None and division.valid_until <= business_date():
            successor = (
                f"，已并入 {division.successor.code}（{division.successor.name}）"
                if division.successor_id
                else ""
            )
            self.error(
                row,
                field_name,
                _("%(code)s（%(division_name)s）已于 %(valid_until)s 撤销%(successor)s")
                % {
                    "code": code,
                    "division_name": division.name,
                    "valid_until": division.valid_until,
                    "successor": successor,
                },
            )
            return None
        return division


def _message_dict(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"": exc.messages}


def _set_if(data: dict, values: dict, *names: str) -> None:
    """Blank cells are left out: a new record gets the default, an existing one keeps its value."""
    for name in names:
        value = values.get(name)
        if value not in ("", None):
            data[name] = value


class UnitImporter(Importer):
    kind = ImportKind.UNITS
    resource_class = RESOURCES["units"]
    model = Unit

    def prepare(self, sheet: Sheet) -> None:
        self.by_name = {u.name: u for u in Unit.objects.editable_by(self.actor)}
        self.seen_names: dict[str, int] = {}

    def check_row(self, row, values):
        name = values.get("name")
        existing = None
        if name:
            first = self.seen_names.get(name)
            if first is not None:
                self.error(row, "name", _("与第 %(first)s 行的单位名称重复") % {"first": first})
            else:
                self.seen_names[name] = row
                existing = self.by_name.get(name)
        data: dict = {}
        _set_if(data, values, "name", "short_name", "credit_code", "address", "sort_order")
        return RowPlan(row=row, existing=existing, data=data)

    def create(self, plan):
        return services.unit_create(actor=self.actor, **plan.data)

    def update(self, plan):
        return services.unit_update(actor=self.actor, unit=plan.existing, **plan.data)


class MemberImporter(Importer):
    kind = ImportKind.MEMBERS
    resource_class = RESOURCES["members"]
    model = Member

    def required_names(self) -> set[str]:
        names = super().required_names()
        if self.actor.role == Role.UNIT_ADMIN:
            # A unit administrator imports into its own unit: the 单位 column may be left out.
            names.discard("unit")
        return names

    def prepare(self, sheet: Sheet) -> None:
        self._existing_by_hash(sheet)
        self.communities = self._communities(sheet, "home_community")
        units = list(Unit.objects.visible_to(self.actor))
        if self.actor.role == Role.UNIT_ADMIN:
            units = [u for u in units if u.pk == self.actor.unit_id]
        self.units_by_name = {u.name: u for u in units}
        self.units_by_short: dict[str, list[Unit]] = {}
        for unit in units:
            if unit.short_name:
                self.units_by_short.setdefault(unit.short_name, []).append(unit)
        self.branches: dict[tuple[int, str], list[PartyOrg]] = {}
        for org in PartyOrg.objects.visible_to(self.actor).filter(unit__in=units):
            self.branches.setdefault((org.unit_id, org.name), []).append(org)

    def _unit(self, row: int, text: str) -> Unit | None:
        unit = self.units_by_name.get(text)
        if unit is None and len(self.units_by_short.get(text, ())) == 1:
            unit = self.units_by_short[text][0]
        if unit is None:
            self.error(row, "unit", _("单位“%(name)s”不存在或不在您的权限范围内") % {"name": text})
        return unit

    def check_row(self, row, values):
        existing = self._match_id_number(row, values.get("id_number") or "")
        data: dict = {}
        _set_if(data, values, "name", "gender", "mobile", "rank", "joined_party", "status")
        joined = values.get("joined_party")
        if joined and joined > business_date():
            self.error(row, "joined_party", _("入党日期不能晚于今天"))

        unit = None
        if values.get("unit"):
            unit = self._unit(row, values["unit"])
            if unit is not None:
                data["unit"] = unit
        elif existing is not None:
            unit = existing.unit
        elif self.actor.role == Role.UNIT_ADMIN:
            unit = self.actor.unit
            data["unit"] = unit

        if values.get("branch") and unit is not None:
            orgs = self.branches.get((unit.pk, values["branch"]), [])
            if len(orgs) == 1:
                data["branch"] = orgs[0]
            elif not orgs:
                self.error(
                    row,
                    "branch",
                    _("“%(unit_name)s”没有名为“%(value)s”的党组织")
                    % {"unit_name": unit.name, "value": values["branch"]},
                )
            else:
                self.error(row, "branch", _("该单位有多个同名党组织，无法确定"))
        elif (
            existing is not None
            and "unit" in data
            and existing.branch_id
            and existing.branch.unit_id != unit.pk
        ):
            # Moving to another unit drops the old unit's branch.
            data["branch"] = None

        if values.get("home_community"):
            community = self._community(row, "home_community", values["home_community"])
            if community is not None:
                data["home_community"] = community
        return RowPlan(row=row, existing=existing, data=data, id_number=values.get("id_number"))

    def create(self, plan):
        return services.member_create(actor=self.actor, id_number=plan.id_number, **plan.data)

    def update(self, plan):
        return services.member_update(actor=self.actor, member=plan.existing, **plan.data)


class HouseholdImporter(Importer):
    kind = ImportKind.HOUSEHOLDS
    resource_class = RESOURCES["households"]
    model = Household

    def prepare(self, sheet: Sheet) -> None:
        self._existing_by_hash(sheet)
        self.communities = self._communities(sheet, "community")

    def check_row(self, row, values):
        existing = self._match_id_number(row, values.get("id_number") or "")
        data: dict = {}
        _set_if(
            data,
            values,
            "head_name",
            "head_gender",
            "phone",
            "address",
            "category",
            "situation",
            "hardship_cause",
            "outlook",
            "skills",
            "needs",
        )
        if values.get("community"):
            community = self._community(row, "community", values["community"])
            if community is not None:
                if (
                    self.actor.role == Role.COMMUNITY_WORKER
                    and community.pk != self.actor.community_id
                ):
                    self.error(
                        row,
                        "community",
                        _("%(code)s（%(community_name)s）不是您所在的社区/村")
                        % {"code": community.code, "community_name": community.name},
                    )
                else:
                    data["community"] = community
                name = values.get("community_name")
                if name and name not in (community.name, community.full_name):
                    self.error(
                        row,
                        "community_name",
                        _("“%(name)s”与代码 %(code)s 对应的“%(community_name)s”不一致")
                        % {"name": name, "code": community.code, "community_name": community.name},
                    )
        return RowPlan(row=row, existing=existing, data=data, id_number=values.get("id_number"))

    def create(self, plan):
        return services.household_create(actor=self.actor, id_number=plan.id_number, **plan.data)

    def update(self, plan):
        return services.household_update(actor=self.actor, household=plan.existing, **plan.data)

    def write(self, plans: list[RowPlan], progress: Progress = None) -> tuple[int, int, int]:
        """New households in bulk (a few statements per thousand rows, with the same checks and
        audit records as one by one), then the matched ones one by one."""
        creates = [plan for plan in plans if plan.existing is None]
        updates = [plan for plan in plans if plan.existing is not None]
        report = excel.throttled(progress, every=1)
        created = 0
        if creates:
            rows = ((plan.row, {"id_number": plan.id_number, **plan.data}) for plan in creates)
            try:
                created = services.households_bulk_create(
                    actor=self.actor, rows=rows, progress=lambda done: report(done)
                )
            except services.RowsInvalid as exc:
                for row, error in exc.rows:
                    for name, messages in _message_dict(error).items():
                        for message in messages:
                            self.error(row, name, message)
            except PermissionDenied as exc:
                self.add_error(RowError(None, "", str(exc) or str(NOT_IN_SCOPE)))
        del creates

        def updated_progress(done: int) -> None:
            if progress is not None:
                progress(len(plans) - len(updates) + done)

        _created, updated, unchanged = super().write(updates, updated_progress)
        return created, updated, unchanged


IMPORTERS: dict[str, type[Importer]] = {
    ImportKind.UNITS: UnitImporter,
    ImportKind.MEMBERS: MemberImporter,
    ImportKind.HOUSEHOLDS: HouseholdImporter,
}


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------


def _require_kind(actor, kind: str) -> None:
    require(kind in import_kinds_for(actor), _("您不能导入此类数据"))


def header_errors(*, actor, kind: str, sheet: Sheet) -> list[RowError]:
    """Problems with the header row alone (checked before a large file is queued)."""
    _require_kind(actor, kind)
    return IMPORTERS[kind](actor).header_errors(sheet)


def import_sheet(
    *,
    actor,
    kind: str,
    sheet: Sheet,
    file_name: str,
    on_checked: Progress = None,
    on_written: Progress = None,
    before_write: Callable[[], None] | None = None,
) -> ImportResult:
    """Check every row; if all are good, write them all in one transaction, else write nothing."""
    _require_kind(actor, kind)
    importer = IMPORTERS[kind](actor)
    result = ImportResult(kind=kind, file_name=file_name, total=len(sheet))
    plans = importer.check(sheet, on_checked)
    if importer.errors:
        result.errors = _sorted(importer.errors)
        result.more_errors = importer.more_errors
        return result
    if before_write is not None:
        before_write()
    try:
        with transaction.atomic():
            result.created, result.updated, result.unchanged = importer.write(plans, on_written)
            if importer.errors:
                raise _Rollback
            audit.record(
                actor=actor,
                action="import",
                object_type=f"registry.{importer.model._meta.model_name}",
                object_repr=file_name,
                changes={
                    "file": [None, file_name],
                    "kind": [None, kind],
                    "rows": [None, len(sheet)],
                    "created": [None, result.created],
                    "updated": [None, result.updated],
                    "unchanged": [None, result.unchanged],
                },
                message=(
                    f"导入{kind_label(kind)}：{file_name}，共 {len(sheet)} 行，"
                    f"新增 {result.created}，更新 {result.updated}，未变化 {result.unchanged}"
                ),
            )
    except _Rollback:
        result.created = result.updated = result.unchanged = 0
        result.errors = _sorted(importer.errors)
        result.more_errors = importer.more_errors
    return result


def _sorted(errors: list[RowError]) -> list[RowError]:
    return sorted(errors, key=lambda e: (e.row or 0,))


def read_upload(fileobj) -> Sheet | None:
    """The uploaded workbook's first sheet, read in the request only as far as an import in the
    request goes; raises excel.SheetError when it is not readable or beyond the limits.

    A file that unpacks to more than settings.IMPORT_BACKGROUND_UNPACKED_BYTES is not parsed here
    at all (None), and one with more rows than settings.IMPORT_BACKGROUND_THRESHOLD is read up to
    that row (a truncated sheet): both are for the background job."""
    if excel.inspect_archive(fileobj) > settings.IMPORT_BACKGROUND_UNPACKED_BYTES:
        return None
    return excel.read_sheet(fileobj, stop_after=settings.IMPORT_BACKGROUND_THRESHOLD)


# ---------------------------------------------------------------------------------------------
# Background jobs
# ---------------------------------------------------------------------------------------------


def is_large(sheet: Sheet | None) -> bool:
    """Whether an upload, as read_upload returned it, goes to the background job."""
    return sheet is None or sheet.truncated or len(sheet) > settings.IMPORT_BACKGROUND_THRESHOLD


MORE_ERRORS = "more"


def stored_errors(result: ImportResult) -> list[dict]:
    """A result's problems as a job keeps them: the listed ones, then one entry that counts the
    rest (it reads as a sentence wherever the list is shown as it is, such as the JSON progress)."""
    errors = [e.as_dict() for e in result.errors]
    if result.more_errors:
        reason = _("以及另外 %(count)s 处错误") % {"count": result.more_errors}
        errors.append(
            {"row": None, "column": "", "reason": reason, MORE_ERRORS: result.more_errors}
        )
    return errors


def job_errors(job: ImportJob) -> tuple[list[dict], int]:
    """A job's listed problems, and how many more it found without listing them."""
    errors = list(job.errors or [])
    if errors and isinstance(errors[-1], dict) and MORE_ERRORS in errors[-1]:
        return errors[:-1], int(errors[-1][MORE_ERRORS])
    return errors, 0


def job_progress_name(job_id: int) -> str:
    return f"import-job-{job_id}"


def import_job_create(*, actor, kind: str, upload, total_rows: int, ip_address=None) -> ImportJob:
    """Store the upload and queue it for the worker."""
    from guanqing.registry.tasks import run_import_job

    _require_kind(actor, kind)
    job = ImportJob(
        kind=kind,
        file_name=(getattr(upload, "name", "") or "import.xlsx")[:200],
        total_rows=total_rows,
        created_by=actor,
        ip_address=ip_address,
    )
    job.file.save(job.file_name, upload, save=False)
    job.save()
    excel.progress_set(job_progress_name(job.pk), phase="queued", checked=0, written=0)
    # Enqueued after the job row is committed, so that the worker always finds it.
    transaction.on_commit(lambda: run_import_job.enqueue(job.pk))
    return job


def _job_set(job: ImportJob, **values) -> None:
    for name, value in values.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(**values)


def import_job_run(*, job_id: int) -> dict:
    """Run a queued job (called by the worker's task): check, write, record the outcome."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.status != ImportJobStatus.QUEUED:
        return {"skipped": True}
    name = job_progress_name(job.pk)
    token = set_request_info(RequestInfo(ip_address=job.ip_address))
    held = bulk.LongLived()
    try:
        _job_set(job, status=ImportJobStatus.VALIDATING, started_at=timezone.now())
        with job.file.open("rb") as handle:
            held.pause()  # no collector's passes over the rows while they are read
            sheet = excel.read_sheet(handle)
        held.hold()  # the rows, kept until the end
        if job.total_rows != len(sheet):
            _job_set(job, total_rows=len(sheet))

        def checked(done):
            held.hold()  # the plans checked so far (at most every half second)
            excel.progress_set(name, phase="validating", checked=done, written=0)

        def writing():
            held.hold()  # and all of the rows' plans
            _job_set(job, status=ImportJobStatus.IMPORTING)
            excel.progress_set(name, phase="importing", checked=len(sheet), written=0)

        def written(done):
            excel.progress_set(name, phase="importing", checked=len(sheet), written=done)

        result = import_sheet(
            actor=job.created_by,
            kind=job.kind,
            sheet=sheet,
            file_name=job.file_name,
            on_checked=checked,
            on_written=written,
            before_write=writing,
        )
        _job_set(
            job,
            status=ImportJobStatus.DONE if result.ok else ImportJobStatus.FAILED,
            created_count=result.created,
            updated_count=result.updated,
            unchanged_count=result.unchanged,
            errors=stored_errors(result),
            finished_at=timezone.now(),
        )
    except excel.SheetError as exc:
        _job_fail(job, str(exc))
    except Exception:
        logger.exception("import job %s failed", job_id)
        _job_fail(job, _("导入时发生内部错误，未写入任何数据，请联系系统管理员"))
    finally:
        held.release()
        reset_request_info(token)
        excel.progress_clear(name)
        _discard_upload(job)
    return {"status": job.status, "created": job.created_count, "updated": job.updated_count}


def _job_fail(job: ImportJob, reason: str) -> None:
    _job_set(
        job,
        status=ImportJobStatus.FAILED,
        errors=[RowError(None, "", reason).as_dict()],
        finished_at=timezone.now(),
    )


def _discard_upload(job: ImportJob) -> None:
    """The uploaded file holds ID numbers in clear: it is not kept once the job has run."""
    if job.file:
        try:
            job.file.delete(save=False)
        except OSError:
            logger.warning("could not delete %s", job.file.name)
        ImportJob.objects.filter(pk=job.pk).update(file="")


# A running job reports progress at least every few seconds; this long without a report means the
# worker stopped (killed, machine restarted). Nothing was written: the write is one transaction.
STALLED_AFTER_SECONDS = 300


def job_progress(job: ImportJob, *, now: float | None = None) -> dict:
    """Status and counts of a job, with the live row counts from the cache while it runs."""
    import time

    live = excel.progress_get(job_progress_name(job.pk)) if not job.is_finished else {}
    listed, more = job_errors(job)
    last_report = live.get("at") or job.created_at.timestamp()
    stalled = not job.is_finished and (now or time.time()) - last_report > STALLED_AFTER_SECONDS
    total = job.total_rows or 0
    checked = total if job.status in (ImportJobStatus.IMPORTING, ImportJobStatus.DONE) else 0
    written = total if job.status == ImportJobStatus.DONE else 0
    checked = live.get("checked", checked)
    written = live.get("written", written)
    if job.status == ImportJobStatus.FAILED:
        percent = 100
    else:
        percent = int(100 * (checked + written) / (2 * total)) if total else 0
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "finished": job.is_finished,
        "total": total,
        "checked": checked,
        "written": written,
        "percent": min(percent, 100),
        "created": job.created_count,
        "updated": job.updated_count,
        "unchanged": job.unchanged_count,
        "error_count": len(listed) + more,
        "stalled": stalled,
    }
