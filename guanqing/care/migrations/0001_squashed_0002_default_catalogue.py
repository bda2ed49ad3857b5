"""care 0001–0002 in one migration, for new databases (a database migrated with the old files
goes on with them). The default catalogue is seeded after the tables, as 0002 did."""

import datetime

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# 0002_default_catalogue: the default catalogue of the four systems (六激励 · 六必谈 · 六必访 · 六必帮),
# local practice the committee edits afterwards. Illness and discipline items are sensitive.

# (system, code, name, actor_kind, action, limit in working days, sensitive)
DEFAULT = [
    # 六必谈
    ("talk", "talk-promotion", "提拔或岗位调整", "party_office", "talk", 10, False),
    ("talk", "talk-discipline", "受到批评或处分", "party_office", "talk", 5, True),
    ("talk", "talk-appraisal", "考核不称职或基本称职", "branch_secretary", "talk", 10, True),
    ("talk", "talk-family", "家庭矛盾", "branch_secretary", "talk", 10, True),
    ("talk", "talk-retirement", "退休前", "unit_leader", "talk", 20, False),
    ("talk", "talk-sick-leave", "长期病休返岗", "branch_secretary", "talk", 5, True),
    # 六必访
    ("visit", "visit-hospital", "住院或患重病", "party_office", "visit", 5, True),
    ("visit", "visit-bereavement", "直系亲属去世", "party_office", "visit", 3, False),
    ("visit", "visit-hardship", "家庭遭遇重大困难", "party_office", "visit", 5, False),
    ("visit", "visit-disaster", "遭受自然灾害", "party_office", "visit", 3, False),
    ("visit", "visit-sick-home", "长期病休在家", "branch_secretary", "visit", 10, True),
    ("visit", "visit-retired", "退休", "unit_leader", "visit", 20, False),
    # 六必帮
    ("help", "help-medical", "本人或家属患重病医疗费用负担重", "party_office", "help", 10, True),
    ("help", "help-schooling", "子女上学困难", "party_office", "help", 20, False),
    ("help", "help-employment", "家属就业困难", "party_office", "help", 20, False),
    ("help", "help-disaster", "遭受灾害", "party_office", "help", 5, False),
    ("help", "help-living", "生活困难", "party_office", "help", 10, False),
    ("help", "help-emergency", "其他急难事项", "party_office", "help", 3, False),
    # 六激励
    ("incentive", "incentive-commendation", "获得表彰奖励", "party_office", "incentive", 20, False),
    ("incentive", "incentive-promotion", "推荐提拔使用", "unit_leader", "incentive", 30, False),
    ("incentive", "incentive-training", "提供学习培训机会", "party_office", "incentive", 30, False),
    ("incentive", "incentive-merit", "优先评先评优", "party_office", "incentive", 30, False),
    ("incentive", "incentive-publicity", "宣传先进事迹", "party_office", "incentive", 20, False),
    ("incentive", "incentive-care", "关心关爱谈心", "branch_secretary", "talk", 10, False),
]


def seed(apps, schema_editor):
    CareRule = apps.get_model("care", "CareRule")
    for order, (system, code, name, actor, action, limit, sensitive) in enumerate(DEFAULT):
        CareRule.objects.get_or_create(
            code=code,
            defaults={
                "system": system,
                "name": name,
                "actor_kind": actor,
                "action": action,
                "limit_workdays": limit,
                "sensitive": sensitive,
                "sort_order": order % 6 + 1,
            },
        )


class Migration(migrations.Migration):
    replaces = [("care", "0001_initial"), ("care", "0002_default_catalogue")]

    initial = True

    dependencies = [
        ("registry", "0003_bound_free_text"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CareRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "system",
                    models.CharField(
                        choices=[
                            ("incentive", "六激励"),
                            ("talk", "六必谈"),
                            ("visit", "六必访"),
                            ("help", "六必帮"),
                        ],
                        max_length=10,
                        verbose_name="制度",
                    ),
                ),
                ("code", models.SlugField(max_length=40, unique=True, verbose_name="编码")),
                ("name", models.CharField(max_length=60, verbose_name="事项")),
                ("description", models.TextField(blank=True, max_length=500, verbose_name="说明")),
                (
                    "actor_kind",
                    models.CharField(
                        choices=[
                            ("branch_secretary", "支部书记"),
                            ("party_office", "单位党组织"),
                            ("unit_leader", "单位主要负责人"),
                        ],
                        max_length=20,
                        verbose_name="责任人",
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("talk", "谈心谈话"),
                            ("visit", "走访慰问"),
                            ("help", "帮扶"),
                            ("incentive", "激励"),
                        ],
                        max_length=10,
                        verbose_name="落实方式",
                    ),
                ),
                ("limit_workdays", models.PositiveSmallIntegerField(verbose_name="时限（工作日）")),
                ("sensitive", models.BooleanField(default=False, verbose_name="敏感事项")),
                ("is_active", models.BooleanField(default=True, verbose_name="启用")),
                ("sort_order", models.PositiveSmallIntegerField(default=0, verbose_name="排序")),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "关怀事项",
                "verbose_name_plural": "关怀事项",
                "ordering": ["system", "sort_order", "id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("limit_workdays__gte", 1), ("limit_workdays__lte", 60)),
                        name="care_rule_limit_range",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="CareEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("occurred_on", models.DateField(verbose_name="发生日期")),
                ("note", models.TextField(blank=True, max_length=2000, verbose_name="情况说明")),
                (
                    "source",
                    models.CharField(
                        choices=[("unit", "单位录入"), ("member", "本人报告")],
                        default="unit",
                        max_length=10,
                        verbose_name="来源",
                    ),
                ),
                ("sensitive", models.BooleanField(default=False, verbose_name="敏感事项")),
                ("recorded_at", models.DateTimeField(auto_now_add=True, verbose_name="录入时间")),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="care_events",
                        to="registry.member",
                        verbose_name="党员",
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
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="care_events",
                        to="registry.unit",
                        verbose_name="单位",
                    ),
                ),
                (
                    "rule",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="care.carerule",
                        verbose_name="事项",
                    ),
                ),
            ],
            options={
                "verbose_name": "关怀事件",
                "verbose_name_plural": "关怀事件",
                "ordering": ["-occurred_on", "-id"],
                "indexes": [
                    models.Index(
                        fields=["unit", "occurred_on"], name="care_careev_unit_id_c160b0_idx"
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("member", "rule", "occurred_on"), name="care_event_once"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("occurred_on__gte", datetime.date(2000, 1, 1))),
                        name="care_event_since_2000",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Obligation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("talk", "谈心谈话"),
                            ("visit", "走访慰问"),
                            ("help", "帮扶"),
                            ("incentive", "激励"),
                        ],
                        max_length=10,
                        verbose_name="落实方式",
                    ),
                ),
                (
                    "actor_kind",
                    models.CharField(
                        choices=[
                            ("branch_secretary", "支部书记"),
                            ("party_office", "单位党组织"),
                            ("unit_leader", "单位主要负责人"),
                        ],
                        max_length=20,
                        verbose_name="责任人",
                    ),
                ),
                ("limit_workdays", models.PositiveSmallIntegerField(verbose_name="时限（工作日）")),
                ("due_on", models.DateField(verbose_name="落实期限")),
                (
                    "state",
                    models.CharField(
                        choices=[("open", "待落实"), ("met", "已落实"), ("waived", "已免除")],
                        default="open",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                ("met_on", models.DateField(blank=True, null=True, verbose_name="落实日期")),
                (
                    "done_note",
                    models.TextField(blank=True, max_length=2000, verbose_name="落实情况"),
                ),
                ("waived_on", models.DateField(blank=True, null=True, verbose_name="免除日期")),
                (
                    "waived_reason",
                    models.CharField(blank=True, max_length=200, verbose_name="免除理由"),
                ),
                (
                    "escalated_on",
                    models.DateField(blank=True, null=True, verbose_name="报单位党委日期"),
                ),
                (
                    "done_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="落实登记人",
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="obligations",
                        to="care.careevent",
                        verbose_name="关怀事件",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="care_obligations",
                        to="registry.unit",
                        verbose_name="单位",
                    ),
                ),
                (
                    "waived_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="免除人",
                    ),
                ),
            ],
            options={
                "verbose_name": "关怀任务",
                "verbose_name_plural": "关怀任务",
                "ordering": ["due_on", "id"],
                "indexes": [
                    models.Index(
                        fields=["unit", "state", "due_on"], name="care_obliga_unit_id_73f0f4_idx"
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("event", "action"), name="care_obligation_once"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("state", "met"), _negated=True),
                            ("met_on__isnull", False),
                            _connector="OR",
                        ),
                        name="care_obligation_met_has_date",
                    ),
                ],
            },
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
