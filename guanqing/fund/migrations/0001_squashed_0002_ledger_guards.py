"""fund 0001–0002 in one migration, for new databases (a database migrated with the old files
goes on with them). The ledger guards (0002) are installed after the tables.

The ledger's second guard, in the database:

- Both databases: an entry or a transaction is never updated (a mistake is reversed instead).
- PostgreSQL: nor deleted (Django's flush empties tables with TRUNCATE there, which row triggers do
  not see; on SQLite it deletes row by row, so deleting is left to the application, which has no
  path that deletes), and a deferred constraint trigger checks at commit that every transaction
  touched has at least two lines and equal debits and credits."""

from decimal import Decimal

import django.db.models.deletion
import django.db.models.expressions
from django.conf import settings
from django.db import migrations, models

# 0002_ledger_guards

TABLES = ("fund_entry", "fund_transaction")

SQLITE_UP = [
    f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
    BEGIN SELECT RAISE(ABORT, 'fund ledger is append-only: reverse, do not edit'); END;"""
    for table in TABLES
]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS {table}_no_update;" for table in TABLES]

POSTGRES_UP = [
    """CREATE FUNCTION fund_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'fund ledger is append-only: reverse, do not edit (% on %)', TG_OP, TG_TABLE_NAME;
    END $$;""",
    *[
        f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION fund_append_only();"""
        for table in TABLES
    ],
    """CREATE FUNCTION fund_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        lines integer;
        debits numeric;
        credits numeric;
    BEGIN
        SELECT count(*), coalesce(sum(debit), 0), coalesce(sum(credit), 0)
          INTO lines, debits, credits
          FROM fund_entry WHERE transaction_id = NEW.transaction_id;
        IF lines < 2 OR debits <> credits THEN
            RAISE EXCEPTION 'fund transaction % is not balanced: % lines, debits %, credits %',
                NEW.transaction_id, lines, debits, credits;
        END IF;
        RETURN NULL;
    END $$;""",
    """CREATE CONSTRAINT TRIGGER fund_entry_balanced AFTER INSERT ON fund_entry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fund_check_balanced();""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS fund_entry_balanced ON fund_entry;",
    "DROP FUNCTION IF EXISTS fund_check_balanced();",
    *[f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};" for table in TABLES],
    "DROP FUNCTION IF EXISTS fund_append_only();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    replaces = [("fund", "0001_initial"), ("fund", "0002_ledger_guards")]

    initial = True

    dependencies = [
        ("registry", "0003_bound_free_text"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Account",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=20, unique=True, verbose_name="科目编码")),
                ("name", models.CharField(max_length=100, verbose_name="科目名称")),
                (
                    "kind",
                    models.CharField(
                        choices=[("asset", "资产"), ("income", "收入"), ("expense", "支出")],
                        max_length=10,
                        verbose_name="类别",
                    ),
                ),
                (
                    "balance",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=14, verbose_name="余额（元）"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "unit",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="fund_account",
                        to="registry.unit",
                        verbose_name="捐款单位",
                    ),
                ),
            ],
            options={
                "verbose_name": "会计科目",
                "verbose_name_plural": "会计科目",
                "ordering": ["code"],
            },
        ),
        migrations.CreateModel(
            name="AidApplication",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.CharField(max_length=20, unique=True, verbose_name="申请编号")),
                ("year", models.PositiveSmallIntegerField(verbose_name="年度")),
                (
                    "relation",
                    models.CharField(
                        choices=[
                            ("self", "本人"),
                            ("spouse", "配偶"),
                            ("child", "子女"),
                            ("parent", "父母"),
                        ],
                        default="self",
                        max_length=10,
                        verbose_name="患病人",
                    ),
                ),
                (
                    "patient_name",
                    models.CharField(blank=True, max_length=50, verbose_name="患病人姓名"),
                ),
                (
                    "diagnosis",
                    models.CharField(
                        choices=[
                            ("cancer", "恶性肿瘤"),
                            ("uremia", "尿毒症（肾透析）"),
                            ("transplant", "器官移植"),
                            ("cardio", "重大心脑血管疾病"),
                            ("leukemia", "白血病"),
                            ("nerve", "重大神经系统疾病"),
                            ("injury", "严重意外伤害"),
                            ("other", "其他重大疾病"),
                        ],
                        max_length=12,
                        verbose_name="疾病类别",
                    ),
                ),
                (
                    "diagnosis_note",
                    models.TextField(blank=True, max_length=2000, verbose_name="病情说明"),
                ),
                (
                    "total_cost",
                    models.DecimalField(
                        decimal_places=2, max_digits=14, verbose_name="医疗总费用（元）"
                    ),
                ),
                (
                    "reimbursed",
                    models.DecimalField(
                        decimal_places=2, max_digits=14, verbose_name="医保等已报销（元）"
                    ),
                ),
                (
                    "self_paid",
                    models.DecimalField(
                        decimal_places=2, max_digits=14, verbose_name="个人自付（元）"
                    ),
                ),
                (
                    "amount",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=14, verbose_name="帮扶金额（元）"
                    ),
                ),
                ("reason", models.TextField(blank=True, max_length=2000, verbose_name="申请理由")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("draft", "草稿"),
                            ("submitted", "审批中"),
                            ("approved", "已批准"),
                            ("paid", "已发放"),
                            ("rejected", "未批准"),
                            ("withdrawn", "已撤回"),
                        ],
                        default="draft",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                ("chain", models.JSONField(blank=True, default=list, verbose_name="审批链")),
                ("submitted_on", models.DateField(blank=True, null=True, verbose_name="提交日期")),
                (
                    "decided_on",
                    models.DateField(blank=True, null=True, verbose_name="审批完成日期"),
                ),
                (
                    "care_obligation_id",
                    models.PositiveBigIntegerField(blank=True, null=True, verbose_name="关怀事项"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="申请经办人",
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="fund_applications",
                        to="registry.member",
                        verbose_name="职工",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="fund_applications",
                        to="registry.unit",
                        verbose_name="单位",
                    ),
                ),
            ],
            options={
                "verbose_name": "帮扶金申请",
                "verbose_name_plural": "帮扶金申请",
                "ordering": ["-created_at", "-id"],
                "indexes": [models.Index(fields=["state", "year"], name="fund_app_state_year")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("total_cost__gte", 0),
                            ("reimbursed__gte", 0),
                            ("reimbursed__lte", models.F("total_cost")),
                            (
                                "self_paid__gte",
                                django.db.models.expressions.CombinedExpression(
                                    django.db.models.expressions.CombinedExpression(
                                        models.F("total_cost"), "-", models.F("reimbursed")
                                    ),
                                    "-",
                                    models.Value(Decimal("0.005")),
                                ),
                            ),
                            (
                                "self_paid__lte",
                                django.db.models.expressions.CombinedExpression(
                                    django.db.models.expressions.CombinedExpression(
                                        models.F("total_cost"), "-", models.F("reimbursed")
                                    ),
                                    "+",
                                    models.Value(Decimal("0.005")),
                                ),
                            ),
                            ("amount__gte", 0),
                        ),
                        name="fund_application_costs",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="AidDocument",
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
                            ("diagnosis", "诊断证明"),
                            ("invoice", "医疗费用票据"),
                            ("settlement", "医保结算单"),
                            ("other", "其他材料"),
                        ],
                        max_length=12,
                        verbose_name="材料类型",
                    ),
                ),
                (
                    "file",
                    models.FileField(max_length=200, upload_to="fund/%Y/", verbose_name="文件"),
                ),
                ("content_type", models.CharField(max_length=40, verbose_name="文件类型")),
                (
                    "original_name",
                    models.CharField(blank=True, max_length=200, verbose_name="原文件名"),
                ),
                ("size", models.PositiveIntegerField(default=0, verbose_name="大小（字节）")),
                ("uploaded_at", models.DateTimeField(auto_now_add=True)),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="documents",
                        to="fund.aidapplication",
                        verbose_name="申请",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="上传人",
                    ),
                ),
            ],
            options={
                "verbose_name": "申请材料",
                "verbose_name_plural": "申请材料",
                "ordering": ["application_id", "id"],
            },
        ),
        migrations.CreateModel(
            name="AidTier",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "self_paid_from",
                    models.DecimalField(
                        decimal_places=2, max_digits=14, verbose_name="自付金额起（元）"
                    ),
                ),
                (
                    "self_paid_below",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=14,
                        null=True,
                        verbose_name="自付金额止（元，不含）",
                    ),
                ),
                (
                    "amount",
                    models.DecimalField(
                        decimal_places=2, max_digits=14, verbose_name="帮扶金额（元）"
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "帮扶标准",
                "verbose_name_plural": "帮扶标准",
                "ordering": ["self_paid_from"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("self_paid_from",), name="fund_tier_from_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("self_paid_from__gte", 0),
                            ("amount__gt", 0),
                            models.Q(
                                ("self_paid_below__isnull", True),
                                ("self_paid_below__gt", models.F("self_paid_from")),
                                _connector="OR",
                            ),
                        ),
                        name="fund_tier_sane",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Approval",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("step", models.PositiveSmallIntegerField(verbose_name="审批步骤")),
                (
                    "role",
                    models.CharField(
                        choices=[("fund_officer", "帮扶金经办人"), ("committee", "机关工委")],
                        max_length=12,
                        verbose_name="审批角色",
                    ),
                ),
                (
                    "decision",
                    models.CharField(
                        choices=[("approve", "同意"), ("reject", "不同意")],
                        max_length=8,
                        verbose_name="意见",
                    ),
                ),
                ("note", models.TextField(blank=True, max_length=2000, verbose_name="审批意见")),
                ("decided_at", models.DateTimeField(auto_now_add=True, verbose_name="审批时间")),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="approvals",
                        to="fund.aidapplication",
                        verbose_name="申请",
                    ),
                ),
                (
                    "approver",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="审批人",
                    ),
                ),
            ],
            options={
                "verbose_name": "审批记录",
                "verbose_name_plural": "审批记录",
                "ordering": ["application_id", "step"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("application", "step"), name="fund_approval_step"
                    ),
                    models.UniqueConstraint(
                        fields=("application", "approver"), name="fund_approval_once_per_person"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="DonationBatch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("received_on", models.DateField(verbose_name="到账日期")),
                ("file_name", models.CharField(blank=True, max_length=200, verbose_name="文件名")),
                ("rows", models.PositiveIntegerField(default=0, verbose_name="人数")),
                (
                    "total",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=14, verbose_name="合计（元）"
                    ),
                ),
                ("imported_at", models.DateTimeField(auto_now_add=True, verbose_name="导入时间")),
                (
                    "imported_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="导入人",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="fund_batches",
                        to="registry.unit",
                        verbose_name="单位",
                    ),
                ),
            ],
            options={
                "verbose_name": "职工捐款名单",
                "verbose_name_plural": "职工捐款名单",
                "ordering": ["-received_on", "-id"],
            },
        ),
        migrations.CreateModel(
            name="FundSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "officer_alone_below",
                    models.DecimalField(
                        decimal_places=2,
                        default=5000,
                        help_text="低于此金额由帮扶金经办人审批；达到或超过的还须机关工委审批",
                        max_digits=14,
                        verbose_name="经办人单独审批限额（元）",
                    ),
                ),
                (
                    "second_committee_from",
                    models.DecimalField(
                        decimal_places=2,
                        default=20000,
                        help_text="达到或超过此金额的，还须另一名机关工委人员审批",
                        max_digits=14,
                        verbose_name="两名工委审批起点（元）",
                    ),
                ),
                (
                    "yearly_cap",
                    models.DecimalField(
                        decimal_places=2,
                        default=30000,
                        max_digits=14,
                        verbose_name="每人每年帮扶上限（元）",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "帮扶金设置",
                "verbose_name_plural": "帮扶金设置",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("officer_alone_below__gt", 0),
                            ("second_committee_from__gte", models.F("officer_alone_below")),
                            ("yearly_cap__gt", 0),
                        ),
                        name="fund_settings_sane",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Period",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField(unique=True, verbose_name="月份")),
                ("last_number", models.PositiveIntegerField(default=0, verbose_name="已用凭证号")),
                ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="结账时间")),
                (
                    "closed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="结账人",
                    ),
                ),
            ],
            options={
                "verbose_name": "会计期间",
                "verbose_name_plural": "会计期间",
                "ordering": ["month"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("month__day", 1)), name="fund_period_first_day"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Transaction",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.CharField(max_length=20, unique=True, verbose_name="凭证号")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("donation", "捐款"),
                            ("aid", "帮扶金支付"),
                            ("interest", "利息"),
                            ("fee", "手续费"),
                            ("reversal", "冲正"),
                        ],
                        max_length=10,
                        verbose_name="业务类型",
                    ),
                ),
                ("posted_on", models.DateField(verbose_name="记账日期")),
                ("memo", models.CharField(max_length=200, verbose_name="摘要")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="记账时间")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="记账人",
                    ),
                ),
                (
                    "period",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="transactions",
                        to="fund.period",
                        verbose_name="会计期间",
                    ),
                ),
                (
                    "reverses",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reversed_by",
                        to="fund.transaction",
                        verbose_name="冲正的凭证",
                    ),
                ),
            ],
            options={
                "verbose_name": "记账凭证",
                "verbose_name_plural": "记账凭证",
                "ordering": ["posted_on", "id"],
                "indexes": [models.Index(fields=["posted_on"], name="fund_tx_posted")],
            },
        ),
        migrations.CreateModel(
            name="Payment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "amount",
                    models.DecimalField(
                        decimal_places=2, max_digits=14, verbose_name="发放金额（元）"
                    ),
                ),
                ("paid_on", models.DateField(verbose_name="发放日期")),
                (
                    "transfer_reference",
                    models.CharField(max_length=60, unique=True, verbose_name="转账流水号"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "application",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="payment",
                        to="fund.aidapplication",
                        verbose_name="申请",
                    ),
                ),
                (
                    "paid_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="经办人",
                    ),
                ),
                (
                    "transaction",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="payment",
                        to="fund.transaction",
                        verbose_name="凭证",
                    ),
                ),
            ],
            options={
                "verbose_name": "帮扶金发放",
                "verbose_name_plural": "帮扶金发放",
                "ordering": ["-paid_on", "-id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("amount__gt", 0)), name="fund_payment_positive"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Entry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "debit",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=14, verbose_name="借方（元）"
                    ),
                ),
                (
                    "credit",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=14, verbose_name="贷方（元）"
                    ),
                ),
                (
                    "account",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="entries",
                        to="fund.account",
                        verbose_name="科目",
                    ),
                ),
                (
                    "transaction",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="entries",
                        to="fund.transaction",
                        verbose_name="凭证",
                    ),
                ),
            ],
            options={
                "verbose_name": "分录",
                "verbose_name_plural": "分录",
                "ordering": ["transaction_id", "id"],
                "indexes": [
                    models.Index(fields=["account", "transaction"], name="fund_entry_account")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("debit__gt", 0), ("credit", 0)),
                            models.Q(("debit", 0), ("credit__gt", 0)),
                            _connector="OR",
                        ),
                        name="fund_entry_one_side",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Donation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "receipt_number",
                    models.CharField(max_length=20, unique=True, verbose_name="收据编号"),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[("unit", "单位捐款"), ("member", "职工个人捐款")],
                        max_length=10,
                        verbose_name="来源",
                    ),
                ),
                ("donor_name", models.CharField(max_length=100, verbose_name="捐款人")),
                (
                    "amount",
                    models.DecimalField(decimal_places=2, max_digits=14, verbose_name="金额（元）"),
                ),
                ("received_on", models.DateField(verbose_name="到账日期")),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="备注")),
                ("recorded_at", models.DateTimeField(auto_now_add=True, verbose_name="登记时间")),
                (
                    "member",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="fund_donations",
                        to="registry.member",
                        verbose_name="党员",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="经办人",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="fund_donations",
                        to="registry.unit",
                        verbose_name="单位",
                    ),
                ),
                (
                    "batch",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="donations",
                        to="fund.donationbatch",
                        verbose_name="导入名单",
                    ),
                ),
                (
                    "transaction",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="donation",
                        to="fund.transaction",
                        verbose_name="凭证",
                    ),
                ),
            ],
            options={
                "verbose_name": "捐款",
                "verbose_name_plural": "捐款",
                "ordering": ["-received_on", "-id"],
                "indexes": [
                    models.Index(fields=["unit", "received_on"], name="fund_donation_unit_day")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("amount__gt", 0)), name="fund_donation_positive"
                    )
                ],
            },
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
