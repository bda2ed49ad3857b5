"""training 0001–0002 in one migration, for new databases (a database migrated with the old
files goes on with them). One attendance-code secret per session (0002) is set after the tables."""

import datetime
from decimal import Decimal

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import guanqing.training.models

# 0002_attendance


def secret_per_session(apps, schema_editor):
    # the column's default was computed once for the rows already there: one secret each instead
    Session = apps.get_model("training", "Session")
    for session in Session.objects.only("pk"):
        session.code_secret = guanqing.training.models.new_code_secret()
        session.save(update_fields=["code_secret"])


class Migration(migrations.Migration):
    replaces = [("training", "0001_initial"), ("training", "0002_attendance")]

    initial = True

    dependencies = [
        ("registry", "0003_bound_free_text"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Plan",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "year",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(2000),
                            django.core.validators.MaxValueValidator(2100),
                        ],
                        verbose_name="年度",
                    ),
                ),
                ("title", models.CharField(max_length=100, verbose_name="名称")),
                ("venue", models.CharField(blank=True, max_length=100, verbose_name="地点")),
                (
                    "sessions_count",
                    models.PositiveSmallIntegerField(
                        default=13,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(60),
                        ],
                        verbose_name="期数",
                    ),
                ),
                (
                    "classes_per_session",
                    models.PositiveSmallIntegerField(
                        default=2,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(40),
                        ],
                        verbose_name="每期班数",
                    ),
                ),
                (
                    "days_per_session",
                    models.PositiveSmallIntegerField(
                        default=2,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(10),
                        ],
                        verbose_name="每期天数",
                    ),
                ),
                (
                    "class_capacity",
                    models.PositiveSmallIntegerField(
                        default=120,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(1000),
                        ],
                        verbose_name="每班人数上限",
                    ),
                ),
                (
                    "allow_makeup_saturdays",
                    models.BooleanField(default=False, verbose_name="可安排在调休上班的周六"),
                ),
                (
                    "unit_share",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("0.30"),
                        max_digits=3,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0.01")),
                            django.core.validators.MaxValueValidator(Decimal("1.00")),
                        ],
                        verbose_name="单位每期参训比例上限",
                    ),
                ),
                (
                    "required_ranks",
                    models.JSONField(
                        default=guanqing.training.models.default_ranks, verbose_name="须参训职级"
                    ),
                ),
                ("first_date", models.DateField(verbose_name="最早开班日期")),
                ("last_date", models.DateField(verbose_name="最晚结束日期")),
                (
                    "state",
                    models.CharField(
                        choices=[("draft", "草稿"), ("scheduled", "已排期"), ("closed", "已结束")],
                        default="draft",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                (
                    "time_limit_seconds",
                    models.PositiveSmallIntegerField(
                        default=30,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(600),
                        ],
                        verbose_name="求解时限（秒）",
                    ),
                ),
                (
                    "weights",
                    models.JSONField(
                        default=guanqing.training.models.default_weights, verbose_name="软约束权重"
                    ),
                ),
                (
                    "solve_status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "未求解"),
                            ("OPTIMAL", "最优"),
                            ("FEASIBLE", "可行"),
                            ("INFEASIBLE", "无解"),
                            ("UNKNOWN", "未知"),
                        ],
                        default="",
                        max_length=10,
                        verbose_name="求解状态",
                    ),
                ),
                (
                    "solve_gap",
                    models.FloatField(blank=True, null=True, verbose_name="最优性差距（%）"),
                ),
                (
                    "solve_seconds",
                    models.FloatField(blank=True, null=True, verbose_name="求解用时（秒）"),
                ),
                (
                    "solve_objective",
                    models.FloatField(blank=True, null=True, verbose_name="目标值"),
                ),
                (
                    "solve_reasons",
                    models.JSONField(blank=True, default=list, verbose_name="无解原因"),
                ),
                ("solved_at", models.DateTimeField(blank=True, null=True, verbose_name="求解时间")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="创建人",
                    ),
                ),
            ],
            options={
                "verbose_name": "轮训计划",
                "verbose_name_plural": "轮训计划",
                "ordering": ["-year", "-id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("last_date__gte", models.F("first_date"))),
                        name="training_plan_dates",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Participant",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "leader_role",
                    models.CharField(
                        choices=[("principal", "正职"), ("deputy", "副职"), ("other", "其他")],
                        default="other",
                        max_length=10,
                        verbose_name="单位职务",
                    ),
                ),
                (
                    "inclusion",
                    models.CharField(
                        choices=[("rank", "按职级"), ("added", "增列")],
                        default="rank",
                        max_length=10,
                        verbose_name="列入方式",
                    ),
                ),
                (
                    "added_reason",
                    models.CharField(blank=True, max_length=200, verbose_name="增列理由"),
                ),
                ("exempt", models.BooleanField(default=False, verbose_name="免训")),
                (
                    "exempt_reason",
                    models.CharField(blank=True, max_length=200, verbose_name="免训理由"),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="training_participations",
                        to="registry.member",
                        verbose_name="党员",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="training_participants",
                        to="registry.unit",
                        verbose_name="单位",
                    ),
                ),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="participants",
                        to="training.plan",
                        verbose_name="轮训计划",
                    ),
                ),
            ],
            options={
                "verbose_name": "参训干部",
                "verbose_name_plural": "参训干部",
                "ordering": ["plan", "unit", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("plan", "member"), name="training_participant_once"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="AssignmentMove",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("from_session", models.PositiveSmallIntegerField(verbose_name="原期次")),
                ("from_class", models.PositiveSmallIntegerField(verbose_name="原班次")),
                ("to_session", models.PositiveSmallIntegerField(verbose_name="新期次")),
                ("to_class", models.PositiveSmallIntegerField(verbose_name="新班次")),
                ("moved_at", models.DateTimeField(auto_now_add=True, verbose_name="调整时间")),
                (
                    "moved_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="调整人",
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="moves",
                        to="training.participant",
                        verbose_name="参训干部",
                    ),
                ),
                (
                    "swap_with",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="training.participant",
                        verbose_name="对调对象",
                    ),
                ),
            ],
            options={
                "verbose_name": "调整记录",
                "verbose_name_plural": "调整记录",
                "ordering": ["-moved_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="Preference",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("months", models.JSONField(default=list, verbose_name="希望参训月份")),
                (
                    "participant",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="preference",
                        to="training.participant",
                        verbose_name="参训干部",
                    ),
                ),
            ],
            options={
                "verbose_name": "参训意向",
                "verbose_name_plural": "参训意向",
            },
        ),
        migrations.CreateModel(
            name="Session",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveSmallIntegerField(verbose_name="期次")),
                ("start_date", models.DateField(verbose_name="开班日期")),
                ("days", models.JSONField(default=list, verbose_name="培训日期")),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sessions",
                        to="training.plan",
                        verbose_name="轮训计划",
                    ),
                ),
                (
                    "code_secret",
                    models.CharField(
                        default=guanqing.training.models.new_code_secret,
                        editable=False,
                        max_length=64,
                    ),
                ),
            ],
            options={
                "verbose_name": "期次",
                "verbose_name_plural": "期次",
                "ordering": ["plan", "number"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("plan", "number"), name="training_session_number"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Assignment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("class_number", models.PositiveSmallIntegerField(verbose_name="班次")),
                ("fixed", models.BooleanField(default=False, verbose_name="人工调整")),
                (
                    "attended_days",
                    models.PositiveSmallIntegerField(default=0, verbose_name="已出勤天数"),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "participant",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="assignment",
                        to="training.participant",
                        verbose_name="参训干部",
                    ),
                ),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assignments",
                        to="training.session",
                        verbose_name="期次",
                    ),
                ),
            ],
            options={
                "verbose_name": "参训安排",
                "verbose_name_plural": "参训安排",
                "ordering": ["session", "class_number", "participant"],
                "indexes": [
                    models.Index(
                        fields=["session", "class_number"], name="training_as_session_51b5cb_idx"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Unavailability",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("start", models.DateField(verbose_name="起始日期")),
                ("end", models.DateField(verbose_name="结束日期")),
                ("reason", models.CharField(max_length=200, verbose_name="原因")),
                (
                    "source",
                    models.CharField(
                        choices=[("unit", "单位录入"), ("member", "本人录入")],
                        default="unit",
                        max_length=10,
                        verbose_name="来源",
                    ),
                ),
                ("recorded_at", models.DateTimeField(auto_now_add=True)),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="unavailabilities",
                        to="training.participant",
                        verbose_name="参训干部",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="录入人",
                    ),
                ),
            ],
            options={
                "verbose_name": "无法参训日期",
                "verbose_name_plural": "无法参训日期",
                "ordering": ["participant", "start"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("end__gte", models.F("start"))),
                        name="training_unavailability_order",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("start__gte", datetime.date(2000, 1, 1))),
                        name="training_unavailability_since_2000",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="MakeUp",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("from_class", models.PositiveSmallIntegerField(verbose_name="原班次")),
                ("to_class", models.PositiveSmallIntegerField(verbose_name="补训班次")),
                ("reason", models.CharField(max_length=200, verbose_name="补训原因")),
                ("assigned_at", models.DateTimeField(auto_now_add=True, verbose_name="安排时间")),
                (
                    "assigned_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="安排人",
                    ),
                ),
                (
                    "from_session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="makeups_out",
                        to="training.session",
                        verbose_name="原期次",
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="makeups",
                        to="training.participant",
                        verbose_name="参训干部",
                    ),
                ),
                (
                    "to_session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="makeups_in",
                        to="training.session",
                        verbose_name="补训期次",
                    ),
                ),
            ],
            options={
                "verbose_name": "补训安排",
                "verbose_name_plural": "补训安排",
                "ordering": ["-assigned_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="Attendance",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("class_number", models.PositiveSmallIntegerField(verbose_name="班次")),
                ("day", models.DateField(verbose_name="培训日期")),
                ("day_number", models.PositiveSmallIntegerField(verbose_name="第几天")),
                (
                    "status",
                    models.CharField(
                        choices=[("present", "出勤"), ("absent", "缺勤"), ("excused", "请假")],
                        max_length=10,
                        verbose_name="出勤情况",
                    ),
                ),
                (
                    "method",
                    models.CharField(
                        choices=[("code", "签到码"), ("list", "组织者登记")],
                        max_length=10,
                        verbose_name="登记方式",
                    ),
                ),
                ("recorded_at", models.DateTimeField(auto_now=True, verbose_name="登记时间")),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attendances",
                        to="training.participant",
                        verbose_name="参训干部",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="登记人",
                    ),
                ),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attendances",
                        to="training.session",
                        verbose_name="期次",
                    ),
                ),
            ],
            options={
                "verbose_name": "出勤记录",
                "verbose_name_plural": "出勤记录",
                "ordering": ["session", "day", "class_number", "participant"],
                "indexes": [
                    models.Index(fields=["session", "day"], name="training_at_session_c3afb6_idx")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("participant", "day"), name="training_attendance_once"
                    )
                ],
            },
        ),
        migrations.RunPython(secret_per_session, migrations.RunPython.noop),
    ]
