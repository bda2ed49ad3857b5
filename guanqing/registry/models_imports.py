"""A large Excel import that runs in the background (guanqing worker) and reports its progress."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ImportKind(models.TextChoices):
    UNITS = "units", pgettext_lazy("import kind", "单位")
    MEMBERS = "members", pgettext_lazy("import kind", "党员")
    HOUSEHOLDS = "households", _("困难家庭")


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    VALIDATING = "validating", _("检查中")
    IMPORTING = "importing", _("写入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("未导入")


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user) -> ImportJobQuerySet:
        """A job is seen by the account that uploaded it, and by the committee."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.role == "committee":
            return self
        return self.filter(created_by=user)


class ImportJob(models.Model):
    """One uploaded xlsx file imported in the background, with its outcome."""

    kind = models.CharField(_("导入内容"), max_length=20, choices=ImportKind.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED
    )
    # The upload is deleted once the job has run: it holds ID numbers in clear.
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/", blank=True)
    file_name = models.CharField(_("文件名"), max_length=200)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变化"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="import_jobs",
    )
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportJobStatus.DONE, ImportJobStatus.FAILED)
