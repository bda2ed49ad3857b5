"""The audit log's indexes, each written for every record and again when it is sealed: the one on
object_type alone (the (object_type, object_id) index serves it) and the pattern (LIKE) indexes
PostgreSQL kept beside action and object_type go, action keeps a plain index; and an index of
the records still to seal, which the seal reads a thousand at a time in id order."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0008_groupcount'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('create', '新增'), ('update', '修改'), ('delete', '删除'), ('import', '导入'), ('export', '导出'), ('login', '登录'), ('logout', '退出'), ('login_failed', '登录失败'), ('locked_out', '账号锁定'), ('role_change', '角色变更'), ('password_change', '密码修改'), ('reveal', '查看敏感信息'), ('policy_change', '策略变更'), ('token', '签发令牌')], max_length=20, verbose_name='操作'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='object_type',
            field=models.CharField(blank=True, max_length=60, verbose_name='对象类型'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(condition=models.Q(('seq__isnull', True)), fields=['id'], name='core_audit_unsealed'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['action'], name='core_audite_action_9297cd_idx'),
        ),
    ]
