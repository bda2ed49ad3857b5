"""pledges 0001–0002 in one migration, for new databases (a database migrated with the old files
goes on with them)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [("pledges", "0001_initial"), ("pledges", "0002_metric_key_length")]

    initial = True

    dependencies = [
        ("registry", "0003_bound_free_text"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Pledge",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="年度")),
                ("number", models.PositiveSmallIntegerField(verbose_name="序号")),
                ("title", models.CharField(max_length=80, verbose_name="实事名称")),
                ("promise", models.TextField(max_length=2000, verbose_name="承诺内容")),
                (
                    "target_kind",
                    models.CharField(
                        choices=[("manual", "按月报送"), ("live", "系统实时统计")],
                        default="manual",
                        max_length=10,
                        verbose_name="目标类型",
                    ),
                ),
                ("metric", models.CharField(blank=True, max_length=64, verbose_name="实时指标")),
                ("target_value", models.PositiveIntegerField(verbose_name="目标值")),
                (
                    "target_unit",
                    models.CharField(blank=True, max_length=10, verbose_name="计量单位"),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[("draft", "草稿"), ("published", "已公布"), ("closed", "已结项")],
                        default="draft",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                ("published_on", models.DateField(blank=True, null=True, verbose_name="公布日期")),
                ("closed_on", models.DateField(blank=True, null=True, verbose_name="结项日期")),
                (
                    "self_assessment",
                    models.TextField(blank=True, max_length=2000, verbose_name="牵头单位自评"),
                ),
                ("assessed_on", models.DateField(blank=True, null=True, verbose_name="自评日期")),
                (
                    "rating",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("excellent", "优秀"),
                            ("good", "良好"),
                            ("fair", "一般"),
                            ("poor", "较差"),
                        ],
                        max_length=10,
                        verbose_name="机关工委评定",
                    ),
                ),
                (
                    "rating_note",
                    models.CharField(blank=True, max_length=500, verbose_name="评定意见"),
                ),
                ("rating_published", models.BooleanField(default=False, verbose_name="评定已公开")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "lead_units",
                    models.ManyToManyField(
                        related_name="pledges", to="registry.unit", verbose_name="牵头单位"
                    ),
                ),
            ],
            options={
                "verbose_name": "实事",
                "verbose_name_plural": "实事",
                "ordering": ["-year", "number"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("year", "number"), name="pledge_year_number_once"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("number__gte", 1), ("number__lte", 10)),
                        name="pledge_number_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("target_value__gte", 1)), name="pledge_target_positive"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("target_kind", "live"), _negated=True),
                            models.Q(("metric", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="pledge_live_has_metric",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Milestone",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=80, verbose_name="节点")),
                ("due_on", models.DateField(verbose_name="计划完成日期")),
                ("done_on", models.DateField(blank=True, null=True, verbose_name="完成日期")),
                (
                    "evidence_note",
                    models.CharField(blank=True, max_length=500, verbose_name="完成情况"),
                ),
                ("reminded_on", models.DateField(blank=True, null=True, verbose_name="提醒日期")),
                (
                    "pledge",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="milestones",
                        to="pledges.pledge",
                        verbose_name="实事",
                    ),
                ),
            ],
            options={
                "verbose_name": "节点",
                "verbose_name_plural": "节点",
                "ordering": ["due_on", "id"],
                "indexes": [
                    models.Index(
                        fields=["done_on", "due_on"], name="pledges_mil_done_on_1a0eb2_idx"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ProgressReport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField(verbose_name="月份")),
                (
                    "value",
                    models.PositiveIntegerField(blank=True, null=True, verbose_name="本月完成量"),
                ),
                ("text", models.TextField(max_length=2000, verbose_name="进展情况")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="报送时间")),
                (
                    "pledge",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reports",
                        to="pledges.pledge",
                        verbose_name="实事",
                    ),
                ),
                (
                    "submitted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="报送人",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="pledge_reports",
                        to="registry.unit",
                        verbose_name="牵头单位",
                    ),
                ),
            ],
            options={
                "verbose_name": "月度进展",
                "verbose_name_plural": "月度进展",
                "ordering": ["-month", "unit_id", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("pledge", "unit", "month"), name="pledge_report_once_a_month"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("month__day", 1)), name="pledge_report_month_first"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ReportAttachment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("file", models.FileField(upload_to="pledges/%Y/%m/")),
                ("content_type", models.CharField(max_length=40)),
                ("size", models.PositiveIntegerField()),
                ("original_name", models.CharField(blank=True, max_length=200)),
                ("uploaded_at", models.DateTimeField(auto_now_add=True)),
                (
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attachments",
                        to="pledges.progressreport",
                    ),
                ),
            ],
            options={
                "verbose_name": "佐证材料",
                "verbose_name_plural": "佐证材料",
                "ordering": ["id"],
            },
        ),
    ]
