"""wishes 0001–0004 in one migration, for new databases (a database migrated with the old files
goes on with them)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [
        ("wishes", "0001_initial"),
        ("wishes", "0002_published_reads_open_for_claims"),
        ("wishes", "0003_bound_free_text"),
        ("wishes", "0004_wish_list_order_index"),
    ]

    initial = True

    dependencies = [
        ("registry", "0002_importjob"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Wish",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=80, verbose_name="心愿")),
                (
                    "description",
                    models.TextField(blank=True, max_length=2000, verbose_name="心愿故事"),
                ),
                (
                    "category",
                    models.CharField(
                        choices=[
                            ("goods", "物品"),
                            ("service", "服务"),
                            ("trip", "出行"),
                            ("study", "学习"),
                            ("health", "健康"),
                            ("other", "其他"),
                        ],
                        max_length=10,
                        verbose_name="类别",
                    ),
                ),
                (
                    "estimated_cost",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=14, verbose_name="预计费用（元）"
                    ),
                ),
                ("deadline", models.DateField(verbose_name="截止日期")),
                (
                    "capacity",
                    models.PositiveSmallIntegerField(
                        default=1, help_text="几名党员可以一起认领", verbose_name="可认领人数"
                    ),
                ),
                (
                    "claimed_count",
                    models.PositiveSmallIntegerField(default=0, verbose_name="已认领人数"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "待审核"),
                            ("published", "待认领"),
                            ("full", "已认满"),
                            ("fulfilled", "已实现"),
                            ("confirmed", "已确认"),
                            ("rejected", "未通过"),
                            ("cancelled", "已撤回"),
                            ("expired", "已过期"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                (
                    "review_note",
                    models.CharField(blank=True, max_length=300, verbose_name="审核意见"),
                ),
                (
                    "published_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="上墙时间"),
                ),
                (
                    "fulfilled_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="实现时间"),
                ),
                (
                    "confirmed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="确认时间"),
                ),
                (
                    "confirm_token_hash",
                    models.CharField(blank=True, max_length=64, null=True, unique=True),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="发布时间")),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "approved_by",
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
                    "community",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="wishes",
                        to="registry.division",
                        verbose_name="社区/村",
                    ),
                ),
                (
                    "household",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="wishes",
                        to="registry.household",
                        verbose_name="困难家庭",
                    ),
                ),
                (
                    "posted_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="发布人",
                    ),
                ),
            ],
            options={
                "verbose_name": "微心愿",
                "verbose_name_plural": "微心愿",
                "ordering": ["deadline", "id"],
                "indexes": [
                    models.Index(
                        fields=["status", "deadline"], name="wishes_wish_status_cef6d5_idx"
                    ),
                    models.Index(
                        fields=["community", "status"], name="wishes_wish_communi_412ab2_idx"
                    ),
                    models.Index(fields=["deadline", "id"], name="wishes_wish_deadlin_e234b6_idx"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("capacity__gte", 1)), name="wish_capacity_at_least_1"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("claimed_count__lte", models.F("capacity"))),
                        name="wish_never_over_claimed",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("estimated_cost__gte", 0)),
                        name="wish_cost_not_negative",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="WishClaim",
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
                        choices=[
                            ("active", "认领中"),
                            ("withdrawn", "已退出"),
                            ("lapsed", "已失效"),
                            ("fulfilled", "已实现"),
                        ],
                        default="active",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                ("due_on", models.DateField(verbose_name="应实现日期")),
                ("reason", models.CharField(blank=True, max_length=300, verbose_name="退出原因")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="认领时间")),
                ("ended_at", models.DateTimeField(blank=True, null=True, verbose_name="结束时间")),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="wish_claims",
                        to="registry.member",
                        verbose_name="认领党员",
                    ),
                ),
                (
                    "wish",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="claims",
                        to="wishes.wish",
                        verbose_name="微心愿",
                    ),
                ),
            ],
            options={
                "verbose_name": "心愿认领",
                "verbose_name_plural": "心愿认领",
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["member", "status"], name="wishes_wish_member__bacbfd_idx"
                    ),
                    models.Index(fields=["status", "due_on"], name="wishes_wish_status_3ab3f9_idx"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status", "active")),
                        fields=("wish", "member"),
                        name="wish_claim_one_active_per_member",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="WishEvent",
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
                            ("posted", "发布心愿"),
                            ("approved", "审核通过"),
                            ("rejected", "审核未通过"),
                            ("claimed", "认领"),
                            ("withdrawn", "退出认领"),
                            ("lapsed", "认领逾期失效"),
                            ("fulfilled", "实现心愿"),
                            ("confirmed", "确认实现"),
                            ("cancelled", "撤回心愿"),
                            ("expired", "心愿过期"),
                            ("link_issued", "生成确认码"),
                        ],
                        max_length=12,
                        verbose_name="事项",
                    ),
                ),
                (
                    "actor_name",
                    models.CharField(blank=True, max_length=60, verbose_name="操作人姓名"),
                ),
                (
                    "from_status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("pending", "待审核"),
                            ("published", "待认领"),
                            ("full", "已认满"),
                            ("fulfilled", "已实现"),
                            ("confirmed", "已确认"),
                            ("rejected", "未通过"),
                            ("cancelled", "已撤回"),
                            ("expired", "已过期"),
                        ],
                        max_length=10,
                        verbose_name="原状态",
                    ),
                ),
                (
                    "to_status",
                    models.CharField(
                        choices=[
                            ("pending", "待审核"),
                            ("published", "待认领"),
                            ("full", "已认满"),
                            ("fulfilled", "已实现"),
                            ("confirmed", "已确认"),
                            ("rejected", "未通过"),
                            ("cancelled", "已撤回"),
                            ("expired", "已过期"),
                        ],
                        max_length=10,
                        verbose_name="新状态",
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=300, verbose_name="说明")),
                ("at", models.DateTimeField(auto_now_add=True, verbose_name="时间")),
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
                    "claim",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="wishes.wishclaim",
                        verbose_name="认领",
                    ),
                ),
                (
                    "wish",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="wishes.wish",
                        verbose_name="微心愿",
                    ),
                ),
            ],
            options={
                "verbose_name": "心愿记录",
                "verbose_name_plural": "心愿记录",
                "ordering": ["wish_id", "at", "id"],
                "indexes": [
                    models.Index(fields=["wish", "at"], name="wishes_wish_wish_id_f7cc21_idx")
                ],
            },
        ),
        migrations.CreateModel(
            name="WishFulfilment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("note", models.TextField(max_length=2000, verbose_name="实现情况")),
                (
                    "money_spent",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=14, verbose_name="花费（元）"
                    ),
                ),
                ("fulfilled_at", models.DateTimeField(auto_now_add=True, verbose_name="实现时间")),
                (
                    "fulfilled_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="registry.member",
                        verbose_name="登记党员",
                    ),
                ),
                (
                    "wish",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="fulfilment",
                        to="wishes.wish",
                        verbose_name="微心愿",
                    ),
                ),
            ],
            options={
                "verbose_name": "心愿实现",
                "verbose_name_plural": "心愿实现",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("money_spent__gte", 0)),
                        name="wish_fulfilment_money_not_negative",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="WishPhoto",
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
                        max_length=200, upload_to="wishes/%Y/%m/", verbose_name="照片"
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
                    "fulfilment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="photos",
                        to="wishes.wishfulfilment",
                        verbose_name="心愿实现",
                    ),
                ),
            ],
            options={
                "verbose_name": "心愿照片",
                "verbose_name_plural": "心愿照片",
                "ordering": ["fulfilment_id", "id"],
            },
        ),
        migrations.CreateModel(
            name="WishSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "max_unfulfilled_claims",
                    models.PositiveSmallIntegerField(
                        default=3, verbose_name="每名党员最多同时认领"
                    ),
                ),
                (
                    "claim_period_days",
                    models.PositiveSmallIntegerField(
                        default=30, verbose_name="认领后应在几天内实现"
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "微心愿设置",
                "verbose_name_plural": "微心愿设置",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("max_unfulfilled_claims__gte", 1)),
                        name="wish_settings_max_at_least_1",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("claim_period_days__gte", 1)),
                        name="wish_settings_period_at_least_1",
                    ),
                ],
            },
        ),
    ]
