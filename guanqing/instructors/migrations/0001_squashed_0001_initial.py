"""instructors 0001 with its indexes and constraints inside the tables, for new databases (a
database migrated with the old file goes on with it)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [("instructors", "0001_initial")]

    initial = True

    dependencies = [
        ("registry", "0003_bound_free_text"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="InstructorSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "days_per_month",
                    models.PositiveSmallIntegerField(default=20, verbose_name="每月驻村天数要求"),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "农村工作指导员设置",
                "verbose_name_plural": "农村工作指导员设置",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("days_per_month__gte", 1), ("days_per_month__lte", 31)),
                        name="instructor_settings_days_range",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="InstructorTerm",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("starts_on", models.DateField(verbose_name="任期开始")),
                ("ends_on", models.DateField(verbose_name="任期结束")),
                (
                    "required_days",
                    models.PositiveSmallIntegerField(verbose_name="每月驻村天数要求"),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[("appointed", "在任"), ("ended", "已离任")],
                        default="appointed",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="备注")),
                (
                    "end_reason",
                    models.CharField(blank=True, max_length=200, verbose_name="离任说明"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "appointed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="录入人",
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="instructor_terms",
                        to="registry.member",
                        verbose_name="指导员",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="instructor_terms",
                        to="registry.unit",
                        verbose_name="选派单位",
                    ),
                ),
                (
                    "village",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="instructor_terms",
                        to="registry.division",
                        verbose_name="驻村",
                    ),
                ),
            ],
            options={
                "verbose_name": "指导员任期",
                "verbose_name_plural": "指导员任期",
                "ordering": ["-starts_on", "-id"],
                "indexes": [
                    models.Index(fields=["unit", "state"], name="instructors_unit_id_e4efcd_idx")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("ends_on__gte", models.F("starts_on"))),
                        name="instructor_term_ends_after_start",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("required_days__gte", 1), ("required_days__lte", 31)),
                        name="instructor_term_days_range",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("state", "appointed")),
                        fields=("member",),
                        name="instructor_term_one_appointed_per_member",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="WorkLog",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("starts_on", models.DateField(verbose_name="驻村日期")),
                ("ends_on", models.DateField(verbose_name="至")),
                ("days", models.PositiveSmallIntegerField(verbose_name="驻村天数")),
                ("work", models.TextField(max_length=2000, verbose_name="工作内容")),
                (
                    "problems",
                    models.TextField(blank=True, max_length=2000, verbose_name="发现的问题"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
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
                (
                    "term",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="logs",
                        to="instructors.instructorterm",
                        verbose_name="任期",
                    ),
                ),
            ],
            options={
                "verbose_name": "驻村日志",
                "verbose_name_plural": "驻村日志",
                "ordering": ["-starts_on", "-id"],
                "indexes": [
                    models.Index(
                        fields=["term", "starts_on"], name="instructors_term_id_883b0a_idx"
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("ends_on__gte", models.F("starts_on"))),
                        name="instructor_log_ends_after_start",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("days__gte", 1), ("days__lte", 31)),
                        name="instructor_log_days_range",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="RaisedProblem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("problem_id", models.PositiveBigIntegerField(unique=True, verbose_name="难题")),
                ("public_id", models.CharField(max_length=20, verbose_name="难题编号")),
                ("title", models.CharField(max_length=120, verbose_name="标题")),
                ("raised_on", models.DateField(verbose_name="反映日期")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "raised_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="反映人",
                    ),
                ),
                (
                    "term",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="raised_problems",
                        to="instructors.instructorterm",
                        verbose_name="任期",
                    ),
                ),
                (
                    "log",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="raised_problems",
                        to="instructors.worklog",
                        verbose_name="驻村日志",
                    ),
                ),
            ],
            options={
                "verbose_name": "反映的难题",
                "verbose_name_plural": "反映的难题",
                "ordering": ["-raised_on", "-id"],
            },
        ),
    ]
