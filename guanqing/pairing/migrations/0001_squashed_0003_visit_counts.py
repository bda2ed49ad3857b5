"""pairing 0001–0003 in one migration, for new databases (a database migrated with the old files
goes on with them). As 0003 did, after the tables: the counts of the visits already recorded and
the triggers that keep visits and 人次 by day in step (core/counters.py)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from guanqing.core.counters import install
from guanqing.pairing.counts import TRIGGERS

# 0003_visit_counts
BACKFILL = """
INSERT INTO core_daycount (key, day, n)
SELECT 'pairing.visits', date, COUNT(*) FROM pairing_visit GROUP BY date;
INSERT INTO core_daycount (key, day, n)
SELECT 'pairing.visit_person_times', v.date, COUNT(*)
FROM pairing_visit_participants p JOIN pairing_visit v ON v.id = p.visit_id GROUP BY v.date;
"""
UNDO = "DELETE FROM core_daycount WHERE key IN ('pairing.visits', 'pairing.visit_person_times');"


class Migration(migrations.Migration):
    replaces = [
        ("pairing", "0001_initial"),
        ("pairing", "0002_bound_free_text"),
        ("pairing", "0003_visit_counts"),
    ]

    initial = True

    dependencies = [
        ("core", "0006_daycount"),
        ("registry", "0002_importjob"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ComplianceSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "quarterly_talk_minimum",
                    models.PositiveSmallIntegerField(default=1, verbose_name="每季度至少谈心次数"),
                ),
                (
                    "new_year_window_start_month",
                    models.PositiveSmallIntegerField(default=1, verbose_name="元旦春节走访开始月"),
                ),
                (
                    "new_year_window_start_day",
                    models.PositiveSmallIntegerField(default=1, verbose_name="元旦春节走访开始日"),
                ),
                (
                    "new_year_window_ends_at_lantern",
                    models.BooleanField(
                        default=True,
                        help_text="否则在下面的固定月日结束",
                        verbose_name="至正月十五结束",
                    ),
                ),
                (
                    "new_year_window_end_month",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="元旦春节走访结束月"
                    ),
                ),
                (
                    "new_year_window_end_day",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="元旦春节走访结束日"
                    ),
                ),
                (
                    "july_window_start_month",
                    models.PositiveSmallIntegerField(default=6, verbose_name="七一走访开始月"),
                ),
                (
                    "july_window_start_day",
                    models.PositiveSmallIntegerField(default=1, verbose_name="七一走访开始日"),
                ),
                (
                    "july_window_end_month",
                    models.PositiveSmallIntegerField(default=7, verbose_name="七一走访结束月"),
                ),
                (
                    "july_window_end_day",
                    models.PositiveSmallIntegerField(default=1, verbose_name="七一走访结束日"),
                ),
                (
                    "grace_days",
                    models.PositiveSmallIntegerField(
                        default=30,
                        help_text="季度最后若干天内新结对的，本季度不计",
                        verbose_name="季度末宽限天数",
                    ),
                ),
                (
                    "due_soon_days",
                    models.PositiveSmallIntegerField(default=14, verbose_name="临期提醒天数"),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "走访考核设置",
                "verbose_name_plural": "走访考核设置",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("new_year_window_ends_at_lantern", True),
                            models.Q(
                                ("new_year_window_end_month__isnull", False),
                                ("new_year_window_end_day__isnull", False),
                            ),
                            _connector="OR",
                        ),
                        name="compliance_new_year_end_is_set",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("quarterly_talk_minimum__gte", 1)),
                        name="compliance_minimum_at_least_one",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Pairing",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("started_on", models.DateField(verbose_name="结对日期")),
                ("ended_on", models.DateField(blank=True, null=True, verbose_name="结束日期")),
                (
                    "end_reason",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("lifted", "脱困"),
                            ("moved", "迁出"),
                            ("deceased", "去世"),
                            ("other", "其他"),
                        ],
                        max_length=10,
                        verbose_name="结束原因",
                    ),
                ),
                ("end_note", models.CharField(blank=True, max_length=200, verbose_name="结束说明")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "household",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="pairings",
                        to="registry.household",
                        verbose_name="困难家庭",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="pairings",
                        to="registry.unit",
                        verbose_name="责任单位",
                    ),
                ),
            ],
            options={
                "verbose_name": "结对",
                "verbose_name_plural": "结对",
                "ordering": ["-started_on", "-id"],
                "indexes": [
                    models.Index(fields=["unit", "ended_on"], name="pairing_pai_unit_id_d3c2ac_idx")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("ended_on__isnull", True),
                            ("ended_on__gte", models.F("started_on")),
                            _connector="OR",
                        ),
                        name="pairing_ends_after_start",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("ended_on__isnull", True), ("end_reason", "")),
                            models.Q(
                                ("ended_on__isnull", False),
                                models.Q(("end_reason", ""), _negated=True),
                            ),
                            _connector="OR",
                        ),
                        name="pairing_end_reason_with_end_date",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("ended_on__isnull", True)),
                        fields=("household", "unit"),
                        name="pairing_one_active_per_household_and_unit",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="PairingTerm",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("starts_on", models.DateField(verbose_name="开始日期")),
                ("ends_on", models.DateField(blank=True, null=True, verbose_name="结束日期")),
                ("reason", models.CharField(blank=True, max_length=200, verbose_name="交接原因")),
                (
                    "member",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="pairing_terms",
                        to="registry.member",
                        verbose_name="结对党员",
                    ),
                ),
                (
                    "pairing",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="terms",
                        to="pairing.pairing",
                        verbose_name="结对",
                    ),
                ),
            ],
            options={
                "verbose_name": "结对任期",
                "verbose_name_plural": "结对任期",
                "ordering": ["pairing_id", "starts_on"],
                "indexes": [
                    models.Index(
                        fields=["member", "ends_on"], name="pairing_pai_member__02c9de_idx"
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("ends_on__isnull", True),
                            ("ends_on__gte", models.F("starts_on")),
                            _connector="OR",
                        ),
                        name="pairing_term_ends_after_start",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("ends_on__isnull", True)),
                        fields=("pairing",),
                        name="pairing_term_one_open_per_pairing",
                    ),
                    models.UniqueConstraint(
                        fields=("pairing", "starts_on"), name="pairing_term_unique_start"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Partnership",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("started_on", models.DateField(verbose_name="结对日期")),
                ("ended_on", models.DateField(blank=True, null=True, verbose_name="结束日期")),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="备注")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "unit_org",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="village_partnerships",
                        to="registry.partyorg",
                        verbose_name="机关党组织",
                    ),
                ),
                (
                    "village_org",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="unit_partnerships",
                        to="registry.partyorg",
                        verbose_name="村级党组织",
                    ),
                ),
            ],
            options={
                "verbose_name": "结对共建",
                "verbose_name_plural": "结对共建",
                "ordering": ["-started_on", "-id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("ended_on__isnull", True),
                            ("ended_on__gte", models.F("started_on")),
                            _connector="OR",
                        ),
                        name="partnership_ends_after_start",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("ended_on__isnull", True)),
                        fields=("unit_org", "village_org"),
                        name="partnership_one_active_per_pair",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="PartnershipProject",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("infrastructure", "基础设施"),
                            ("medical", "医疗卫生"),
                            ("legal", "法律服务"),
                            ("technology", "科技"),
                            ("culture", "文化"),
                            ("agriculture", "农业"),
                            ("other", "其他"),
                        ],
                        max_length=16,
                        verbose_name="类别",
                    ),
                ),
                ("title", models.CharField(max_length=120, verbose_name="项目名称")),
                (
                    "funds",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=14, verbose_name="资金（元）"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("planned", "计划中"), ("underway", "实施中"), ("done", "已完成")],
                        default="planned",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                ("started_on", models.DateField(blank=True, null=True, verbose_name="开始日期")),
                ("finished_on", models.DateField(blank=True, null=True, verbose_name="完成日期")),
                ("note", models.TextField(blank=True, max_length=2000, verbose_name="说明")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "partnership",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="projects",
                        to="pairing.partnership",
                        verbose_name="结对共建",
                    ),
                ),
            ],
            options={
                "verbose_name": "共建项目",
                "verbose_name_plural": "共建项目",
                "ordering": ["partnership_id", "id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("funds__gte", 0)), name="project_funds_not_negative"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("finished_on__isnull", True),
                            ("started_on__isnull", True),
                            ("finished_on__gte", models.F("started_on")),
                            _connector="OR",
                        ),
                        name="project_finishes_after_start",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("finished_on__isnull", True), ("status", "done"), _connector="OR"
                        ),
                        name="project_finished_only_when_done",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Visit",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField(verbose_name="走访日期")),
                ("talk", models.BooleanField(default=False, verbose_name="谈")),
                ("brief", models.BooleanField(default=False, verbose_name="讲")),
                ("festival", models.BooleanField(default=False, verbose_name="访")),
                ("help", models.BooleanField(default=False, verbose_name="帮")),
                ("support", models.BooleanField(default=False, verbose_name="扶")),
                ("notes", models.TextField(blank=True, max_length=2000, verbose_name="走访记录")),
                (
                    "cash_amount",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=14, verbose_name="慰问金（元）"
                    ),
                ),
                (
                    "in_kind_items",
                    models.CharField(blank=True, max_length=300, verbose_name="慰问物品"),
                ),
                (
                    "in_kind_value",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=14, verbose_name="物品折价（元）"
                    ),
                ),
                (
                    "support_kind",
                    models.CharField(
                        choices=[
                            ("none", "无"),
                            ("employment", "就业帮扶"),
                            ("business", "创业帮扶"),
                            ("other", "其他"),
                        ],
                        default="none",
                        max_length=12,
                        verbose_name="扶持方式",
                    ),
                ),
                (
                    "support_note",
                    models.CharField(blank=True, max_length=300, verbose_name="扶持说明"),
                ),
                ("recorded_at", models.DateTimeField(auto_now_add=True, verbose_name="记录时间")),
                (
                    "pairing",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="visits",
                        to="pairing.pairing",
                        verbose_name="结对",
                    ),
                ),
                (
                    "participants",
                    models.ManyToManyField(
                        related_name="visits", to="registry.member", verbose_name="参加党员"
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="记录人",
                    ),
                ),
            ],
            options={
                "verbose_name": "走访",
                "verbose_name_plural": "走访",
                "ordering": ["-date", "-id"],
                "indexes": [
                    models.Index(fields=["pairing", "date"], name="pairing_vis_pairing_da5ad8_idx"),
                    models.Index(fields=["date"], name="pairing_vis_date_ca63fb_idx"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("talk", True),
                            ("brief", True),
                            ("festival", True),
                            ("help", True),
                            ("support", True),
                            _connector="OR",
                        ),
                        name="visit_has_a_kind",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("cash_amount__gte", 0)), name="visit_cash_not_negative"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("in_kind_value__gte", 0)),
                        name="visit_in_kind_not_negative",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="VisitPhoto",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        max_length=200, upload_to="visits/%Y/%m/", verbose_name="照片"
                    ),
                ),
                ("content_type", models.CharField(max_length=20, verbose_name="类型")),
                ("size", models.PositiveIntegerField(verbose_name="大小（字节）")),
                (
                    "original_name",
                    models.CharField(blank=True, max_length=200, verbose_name="原文件名"),
                ),
                ("uploaded_at", models.DateTimeField(auto_now_add=True)),
                (
                    "visit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="photos",
                        to="pairing.visit",
                        verbose_name="走访",
                    ),
                ),
            ],
            options={
                "verbose_name": "走访照片",
                "verbose_name_plural": "走访照片",
                "ordering": ["visit_id", "id"],
            },
        ),
        migrations.RunSQL(BACKFILL, UNDO),
        install(TRIGGERS),
    ]
