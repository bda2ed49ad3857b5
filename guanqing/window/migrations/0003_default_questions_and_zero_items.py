"""Version 1 of the rating choices (after GB/T 39734-2020's examples) and the article's "六零"."""

from django.db import migrations

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
    dependencies = [("window", "0002_ratings_and_zero_checklist")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
