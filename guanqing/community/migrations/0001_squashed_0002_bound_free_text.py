"""community 0001–0002 in one migration, for new databases (a database migrated with the old files
goes on with them)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [("community", "0001_initial"), ("community", "0002_bound_free_text")]

    initial = True

    dependencies = [
        ("registry", "0002_importjob"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Activity",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=100, verbose_name="活动名称")),
                (
                    "description",
                    models.TextField(blank=True, max_length=2000, verbose_name="活动内容"),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("all", "全体党员"),
                            ("safety", "维稳安全员"),
                            ("policy", "政策法规宣传员"),
                            ("development", "社区发展参议员"),
                            ("civility", "文明建设示范员"),
                            ("welfare", "公益事业促进员"),
                            ("warmth", "爱心温暖输送员"),
                        ],
                        default="all",
                        max_length=12,
                        verbose_name="面向岗位",
                    ),
                ),
                ("starts_at", models.DateTimeField(verbose_name="开始时间")),
                ("ends_at", models.DateTimeField(verbose_name="结束时间")),
                ("place", models.CharField(max_length=200, verbose_name="地点")),
                ("places", models.PositiveIntegerField(verbose_name="名额")),
                (
                    "signed_up",
                    models.PositiveIntegerField(default=0, editable=False, verbose_name="已报名"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("published", "已发布"), ("cancelled", "已取消")],
                        default="published",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                (
                    "cancel_reason",
                    models.CharField(blank=True, max_length=200, verbose_name="取消原因"),
                ),
                (
                    "cancelled_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="取消时间"),
                ),
                ("code_secret", models.CharField(editable=False, max_length=64)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "community",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="member_activities",
                        to="registry.division",
                        verbose_name="社区",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="发布人",
                    ),
                ),
            ],
            options={
                "verbose_name": "社区活动",
                "verbose_name_plural": "社区活动",
                "ordering": ["-starts_at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["community", "starts_at"], name="community_a_communi_d10d70_idx"
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("ends_at__gt", models.F("starts_at"))),
                        name="activity_ends_after_start",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("places__gte", 1)), name="activity_at_least_one_place"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("signed_up__gte", 0), ("signed_up__lte", models.F("places"))
                        ),
                        name="activity_never_overbooked",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "cancelled"), ("cancelled_at__isnull", False)),
                            models.Q(
                                models.Q(("status", "cancelled"), _negated=True),
                                ("cancelled_at__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="activity_cancelled_at_when_cancelled",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ActivitySignup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("signed_up", "已报名"), ("cancelled", "已取消")],
                        default="signed_up",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                ("signed_up_at", models.DateTimeField(verbose_name="报名时间")),
                (
                    "cancelled_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="取消时间"),
                ),
                (
                    "activity",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="signups",
                        to="community.activity",
                        verbose_name="活动",
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="activity_signups",
                        to="registry.member",
                        verbose_name="党员",
                    ),
                ),
            ],
            options={
                "verbose_name": "活动报名",
                "verbose_name_plural": "活动报名",
                "ordering": ["activity_id", "signed_up_at", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("activity", "member"), name="signup_one_per_member_and_activity"
                    )
                ],
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
                ("checked_in_at", models.DateTimeField(verbose_name="签到时间")),
                (
                    "checked_out_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="签退时间"),
                ),
                (
                    "hours",
                    models.DecimalField(
                        blank=True,
                        decimal_places=1,
                        max_digits=5,
                        null=True,
                        verbose_name="签到时长（小时）",
                    ),
                ),
                (
                    "activity",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="attendances",
                        to="community.activity",
                        verbose_name="活动",
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="activity_attendances",
                        to="registry.member",
                        verbose_name="党员",
                    ),
                ),
            ],
            options={
                "verbose_name": "签到记录",
                "verbose_name_plural": "签到记录",
                "ordering": ["activity_id", "checked_in_at", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("activity", "member"), name="attendance_one_per_member_and_activity"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("checked_out_at__isnull", True),
                            ("checked_out_at__gte", models.F("checked_in_at")),
                            _connector="OR",
                        ),
                        name="attendance_out_after_in",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("checked_out_at__isnull", True), ("hours__isnull", True)),
                            models.Q(("checked_out_at__isnull", False), ("hours__gte", 0)),
                            _connector="OR",
                        ),
                        name="attendance_hours_at_check_out",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ManualHours",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "hours",
                    models.DecimalField(
                        decimal_places=1, max_digits=5, verbose_name="补录时长（小时）"
                    ),
                ),
                ("reason", models.CharField(max_length=200, verbose_name="补录原因")),
                ("added_at", models.DateTimeField(auto_now_add=True, verbose_name="补录时间")),
                (
                    "activity",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="manual_hours",
                        to="community.activity",
                        verbose_name="活动",
                    ),
                ),
                (
                    "added_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="补录人",
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="manual_hours",
                        to="registry.member",
                        verbose_name="党员",
                    ),
                ),
            ],
            options={
                "verbose_name": "补录时长",
                "verbose_name_plural": "补录时长",
                "ordering": ["activity_id", "added_at", "id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("hours__gt", 0)), name="manual_hours_positive"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("reason", ""), _negated=True),
                        name="manual_hours_have_reason",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Rating",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="年度")),
                (
                    "half",
                    models.PositiveSmallIntegerField(
                        choices=[(1, "上半年"), (2, "下半年")], verbose_name="半年"
                    ),
                ),
                (
                    "grade",
                    models.CharField(
                        choices=[
                            ("excellent", "优秀"),
                            ("competent", "称职"),
                            ("basic", "基本称职"),
                            ("incompetent", "不称职"),
                        ],
                        max_length=12,
                        verbose_name="评价等次",
                    ),
                ),
                ("comment", models.CharField(blank=True, max_length=500, verbose_name="评语")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="评价时间")),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "community",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="member_ratings",
                        to="registry.division",
                        verbose_name="社区",
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="community_ratings",
                        to="registry.member",
                        verbose_name="党员",
                    ),
                ),
                (
                    "rated_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="评价人",
                    ),
                ),
            ],
            options={
                "verbose_name": "社区评价",
                "verbose_name_plural": "社区评价",
                "ordering": ["-year", "-half", "community_id", "member_id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("member", "year", "half", "community"),
                        name="rating_one_per_member_term_and_community",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("half__in", [1, 2])), name="rating_half_1_or_2"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Registration",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="年度")),
                (
                    "half",
                    models.PositiveSmallIntegerField(
                        choices=[(1, "上半年"), (2, "下半年")], verbose_name="半年"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("safety", "维稳安全员"),
                            ("policy", "政策法规宣传员"),
                            ("development", "社区发展参议员"),
                            ("civility", "文明建设示范员"),
                            ("welfare", "公益事业促进员"),
                            ("warmth", "爱心温暖输送员"),
                        ],
                        max_length=12,
                        verbose_name="六员岗位",
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="服务意向")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "待确认"),
                            ("confirmed", "已确认"),
                            ("rejected", "未通过"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="确认时间"),
                ),
                (
                    "reject_reason",
                    models.CharField(blank=True, max_length=200, verbose_name="不通过原因"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="报到时间")),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "community",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="member_registrations",
                        to="registry.division",
                        verbose_name="报到社区",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="确认人",
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="community_registrations",
                        to="registry.member",
                        verbose_name="党员",
                    ),
                ),
            ],
            options={
                "verbose_name": "进社区报到",
                "verbose_name_plural": "进社区报到",
                "ordering": ["-year", "-half", "community_id", "id"],
                "indexes": [
                    models.Index(
                        fields=["year", "half", "status"], name="community_r_year_3864fa_idx"
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("member", "year", "half"),
                        name="registration_one_per_member_and_term",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("half__in", [1, 2])), name="registration_half_1_or_2"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "pending"), ("decided_at__isnull", True)),
                            models.Q(
                                models.Q(("status", "pending"), _negated=True),
                                ("decided_at__isnull", False),
                            ),
                            _connector="OR",
                        ),
                        name="registration_decided_unless_pending",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "rejected"), _negated=True),
                            models.Q(("reject_reason", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="registration_rejection_has_reason",
                    ),
                ],
            },
        ),
    ]
