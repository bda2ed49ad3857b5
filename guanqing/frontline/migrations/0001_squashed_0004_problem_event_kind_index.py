"""frontline 0001–0004 in one migration, for new databases (a database migrated with the old files
goes on with them)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [
        ("frontline", "0001_initial"),
        ("frontline", "0002_brands_and_pocket_books"),
        ("frontline", "0003_problem_noticed_index"),
        ("frontline", "0004_problem_event_kind_index"),
    ]

    initial = True

    dependencies = [
        ("registry", "0003_bound_free_text"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ProblemCategory",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=40, unique=True, verbose_name="编码")),
                ("name", models.CharField(max_length=80, verbose_name="名称")),
                ("group", models.CharField(blank=True, max_length=40, verbose_name="分组")),
                ("description", models.CharField(blank=True, max_length=300, verbose_name="说明")),
                ("keywords", models.CharField(blank=True, max_length=200, verbose_name="关键词")),
                (
                    "urgency",
                    models.CharField(
                        choices=[
                            ("emergency", "紧急"),
                            ("enquiry", "咨询"),
                            ("complaint", "投诉"),
                            ("problem", "求助"),
                        ],
                        default="problem",
                        max_length=12,
                        verbose_name="紧急程度",
                    ),
                ),
                ("attributes", models.JSONField(blank=True, default=list, verbose_name="附加信息")),
                ("sort_order", models.PositiveSmallIntegerField(default=0, verbose_name="排序")),
                ("is_active", models.BooleanField(default=True, verbose_name="在用")),
            ],
            options={
                "verbose_name": "难题类别",
                "verbose_name_plural": "难题类别",
                "ordering": ["sort_order", "code"],
            },
        ),
        migrations.CreateModel(
            name="FrontlineSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "emergency_workdays",
                    models.PositiveSmallIntegerField(
                        default=0, verbose_name="紧急类时限（工作日）"
                    ),
                ),
                (
                    "enquiry_workdays",
                    models.PositiveSmallIntegerField(
                        default=3, verbose_name="咨询类时限（工作日）"
                    ),
                ),
                (
                    "complaint_workdays",
                    models.PositiveSmallIntegerField(
                        default=13, verbose_name="投诉类时限（工作日）"
                    ),
                ),
                (
                    "problem_workdays",
                    models.PositiveSmallIntegerField(
                        default=13, verbose_name="求助类时限（工作日）"
                    ),
                ),
                (
                    "notice_after_workdays",
                    models.PositiveSmallIntegerField(
                        default=5, verbose_name="超期多少个工作日通报"
                    ),
                ),
                (
                    "max_extension_workdays",
                    models.PositiveSmallIntegerField(default=10, verbose_name="延期最长（工作日）"),
                ),
                (
                    "instructor_days_per_month",
                    models.PositiveSmallIntegerField(
                        default=10, verbose_name="农村工作指导员每月驻村天数"
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "一线工作设置",
                "verbose_name_plural": "一线工作设置",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("notice_after_workdays__gte", 1)),
                        name="frontline_notice_min",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Open311Key",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("application", models.CharField(max_length=100, verbose_name="应用名称")),
                ("contact", models.CharField(blank=True, max_length=100, verbose_name="联系人")),
                ("key_hash", models.CharField(editable=False, max_length=64, unique=True)),
                (
                    "key_prefix",
                    models.CharField(editable=False, max_length=8, verbose_name="密钥前缀"),
                ),
                ("issued_at", models.DateTimeField(auto_now_add=True, verbose_name="发放时间")),
                (
                    "revoked_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="吊销时间"),
                ),
                (
                    "issued_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="发放人",
                    ),
                ),
                (
                    "revoked_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="吊销人",
                    ),
                ),
            ],
            options={
                "verbose_name": "Open311 接入密钥",
                "verbose_name_plural": "Open311 接入密钥",
                "ordering": ["-issued_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="Place",
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
                            ("grassroots", "基层单位"),
                            ("village", "村（社区）"),
                            ("enterprise", "企业"),
                        ],
                        max_length=12,
                        verbose_name="类型",
                    ),
                ),
                ("name", models.CharField(max_length=120, verbose_name="名称")),
                (
                    "credit_code",
                    models.CharField(blank=True, max_length=18, verbose_name="统一社会信用代码"),
                ),
                ("address", models.CharField(blank=True, max_length=200, verbose_name="地址")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "division",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="registry.division",
                        verbose_name="所在区划",
                    ),
                ),
            ],
            options={
                "verbose_name": "走访对象",
                "verbose_name_plural": "走访对象",
                "ordering": ["division_id", "name", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("credit_code", ""), _negated=True),
                        fields=("credit_code",),
                        name="place_credit_code_unique",
                    ),
                    models.UniqueConstraint(
                        fields=("division", "name"), name="place_name_in_division"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("kind", "enterprise"), ("credit_code", ""), _connector="OR"
                        ),
                        name="place_credit_code_enterprise_only",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Outreach",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("visited_on", models.DateField(verbose_name="走访日期")),
                (
                    "discussed",
                    models.TextField(blank=True, max_length=2000, verbose_name="走访内容"),
                ),
                (
                    "donated_money",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=14, verbose_name="捐赠资金（元）"
                    ),
                ),
                (
                    "donated_goods",
                    models.DecimalField(
                        decimal_places=2,
                        default=0,
                        max_digits=14,
                        verbose_name="捐赠物资折价（元）",
                    ),
                ),
                (
                    "goods_note",
                    models.CharField(blank=True, max_length=200, verbose_name="物资说明"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "cadres",
                    models.ManyToManyField(
                        related_name="outreach", to="registry.member", verbose_name="参加干部"
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
                        verbose_name="记录人",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="outreach",
                        to="registry.unit",
                        verbose_name="单位",
                    ),
                ),
                (
                    "place",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="outreach",
                        to="frontline.place",
                        verbose_name="走访对象",
                    ),
                ),
            ],
            options={
                "verbose_name": "走访",
                "verbose_name_plural": "走访",
                "ordering": ["-visited_on", "-id"],
                "indexes": [models.Index(fields=["unit", "visited_on"], name="outreach_unit_day")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("donated_money__gte", 0), ("donated_goods__gte", 0)),
                        name="outreach_donations_not_negative",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Problem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("public_id", models.CharField(max_length=20, unique=True, verbose_name="编号")),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("outreach", "走访收集"),
                            ("public", "群众网上反映"),
                            ("open311", "Open311 接入"),
                            ("window", "窗口转办"),
                            ("hotline", "12345/81890 转办"),
                            ("instructor", "农村工作指导员"),
                        ],
                        max_length=12,
                        verbose_name="来源",
                    ),
                ),
                (
                    "urgency",
                    models.CharField(
                        choices=[
                            ("emergency", "紧急"),
                            ("enquiry", "咨询"),
                            ("complaint", "投诉"),
                            ("problem", "求助"),
                        ],
                        max_length=12,
                        verbose_name="紧急程度",
                    ),
                ),
                ("title", models.CharField(max_length=120, verbose_name="标题")),
                ("description", models.TextField(max_length=2000, verbose_name="问题描述")),
                ("address", models.CharField(blank=True, max_length=200, verbose_name="地址")),
                (
                    "lat",
                    models.DecimalField(
                        blank=True, decimal_places=6, max_digits=9, null=True, verbose_name="纬度"
                    ),
                ),
                (
                    "long",
                    models.DecimalField(
                        blank=True, decimal_places=6, max_digits=9, null=True, verbose_name="经度"
                    ),
                ),
                ("media_url", models.URLField(blank=True, max_length=500, verbose_name="图片链接")),
                ("attributes", models.JSONField(blank=True, default=dict, verbose_name="附加信息")),
                ("reporter_name_encrypted", models.TextField(blank=True, editable=False)),
                ("reporter_phone_encrypted", models.TextField(blank=True, editable=False)),
                ("reporter_email_encrypted", models.TextField(blank=True, editable=False)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("received", "待派单"),
                            ("assigned", "已派单"),
                            ("returned", "已退单"),
                            ("handling", "办理中"),
                            ("closed", "已办结"),
                            ("merged", "已并单"),
                        ],
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                ("received_on", models.DateField(verbose_name="受理日期")),
                ("assigned_on", models.DateField(blank=True, null=True, verbose_name="派单日期")),
                ("deadline", models.DateField(blank=True, null=True, verbose_name="办结时限")),
                ("answer", models.TextField(blank=True, max_length=2000, verbose_name="答复意见")),
                ("closed_on", models.DateField(blank=True, null=True, verbose_name="办结日期")),
                ("callback_on", models.DateField(blank=True, null=True, verbose_name="回访日期")),
                (
                    "callback_note",
                    models.TextField(blank=True, max_length=2000, verbose_name="回访情况"),
                ),
                (
                    "satisfaction",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("satisfied", "满意"),
                            ("basic", "基本满意"),
                            ("dissatisfied", "不满意"),
                        ],
                        max_length=12,
                        verbose_name="满意度",
                    ),
                ),
                ("rated_on", models.DateField(blank=True, null=True, verbose_name="评价日期")),
                ("rating_code_hash", models.CharField(blank=True, editable=False, max_length=64)),
                (
                    "reopened_on",
                    models.DateField(blank=True, null=True, verbose_name="重新办理日期"),
                ),
                ("urged_on", models.DateField(blank=True, null=True, verbose_name="催办日期")),
                ("noticed_on", models.DateField(blank=True, null=True, verbose_name="通报日期")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "division",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="registry.division",
                        verbose_name="所在区划",
                    ),
                ),
                (
                    "master",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="merged",
                        to="frontline.problem",
                        verbose_name="主单",
                    ),
                ),
                (
                    "open311_key",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="problems",
                        to="frontline.open311key",
                        verbose_name="接入应用",
                    ),
                ),
                (
                    "outreach",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="problems",
                        to="frontline.outreach",
                        verbose_name="走访",
                    ),
                ),
                (
                    "reported_by",
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
                    "unit",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="problems",
                        to="registry.unit",
                        verbose_name="承办单位",
                    ),
                ),
                (
                    "category",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="problems",
                        to="frontline.problemcategory",
                        verbose_name="类别",
                    ),
                ),
            ],
            options={
                "verbose_name": "难题",
                "verbose_name_plural": "难题",
                "ordering": ["-received_on", "-id"],
                "indexes": [
                    models.Index(fields=["state", "deadline"], name="problem_state_deadline"),
                    models.Index(fields=["unit", "state", "deadline"], name="problem_unit_queue"),
                    models.Index(fields=["received_on"], name="problem_received"),
                    models.Index(
                        condition=models.Q(("noticed_on__isnull", False)),
                        fields=["noticed_on", "deadline"],
                        name="problem_noticed",
                    ),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("state", "merged"), _negated=True),
                            ("master__isnull", False),
                            _connector="OR",
                        ),
                        name="problem_merged_has_master",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("lat__isnull", True), ("long__isnull", True)),
                            models.Q(
                                ("lat__gte", -90),
                                ("lat__lte", 90),
                                ("long__gte", -180),
                                ("long__lte", 180),
                            ),
                            _connector="OR",
                        ),
                        name="problem_coordinates_range",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Extension",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("workdays", models.PositiveSmallIntegerField(verbose_name="延期（工作日）")),
                ("reason", models.TextField(max_length=2000, verbose_name="延期理由")),
                ("requested_on", models.DateField(verbose_name="申请日期")),
                (
                    "decision",
                    models.CharField(
                        blank=True,
                        choices=[("approved", "同意延期"), ("refused", "不同意延期")],
                        max_length=10,
                        verbose_name="审批结果",
                    ),
                ),
                (
                    "decision_note",
                    models.TextField(blank=True, max_length=2000, verbose_name="审批意见"),
                ),
                ("decided_on", models.DateField(blank=True, null=True, verbose_name="审批日期")),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="审批人",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="申请人",
                    ),
                ),
                (
                    "problem",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="extension",
                        to="frontline.problem",
                        verbose_name="难题",
                    ),
                ),
            ],
            options={
                "verbose_name": "延期申请",
                "verbose_name_plural": "延期申请",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("workdays__gte", 1)), name="extension_workdays_min"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="DispatchRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "district",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="registry.division",
                        verbose_name="区县（市）",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="registry.unit",
                        verbose_name="承办单位",
                    ),
                ),
                (
                    "category",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="dispatch_rules",
                        to="frontline.problemcategory",
                        verbose_name="难题类别",
                    ),
                ),
            ],
            options={
                "verbose_name": "派单目录",
                "verbose_name_plural": "派单目录",
                "ordering": ["category_id", "district_id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("category", "district"), name="dispatch_rule_unique"
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("district__isnull", True)),
                        fields=("category",),
                        name="dispatch_rule_one_default",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ProblemEvent",
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
                            ("report", "受理"),
                            ("dispatch", "派单"),
                            ("return", "退单"),
                            ("reassign", "改派"),
                            ("accept", "签收"),
                            ("progress", "办理进展"),
                            ("ext_request", "申请延期"),
                            ("ext_decision", "延期审批"),
                            ("urge", "催办"),
                            ("notice", "通报"),
                            ("merge", "并单"),
                            ("answer", "办结答复"),
                            ("callback", "回访"),
                            ("rate", "评价"),
                            ("reopen", "重新办理"),
                        ],
                        max_length=12,
                        verbose_name="事项",
                    ),
                ),
                ("on", models.DateField(verbose_name="日期")),
                (
                    "from_state",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("received", "待派单"),
                            ("assigned", "已派单"),
                            ("returned", "已退单"),
                            ("handling", "办理中"),
                            ("closed", "已办结"),
                            ("merged", "已并单"),
                        ],
                        max_length=10,
                        verbose_name="原状态",
                    ),
                ),
                (
                    "to_state",
                    models.CharField(
                        choices=[
                            ("received", "待派单"),
                            ("assigned", "已派单"),
                            ("returned", "已退单"),
                            ("handling", "办理中"),
                            ("closed", "已办结"),
                            ("merged", "已并单"),
                        ],
                        max_length=10,
                        verbose_name="新状态",
                    ),
                ),
                ("note", models.TextField(blank=True, max_length=2000, verbose_name="说明")),
                ("public", models.BooleanField(default=False, verbose_name="向反映人公开")),
                ("at", models.DateTimeField(auto_now_add=True, verbose_name="记录时间")),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="操作人",
                    ),
                ),
                (
                    "problem",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="frontline.problem",
                        verbose_name="难题",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="registry.unit",
                        verbose_name="单位",
                    ),
                ),
            ],
            options={
                "verbose_name": "难题记录",
                "verbose_name_plural": "难题记录",
                "ordering": ["problem_id", "at", "id"],
                "indexes": [
                    models.Index(fields=["kind", "on", "problem"], name="problem_event_kind_on")
                ],
            },
        ),
        migrations.CreateModel(
            name="ServiceBrand",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=60, verbose_name="品牌名称")),
                ("slogan", models.CharField(blank=True, max_length=120, verbose_name="口号")),
                ("aims", models.TextField(blank=True, max_length=2000, verbose_name="品牌宗旨")),
                (
                    "core_ideas",
                    models.TextField(blank=True, max_length=2000, verbose_name="核心理念"),
                ),
                (
                    "measures",
                    models.TextField(blank=True, max_length=2000, verbose_name="主要举措"),
                ),
                ("results", models.TextField(blank=True, max_length=2000, verbose_name="工作成效")),
                (
                    "logo",
                    models.FileField(
                        blank=True, max_length=200, upload_to="brands/%Y/", verbose_name="标识"
                    ),
                ),
                ("logo_content_type", models.CharField(blank=True, editable=False, max_length=40)),
                ("recognised_on", models.DateField(blank=True, null=True, verbose_name="命名日期")),
                ("is_active", models.BooleanField(default=True, verbose_name="在用")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "recognised_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="命名人",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="service_brands",
                        to="registry.unit",
                        verbose_name="单位",
                    ),
                ),
            ],
            options={
                "verbose_name": "服务品牌",
                "verbose_name_plural": "服务品牌",
                "ordering": ["unit_id", "name", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("unit", "name"), name="brand_name_in_unit")
                ],
            },
        ),
        migrations.CreateModel(
            name="GoodPractice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=120, verbose_name="标题")),
                ("problem", models.TextField(max_length=2000, verbose_name="遇到的问题")),
                ("action", models.TextField(max_length=2000, verbose_name="主要做法")),
                ("result", models.TextField(blank=True, max_length=2000, verbose_name="取得成效")),
                (
                    "category_label",
                    models.CharField(blank=True, max_length=40, verbose_name="分类"),
                ),
                ("tags", models.CharField(blank=True, max_length=200, verbose_name="标签")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("draft", "草稿"),
                            ("submitted", "待审核"),
                            ("approved", "已采用"),
                            ("rejected", "退回"),
                        ],
                        default="draft",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                (
                    "review_note",
                    models.TextField(blank=True, max_length=2000, verbose_name="审核意见"),
                ),
                ("submitted_on", models.DateField(blank=True, null=True, verbose_name="提交日期")),
                ("reviewed_on", models.DateField(blank=True, null=True, verbose_name="审核日期")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "category",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="frontline.problemcategory",
                        verbose_name="难题类别",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="撰写人",
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="审核人",
                    ),
                ),
                (
                    "source_problem",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="frontline.problem",
                        verbose_name="来源难题",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="good_practices",
                        to="registry.unit",
                        verbose_name="单位",
                    ),
                ),
                (
                    "brand",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="practices",
                        to="frontline.servicebrand",
                        verbose_name="服务品牌",
                    ),
                ),
            ],
            options={
                "verbose_name": "金点子",
                "verbose_name_plural": "金点子",
                "ordering": ["-updated_at", "-id"],
                "indexes": [models.Index(fields=["state", "unit"], name="practice_state_unit")],
            },
        ),
        migrations.CreateModel(
            name="PocketBook",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=120, verbose_name="书名")),
                ("subtitle", models.CharField(blank=True, max_length=120, verbose_name="副标题")),
                (
                    "filter_tags",
                    models.CharField(blank=True, max_length=200, verbose_name="按标签收录"),
                ),
                (
                    "pdf",
                    models.FileField(
                        blank=True, max_length=200, upload_to="books/%Y/", verbose_name="PDF 文件"
                    ),
                ),
                ("page_count", models.PositiveIntegerField(default=0, verbose_name="页数")),
                ("entry_count", models.PositiveIntegerField(default=0, verbose_name="篇数")),
                ("built_at", models.DateTimeField(blank=True, null=True, verbose_name="生成时间")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "built_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="生成人",
                    ),
                ),
                (
                    "filter_category",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="frontline.problemcategory",
                        verbose_name="按类别收录",
                    ),
                ),
            ],
            options={
                "verbose_name": "口袋书",
                "verbose_name_plural": "口袋书",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="PocketBookEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveIntegerField(default=0, verbose_name="顺序")),
                (
                    "book",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="book_entries",
                        to="frontline.pocketbook",
                        verbose_name="口袋书",
                    ),
                ),
                (
                    "practice",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="frontline.goodpractice",
                        verbose_name="金点子",
                    ),
                ),
            ],
            options={
                "verbose_name": "口袋书篇目",
                "verbose_name_plural": "口袋书篇目",
                "ordering": ["book_id", "position", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("book", "practice"), name="book_entry_unique")
                ],
            },
        ),
        migrations.AddField(
            model_name="pocketbook",
            name="entries",
            field=models.ManyToManyField(
                blank=True,
                related_name="books",
                through="frontline.PocketBookEntry",
                to="frontline.goodpractice",
                verbose_name="收录金点子",
            ),
        ),
        migrations.AddField(
            model_name="pocketbook",
            name="brand",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="books",
                to="frontline.servicebrand",
                verbose_name="服务品牌",
            ),
        ),
        migrations.AddField(
            model_name="pocketbook",
            name="filter_brand",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="frontline.servicebrand",
                verbose_name="按品牌收录",
            ),
        ),
    ]
