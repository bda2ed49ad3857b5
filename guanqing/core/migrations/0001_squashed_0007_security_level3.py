"""core 0001–0007 in one migration, for new databases (a database migrated with the old files
goes on with them). The calendar is seeded and the audit chain head created after the tables,
as 0003 and 0005 did."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import guanqing.core.models

# 0003_seed_calendar


def seed_calendar(apps, schema_editor):
    from guanqing.core.calendar.seed import seed as seed_days

    seed_days(apps.get_model("core", "CalendarDay"))


def unseed_calendar(apps, schema_editor):
    from guanqing.core.calendar.seed import FIRST_YEAR, LAST_YEAR

    apps.get_model("core", "CalendarDay").objects.filter(
        date__year__gte=FIRST_YEAR, date__year__lte=LAST_YEAR
    ).delete()


# 0005_audit_chain


def seal_existing(apps, schema_editor):
    """Sign and link the records written before the chain existed, oldest first, and create the
    chain head."""
    from guanqing.core.audit import chain

    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    db = schema_editor.connection.alias
    seq, previous = 0, ""
    batch = []
    for event in AuditEvent.objects.using(db).order_by("id").iterator(chunk_size=2000):
        seq += 1
        event.content_hmac = chain.content_hmac(chain.content_of(event))
        event.seq = seq
        event.chain_hmac = chain.chain_hmac(seq, event.pk, event.content_hmac, previous)
        previous = event.chain_hmac
        batch.append(event)
        if len(batch) >= 2000:
            AuditEvent.objects.using(db).bulk_update(batch, ["content_hmac", "seq", "chain_hmac"])
            batch = []
    if batch:
        AuditEvent.objects.using(db).bulk_update(batch, ["content_hmac", "seq", "chain_hmac"])
    head = AuditChainHead(pk=chain.HEAD_PK, last_seq=seq, last_hmac=previous)
    head.mac = chain.head_mac(head)
    head.save(using=db)


class Migration(migrations.Migration):
    replaces = [
        ("core", "0001_initial"),
        ("core", "0002_calendarday"),
        ("core", "0003_seed_calendar"),
        ("core", "0004_notification"),
        ("core", "0005_audit_chain"),
        ("core", "0006_daycount"),
        ("core", "0007_security_level3"),
    ]

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SecurityPolicy",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "failure_limit",
                    models.PositiveSmallIntegerField(
                        default=5, verbose_name="锁定前允许的失败次数"
                    ),
                ),
                (
                    "lockout_minutes",
                    models.PositiveSmallIntegerField(default=15, verbose_name="锁定时长（分钟）"),
                ),
                (
                    "idle_minutes",
                    models.PositiveSmallIntegerField(default=15, verbose_name="空闲退出（分钟）"),
                ),
                (
                    "mask_head",
                    models.PositiveSmallIntegerField(default=6, verbose_name="证件号显示前几位"),
                ),
                (
                    "mask_tail",
                    models.PositiveSmallIntegerField(default=4, verbose_name="证件号显示后几位"),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "otp_roles",
                    models.JSONField(blank=True, default=list, verbose_name="另须动态口令的角色"),
                ),
                (
                    "password_history",
                    models.PositiveSmallIntegerField(
                        default=5, verbose_name="不得重复使用的历史密码个数"
                    ),
                ),
                (
                    "password_max_age_days",
                    models.PositiveSmallIntegerField(default=90, verbose_name="密码有效期（天）"),
                ),
                (
                    "token_days",
                    models.PositiveSmallIntegerField(
                        default=7, verbose_name="接口令牌有效期（天）"
                    ),
                ),
            ],
            options={
                "verbose_name": "安全策略",
                "verbose_name_plural": "安全策略",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("failure_limit__gte", 1), ("failure_limit__lte", 20)),
                        name="policy_failure_limit_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("idle_minutes__gte", 1), ("idle_minutes__lte", 480)),
                        name="policy_idle_minutes_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("mask_head__lte", 10), ("mask_tail__lte", 8)),
                        name="policy_mask_range",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "at",
                    models.DateTimeField(
                        db_index=True,
                        default=guanqing.core.models.audit_now,
                        editable=False,
                        verbose_name="时间",
                    ),
                ),
                (
                    "actor_username",
                    models.CharField(blank=True, max_length=150, verbose_name="操作账号"),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("create", "新增"),
                            ("update", "修改"),
                            ("delete", "删除"),
                            ("import", "导入"),
                            ("export", "导出"),
                            ("login", "登录"),
                            ("logout", "退出"),
                            ("login_failed", "登录失败"),
                            ("locked_out", "账号锁定"),
                            ("role_change", "角色变更"),
                            ("password_change", "密码修改"),
                            ("reveal", "查看敏感信息"),
                            ("policy_change", "策略变更"),
                            ("token", "签发令牌"),
                        ],
                        db_index=True,
                        max_length=20,
                        verbose_name="操作",
                    ),
                ),
                (
                    "object_type",
                    models.CharField(
                        blank=True, db_index=True, max_length=60, verbose_name="对象类型"
                    ),
                ),
                ("object_id", models.CharField(blank=True, max_length=40, verbose_name="对象编号")),
                ("object_repr", models.CharField(blank=True, max_length=200, verbose_name="对象")),
                ("root_type", models.CharField(blank=True, max_length=60)),
                ("root_id", models.CharField(blank=True, max_length=40)),
                ("changes", models.JSONField(blank=True, default=dict, verbose_name="变更内容")),
                ("message", models.CharField(blank=True, max_length=300, verbose_name="说明")),
                (
                    "ip_address",
                    models.GenericIPAddressField(blank=True, null=True, verbose_name="IP 地址"),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="操作人",
                    ),
                ),
                ("chain_hmac", models.CharField(blank=True, editable=False, max_length=64)),
                ("content_hmac", models.CharField(blank=True, editable=False, max_length=64)),
                (
                    "seq",
                    models.PositiveBigIntegerField(
                        blank=True, editable=False, null=True, unique=True
                    ),
                ),
            ],
            options={
                "verbose_name": "审计记录",
                "verbose_name_plural": "审计记录",
                "ordering": ["-at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["root_type", "root_id", "at"], name="core_audite_root_ty_4dd00e_idx"
                    ),
                    models.Index(
                        fields=["object_type", "object_id"], name="core_audite_object__bbabc4_idx"
                    ),
                    models.Index(
                        fields=["actor_username", "at"], name="core_audite_actor_u_ad80c4_idx"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="CalendarDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField(unique=True, verbose_name="日期")),
                ("is_workday", models.BooleanField(verbose_name="工作日")),
                ("holiday", models.CharField(blank=True, max_length=60, verbose_name="节假日")),
                ("source", models.CharField(blank=True, max_length=200, verbose_name="依据")),
            ],
            options={
                "verbose_name": "日历日",
                "verbose_name_plural": "工作日历",
                "ordering": ["date"],
            },
        ),
        migrations.CreateModel(
            name="Notification",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=30, verbose_name="类型")),
                ("text", models.CharField(max_length=500, verbose_name="内容")),
                ("link", models.CharField(blank=True, max_length=300, verbose_name="链接")),
                ("dedupe_key", models.CharField(max_length=120, verbose_name="去重键")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="时间")),
                ("read_at", models.DateTimeField(blank=True, null=True, verbose_name="已读时间")),
                (
                    "recipient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="接收人",
                    ),
                ),
            ],
            options={
                "verbose_name": "通知",
                "verbose_name_plural": "通知",
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["recipient", "read_at"], name="core_notifi_recipie_43dea6_idx"
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("recipient", "dedupe_key"), name="notification_once_per_recipient"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("last_seq", models.PositiveBigIntegerField(default=0)),
                ("last_hmac", models.CharField(blank=True, max_length=64)),
                ("anchor_seq", models.PositiveBigIntegerField(default=0)),
                ("anchor_hmac", models.CharField(blank=True, max_length=64)),
                ("anchor_file", models.CharField(blank=True, max_length=255)),
                ("anchor_at", models.DateTimeField(blank=True, null=True)),
                ("mac", models.CharField(blank=True, max_length=64)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "审计链头",
                "verbose_name_plural": "审计链头",
            },
        ),
        migrations.CreateModel(
            name="DayCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=64)),
                ("day", models.DateField()),
                ("n", models.BigIntegerField(default=0)),
            ],
            options={
                "db_table": "core_daycount",
                "constraints": [
                    models.UniqueConstraint(fields=("key", "day"), name="core_daycount_one_per_day")
                ],
            },
        ),
        migrations.RunPython(seed_calendar, unseed_calendar),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
    ]
