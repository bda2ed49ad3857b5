"""window 0001–0007 in one migration, for new databases (a database migrated with the old files
goes on with them). After the tables, as 0003 did: version 1 of the rating choices (after
GB/T 39734-2020's examples) and the article's "六零"."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# 0003_default_questions_and_zero_items

OPTIONS = {
    5: ["一次办成", "材料一次告知", "办理速度快", "服务态度热情", "办事指南清晰"],
    4: ["一次办成", "材料一次告知", "办理速度快", "服务态度热情", "办事指南清晰"],
    3: ["等候时间较长", "办理时间较长", "指引不够清楚", "环境设施不便"],
    2: ["多次跑腿", "材料重复提交", "超过承诺时限", "服务态度差", "办事指南不清晰", "推诿扯皮"],
    1: ["多次跑腿", "材料重复提交", "超过承诺时限", "服务态度差", "办事指南不清晰", "推诿扯皮"],
}

ZERO_ITEMS = [
    ("零推诿", "首问负责，不以任何理由推诿群众", ""),
    ("零积压", "当日事当日毕，办件不超承诺时限", "overdue"),
    ("零距离", "主动服务、上门服务、帮办代办", ""),
    ("零差错", "受理、审核、发证准确无误", ""),
    ("零投诉", "不因服务态度和作风问题被投诉", "bad_ratings"),
    ("零歧义", "一次告知、口径统一，办事指南清楚无歧义", ""),
]


def forwards(apps, schema_editor):
    QuestionSet = apps.get_model("window", "QuestionSet")
    RatingOption = apps.get_model("window", "RatingOption")
    ZeroItem = apps.get_model("window", "ZeroItem")
    if not QuestionSet.objects.exists():
        question_set = QuestionSet.objects.create(number=1, note="GB/T 39734-2020")
        RatingOption.objects.bulk_create(
            RatingOption(question_set=question_set, level=level, text=text, sort_order=i)
            for level, texts in OPTIONS.items()
            for i, text in enumerate(texts)
        )
    if not ZeroItem.objects.exists():
        ZeroItem.objects.bulk_create(
            ZeroItem(name=name, description=description, measure=measure, sort_order=i)
            for i, (name, description, measure) in enumerate(ZERO_ITEMS)
        )


class Migration(migrations.Migration):
    replaces = [
        ("window", "0001_initial"),
        ("window", "0002_ratings_and_zero_checklist"),
        ("window", "0003_default_questions_and_zero_items"),
        ("window", "0004_case_queue_index"),
        ("window", "0005_follow_up_limit_awaits_calendar"),
        ("window", "0006_case_received_order"),
        ("window", "0007_case_figures_indexes"),
    ]

    initial = True

    dependencies = [
        ("registry", "0003_bound_free_text"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ApprovalItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=40, unique=True, verbose_name="事项编码")),
                ("name", models.CharField(max_length=120, verbose_name="事项名称")),
                (
                    "legal_basis",
                    models.TextField(blank=True, max_length=2000, verbose_name="设定依据"),
                ),
                ("sort_order", models.PositiveIntegerField(default=0, verbose_name="排序")),
                ("is_active", models.BooleanField(default=True, verbose_name="在用")),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="approval_items",
                        to="registry.unit",
                        verbose_name="单位",
                    ),
                ),
            ],
            options={
                "verbose_name": "审批事项",
                "verbose_name_plural": "审批事项",
                "ordering": ["unit__sort_order", "sort_order", "code"],
            },
        ),
        migrations.CreateModel(
            name="Matter",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=40, unique=True, verbose_name="办理项编码")),
                ("name", models.CharField(max_length=120, verbose_name="办理项名称")),
                ("sort_order", models.PositiveIntegerField(default=0, verbose_name="排序")),
                ("is_active", models.BooleanField(default=True, verbose_name="在用")),
                (
                    "item",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="matters",
                        to="window.approvalitem",
                        verbose_name="审批事项",
                    ),
                ),
            ],
            options={
                "verbose_name": "办理项",
                "verbose_name_plural": "办理项",
                "ordering": ["item__sort_order", "item__code", "sort_order", "code"],
            },
        ),
        migrations.CreateModel(
            name="MatterVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField(verbose_name="版本号")),
                (
                    "kind",
                    models.CharField(
                        choices=[("immediate", "即办件"), ("promised", "承诺件")],
                        max_length=10,
                        verbose_name="办件类型",
                    ),
                ),
                (
                    "statutory_workdays",
                    models.PositiveSmallIntegerField(verbose_name="法定办结时限（工作日）"),
                ),
                (
                    "promised_workdays",
                    models.PositiveSmallIntegerField(verbose_name="承诺办结时限（工作日）"),
                ),
                (
                    "fee",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=12, verbose_name="收费（元）"
                    ),
                ),
                ("fee_note", models.CharField(blank=True, max_length=200, verbose_name="收费说明")),
                (
                    "legal_basis",
                    models.TextField(blank=True, max_length=2000, verbose_name="办理依据"),
                ),
                ("valid_from", models.DateField(verbose_name="生效日期")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="发布人",
                    ),
                ),
                (
                    "matter",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="versions",
                        to="window.matter",
                        verbose_name="办理项",
                    ),
                ),
            ],
            options={
                "verbose_name": "办理项版本",
                "verbose_name_plural": "办理项版本",
                "ordering": ["matter_id", "-number"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("matter", "number"), name="matter_version_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("promised_workdays__lte", models.F("statutory_workdays"))
                        ),
                        name="matter_version_promised_within_statutory",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("fee__gte", 0)), name="matter_version_fee_not_negative"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Window",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=80, verbose_name="窗口名称")),
                ("location", models.CharField(blank=True, max_length=120, verbose_name="位置")),
                ("is_active", models.BooleanField(default=True, verbose_name="在用")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "clerks",
                    models.ManyToManyField(
                        blank=True,
                        limit_choices_to={"role": "window_clerk"},
                        related_name="windows",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="窗口受理员",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="windows",
                        to="registry.unit",
                        verbose_name="单位",
                    ),
                ),
            ],
            options={
                "verbose_name": "服务窗口",
                "verbose_name_plural": "服务窗口",
                "ordering": ["unit__sort_order", "name", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("unit", "name"), name="window_unique_name_per_unit"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Case",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "id_number_hash",
                    models.CharField(blank=True, editable=False, max_length=64, null=True),
                ),
                ("id_number_encrypted", models.TextField(blank=True, editable=False)),
                (
                    "receipt_no",
                    models.CharField(max_length=32, unique=True, verbose_name="受理编号"),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("correction", "待补正"),
                            ("refused", "不予受理"),
                            ("accepted", "办理中"),
                            ("paused", "已中止"),
                            ("completed", "已办结"),
                            ("delivered", "已送达"),
                            ("terminated", "已终止"),
                        ],
                        max_length=12,
                        verbose_name="状态",
                    ),
                ),
                (
                    "applicant_kind",
                    models.CharField(
                        choices=[("person", "个人"), ("enterprise", "企业")],
                        max_length=12,
                        verbose_name="申请人类型",
                    ),
                ),
                ("applicant_name", models.CharField(max_length=100, verbose_name="申请人")),
                (
                    "credit_code",
                    models.CharField(blank=True, max_length=18, verbose_name="统一社会信用代码"),
                ),
                ("applicant_phone", models.CharField(max_length=20, verbose_name="联系电话")),
                ("phone_tail", models.CharField(editable=False, max_length=4)),
                ("received_on", models.DateField(verbose_name="收件日期")),
                ("accepted_on", models.DateField(blank=True, null=True, verbose_name="受理日期")),
                ("deadline", models.DateField(blank=True, null=True, verbose_name="承诺办结日期")),
                (
                    "statutory_deadline",
                    models.DateField(blank=True, null=True, verbose_name="法定办结日期"),
                ),
                (
                    "correction_note",
                    models.TextField(blank=True, max_length=2000, verbose_name="补正告知"),
                ),
                (
                    "refusal_reason",
                    models.TextField(blank=True, max_length=2000, verbose_name="不予受理理由"),
                ),
                (
                    "deferral_promise",
                    models.TextField(blank=True, max_length=2000, verbose_name="容缺承诺"),
                ),
                (
                    "supply_by",
                    models.DateField(blank=True, null=True, verbose_name="容缺材料补齐期限"),
                ),
                (
                    "outcome",
                    models.CharField(
                        blank=True,
                        choices=[("approved", "准予许可"), ("denied", "不予许可")],
                        max_length=10,
                        verbose_name="办理结果",
                    ),
                ),
                (
                    "outcome_note",
                    models.TextField(blank=True, max_length=2000, verbose_name="结果说明"),
                ),
                ("completed_on", models.DateField(blank=True, null=True, verbose_name="办结日期")),
                ("delivered_on", models.DateField(blank=True, null=True, verbose_name="送达日期")),
                ("terminated_on", models.DateField(blank=True, null=True, verbose_name="终止日期")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "handled_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="window_cases",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="受理人",
                    ),
                ),
                (
                    "version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="window.matterversion",
                        verbose_name="办理项版本",
                    ),
                ),
                (
                    "window",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="window.window",
                        verbose_name="窗口",
                    ),
                ),
            ],
            options={
                "verbose_name": "办件",
                "verbose_name_plural": "办件",
                "ordering": ["-received_on", "-id"],
                "indexes": [
                    models.Index(
                        fields=["window", "state", "deadline"],
                        name="window_case_window__cd7213_idx",
                    ),
                    models.Index(
                        fields=["window", "accepted_on"], name="window_case_window__9f0b72_idx"
                    ),
                    models.Index(fields=["id_number_hash"], name="window_case_id_numb_90ed0a_idx"),
                    models.Index(
                        fields=["state", "deadline", "accepted_on", "id"],
                        name="window_case_state_17c1e9_idx",
                    ),
                    models.Index(fields=["received_on", "id"], name="case_received"),
                    models.Index(
                        fields=["window", "received_on", "id"], name="case_window_received"
                    ),
                    models.Index(
                        fields=[
                            "accepted_on",
                            "window",
                            "version",
                            "handled_by",
                            "completed_on",
                            "deadline",
                        ],
                        name="case_accepted_figures",
                    ),
                    models.Index(
                        fields=["completed_on", "window", "version", "handled_by"],
                        name="case_completed_figures",
                    ),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("accepted_on__isnull", True),
                            ("deadline__isnull", False),
                            _connector="OR",
                        ),
                        name="case_accepted_has_deadline",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="CaseEvent",
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
                            ("correction", "一次性告知补正"),
                            ("refuse", "不予受理"),
                            ("accept", "受理"),
                            ("supply", "补齐容缺材料"),
                            ("pause", "中止"),
                            ("resume", "恢复"),
                            ("complete", "办结"),
                            ("deliver", "送达"),
                            ("terminate", "终止"),
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
                            ("correction", "待补正"),
                            ("refused", "不予受理"),
                            ("accepted", "办理中"),
                            ("paused", "已中止"),
                            ("completed", "已办结"),
                            ("delivered", "已送达"),
                            ("terminated", "已终止"),
                        ],
                        max_length=12,
                        verbose_name="原状态",
                    ),
                ),
                (
                    "to_state",
                    models.CharField(
                        choices=[
                            ("correction", "待补正"),
                            ("refused", "不予受理"),
                            ("accepted", "办理中"),
                            ("paused", "已中止"),
                            ("completed", "已办结"),
                            ("delivered", "已送达"),
                            ("terminated", "已终止"),
                        ],
                        max_length=12,
                        verbose_name="新状态",
                    ),
                ),
                ("note", models.TextField(blank=True, max_length=2000, verbose_name="说明")),
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
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="window.case",
                        verbose_name="办件",
                    ),
                ),
            ],
            options={
                "verbose_name": "办件记录",
                "verbose_name_plural": "办件记录",
                "ordering": ["case_id", "at", "id"],
            },
        ),
        migrations.AddField(
            model_name="matter",
            name="current",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="window.matterversion",
                verbose_name="现行版本",
            ),
        ),
        migrations.CreateModel(
            name="Material",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="材料名称")),
                (
                    "form",
                    models.CharField(
                        choices=[
                            ("original", "原件"),
                            ("copy", "复印件"),
                            ("both", "原件及复印件"),
                            ("electronic", "电子材料"),
                        ],
                        default="original",
                        max_length=10,
                        verbose_name="材料形式",
                    ),
                ),
                ("copies", models.PositiveSmallIntegerField(default=1, verbose_name="份数")),
                ("deferrable", models.BooleanField(default=False, verbose_name="可容缺")),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="说明")),
                ("sort_order", models.PositiveSmallIntegerField(default=0, verbose_name="排序")),
                (
                    "version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="materials",
                        to="window.matterversion",
                        verbose_name="版本",
                    ),
                ),
            ],
            options={
                "verbose_name": "申请材料",
                "verbose_name_plural": "申请材料",
                "ordering": ["version_id", "sort_order", "id"],
            },
        ),
        migrations.CreateModel(
            name="WindowSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "due_soon_workdays",
                    models.PositiveSmallIntegerField(
                        default=1, verbose_name="临期提醒（剩余工作日）"
                    ),
                ),
                (
                    "deferral_bar_months",
                    models.PositiveSmallIntegerField(
                        default=12, verbose_name="容缺失信后暂停容缺受理（月）"
                    ),
                ),
                (
                    "rating_window_days",
                    models.PositiveSmallIntegerField(default=30, verbose_name="评价有效期（天）"),
                ),
                (
                    "rectify_workdays",
                    models.PositiveSmallIntegerField(
                        default=5, verbose_name="差评整改时限（工作日）"
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "窗口设置",
                "verbose_name_plural": "窗口设置",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("rating_window_days__gte", 1)),
                        name="window_settings_rating_days_min",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("rectify_workdays__gte", 1)),
                        name="window_settings_rectify_min",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="CasePause",
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
                            ("hearing", "听证"),
                            ("inspection", "检验检测"),
                            ("expert_review", "专家评审"),
                            ("site_survey", "现场勘查"),
                            ("other", "其他"),
                        ],
                        max_length=16,
                        verbose_name="中止事由",
                    ),
                ),
                ("reason", models.TextField(max_length=2000, verbose_name="说明")),
                ("started_on", models.DateField(verbose_name="中止日期")),
                ("ended_on", models.DateField(blank=True, null=True, verbose_name="恢复日期")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="pauses",
                        to="window.case",
                        verbose_name="办件",
                    ),
                ),
            ],
            options={
                "verbose_name": "办件中止",
                "verbose_name_plural": "办件中止",
                "ordering": ["case_id", "started_on", "id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("ended_on__isnull", True),
                            ("ended_on__gte", models.F("started_on")),
                            _connector="OR",
                        ),
                        name="case_pause_ends_after_start",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("ended_on__isnull", True)),
                        fields=("case",),
                        name="case_pause_one_running",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="CaseMissingMaterial",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("supplied_on", models.DateField(blank=True, null=True, verbose_name="补齐日期")),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="missing_materials",
                        to="window.case",
                        verbose_name="办件",
                    ),
                ),
                (
                    "material",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="window.material",
                        verbose_name="材料",
                    ),
                ),
            ],
            options={
                "verbose_name": "容缺材料",
                "verbose_name_plural": "容缺材料",
                "ordering": ["case_id", "material__sort_order", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("case", "material"), name="case_missing_unique")
                ],
            },
        ),
        migrations.CreateModel(
            name="ZeroItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=20, unique=True, verbose_name="名称")),
                ("description", models.CharField(blank=True, max_length=200, verbose_name="要求")),
                (
                    "measure",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "人工核对"),
                            ("overdue", "逾期未办结的办件"),
                            ("late", "超过承诺时限办结的办件"),
                            ("bad_ratings", "差评（申诉成立的除外）"),
                        ],
                        max_length=12,
                        verbose_name="系统核对",
                    ),
                ),
                ("sort_order", models.PositiveSmallIntegerField(default=0, verbose_name="排序")),
                ("is_active", models.BooleanField(default=True, verbose_name="在用")),
            ],
            options={
                "verbose_name": "六零承诺项",
                "verbose_name_plural": "六零承诺项",
                "ordering": ["sort_order", "id"],
            },
        ),
        migrations.CreateModel(
            name="QuestionSet",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField(unique=True, verbose_name="版本号")),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="修订说明")),
                ("published_at", models.DateTimeField(auto_now_add=True, verbose_name="发布时间")),
                (
                    "published_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="发布人",
                    ),
                ),
            ],
            options={
                "verbose_name": "评价选项版本",
                "verbose_name_plural": "评价选项版本",
                "ordering": ["-number"],
            },
        ),
        migrations.CreateModel(
            name="RatingOption",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "level",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (5, "非常满意"),
                            (4, "满意"),
                            (3, "基本满意"),
                            (2, "不满意"),
                            (1, "非常不满意"),
                        ],
                        verbose_name="评价等级",
                    ),
                ),
                ("text", models.CharField(max_length=40, verbose_name="选项")),
                ("sort_order", models.PositiveSmallIntegerField(default=0, verbose_name="排序")),
                (
                    "question_set",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="options",
                        to="window.questionset",
                        verbose_name="评价选项版本",
                    ),
                ),
            ],
            options={
                "verbose_name": "评价选项",
                "verbose_name_plural": "评价选项",
                "ordering": ["question_set_id", "-level", "sort_order", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("question_set", "level", "text"), name="rating_option_unique"
                    )
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
                (
                    "round",
                    models.PositiveSmallIntegerField(
                        choices=[(1, "办件评价"), (2, "整改评价")], verbose_name="评价类型"
                    ),
                ),
                (
                    "level",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (5, "非常满意"),
                            (4, "满意"),
                            (3, "基本满意"),
                            (2, "不满意"),
                            (1, "非常不满意"),
                        ],
                        verbose_name="评价等级",
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("kiosk", "窗口评价屏"),
                            ("link", "评价链接/二维码"),
                            ("callback", "回访"),
                        ],
                        max_length=10,
                        verbose_name="评价渠道",
                    ),
                ),
                ("comment", models.TextField(blank=True, max_length=500, verbose_name="意见建议")),
                ("rated_on", models.DateField(verbose_name="评价日期")),
                ("rated_at", models.DateTimeField(auto_now_add=True, verbose_name="评价时间")),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ratings",
                        to="window.case",
                        verbose_name="办件",
                    ),
                ),
                (
                    "question_set",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="window.questionset",
                        verbose_name="评价选项版本",
                    ),
                ),
                (
                    "options",
                    models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        to="window.ratingoption",
                        verbose_name="评价选项",
                    ),
                ),
            ],
            options={
                "verbose_name": "评价",
                "verbose_name_plural": "评价",
                "ordering": ["-rated_on", "-id"],
                "indexes": [models.Index(fields=["rated_on"], name="rating_rated_on")],
                "constraints": [
                    models.UniqueConstraint(fields=("case", "round"), name="rating_one_per_round"),
                    models.CheckConstraint(
                        condition=models.Q(("level__gte", 1), ("level__lte", 5)),
                        name="rating_level_range",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="FollowUp",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("verify", "待核实"),
                            ("appealed", "申诉中"),
                            ("rectify", "整改中"),
                            ("feedback", "待反馈"),
                            ("awaiting", "待复评"),
                            ("closed", "已办结"),
                            ("excluded", "申诉成立"),
                        ],
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                ("opened_on", models.DateField(verbose_name="差评日期")),
                ("rectify_due", models.DateField(blank=True, null=True, verbose_name="整改期限")),
                ("finding", models.TextField(blank=True, max_length=2000, verbose_name="核实情况")),
                ("verified_on", models.DateField(blank=True, null=True, verbose_name="核实日期")),
                (
                    "measures",
                    models.TextField(blank=True, max_length=2000, verbose_name="整改措施"),
                ),
                (
                    "rectified_on",
                    models.DateField(blank=True, null=True, verbose_name="整改完成日期"),
                ),
                (
                    "feedback_method",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("phone", "电话回访"),
                            ("visit", "上门回访"),
                            ("in_person", "当面反馈"),
                            ("sms", "短信"),
                        ],
                        max_length=10,
                        verbose_name="回访方式",
                    ),
                ),
                (
                    "feedback_note",
                    models.TextField(blank=True, max_length=2000, verbose_name="回访情况"),
                ),
                ("fed_back_on", models.DateField(blank=True, null=True, verbose_name="回访日期")),
                ("closed_on", models.DateField(blank=True, null=True, verbose_name="办结日期")),
                ("overdue_notified_on", models.DateField(blank=True, editable=False, null=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "fed_back_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="回访人",
                    ),
                ),
                (
                    "rectified_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="整改人",
                    ),
                ),
                (
                    "verified_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="核实人",
                    ),
                ),
                (
                    "rating",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="follow_up",
                        to="window.rating",
                        verbose_name="差评",
                    ),
                ),
            ],
            options={
                "verbose_name": "差评整改",
                "verbose_name_plural": "差评整改",
                "ordering": [models.OrderBy(models.F("rectify_due"), nulls_last=True), "id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("rectify_due__isnull", True),
                            ("rectify_due__gte", models.F("opened_on")),
                            _connector="OR",
                        ),
                        name="follow_up_due_after",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Appeal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("reason", models.TextField(max_length=2000, verbose_name="申诉理由")),
                ("filed_on", models.DateField(verbose_name="申诉日期")),
                (
                    "decision",
                    models.CharField(
                        blank=True,
                        choices=[("upheld", "申诉成立"), ("rejected", "申诉不成立")],
                        max_length=10,
                        verbose_name="裁定结果",
                    ),
                ),
                (
                    "decision_note",
                    models.TextField(blank=True, max_length=2000, verbose_name="裁定意见"),
                ),
                ("decided_on", models.DateField(blank=True, null=True, verbose_name="裁定日期")),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="裁定人",
                    ),
                ),
                (
                    "filed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="申诉人",
                    ),
                ),
                (
                    "follow_up",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="appeal",
                        to="window.followup",
                        verbose_name="差评整改",
                    ),
                ),
            ],
            options={
                "verbose_name": "差评申诉",
                "verbose_name_plural": "差评申诉",
                "ordering": ["-filed_on", "-id"],
            },
        ),
        migrations.CreateModel(
            name="RatingInvite",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "round",
                    models.PositiveSmallIntegerField(
                        choices=[(1, "办件评价"), (2, "整改评价")], verbose_name="评价类型"
                    ),
                ),
                ("code_hash", models.CharField(editable=False, max_length=64, unique=True)),
                ("issued_on", models.DateField(verbose_name="发出日期")),
                ("expires_on", models.DateField(verbose_name="有效期至")),
                ("used_at", models.DateTimeField(blank=True, null=True, verbose_name="使用时间")),
                (
                    "revoked_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="作废时间"),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="rating_invites",
                        to="window.case",
                        verbose_name="办件",
                    ),
                ),
                (
                    "issued_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="发出人",
                    ),
                ),
            ],
            options={
                "verbose_name": "评价邀请",
                "verbose_name_plural": "评价邀请",
                "ordering": ["-issued_on", "-id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("expires_on__gte", models.F("issued_on"))),
                        name="rating_invite_expiry",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ZeroCheck",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField(verbose_name="月份")),
                ("met", models.BooleanField(verbose_name="做到")),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="说明")),
                ("checked_at", models.DateTimeField(auto_now=True, verbose_name="核对时间")),
                (
                    "checked_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="核对人",
                    ),
                ),
                (
                    "window",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="zero_checks",
                        to="window.window",
                        verbose_name="窗口",
                    ),
                ),
                (
                    "item",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="checks",
                        to="window.zeroitem",
                        verbose_name="六零承诺项",
                    ),
                ),
            ],
            options={
                "verbose_name": "六零自查",
                "verbose_name_plural": "六零自查",
                "ordering": ["window_id", "-month", "item__sort_order"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("window", "month", "item"), name="zero_check_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("month__day", 1)), name="zero_check_first_of_month"
                    ),
                ],
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
