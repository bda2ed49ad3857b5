"""The default catalogue of the four systems (六激励 · 六必谈 · 六必访 · 六必帮): local practice the
committee edits afterwards. Illness and discipline items are sensitive."""

from django.db import migrations

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
    dependencies = [("care", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
