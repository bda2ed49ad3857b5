"""django-import-export Resources for units, members and households: Chinese headers and widgets.

The resources map Chinese column headers to field names and turn cells into Python values (and
back, for export). They never write: imports go through guanqing.registry.imports, which checks
every row and then calls the registry services.
"""

from __future__ import annotations

import dataclasses
import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from guanqing.core import sensitive
from guanqing.core.excel import ColumnSpec
from guanqing.core.ids import is_digits
from guanqing.core.policy import current_policy
from guanqing.core.roles import Role
from guanqing.registry.choices import DivisionLevel, Gender, HardshipCategory, MemberStatus, Rank
from guanqing.registry.models import Division
from guanqing.registry.services import masked

# ---------------------------------------------------------------------------------------------
# Widgets: clean() raises ValueError with a message naming what is expected
# ---------------------------------------------------------------------------------------------


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


class TextWidget(widgets.Widget):
    def __init__(self, max_length: int | None = None):
        super().__init__()
        self.max_length = max_length

    def clean(self, value, row=None, **kwargs):
        text = _as_text(value)
        if self.max_length and len(text) > self.max_length:
            raise ValueError(
                _("不能超过 %(max_length)s 个字（当前 %(value)s 个）")
                % {"max_length": self.max_length, "value": len(text)}
            )
        return text


class IdNumberWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, float):
            raise ValueError(
                _("Excel 把身份证号码当成了数字，末几位已丢失：请把该列设为“文本”格式后重新填写")
            )
        text = _as_text(value)
        if "*" in text:
            raise ValueError(
                _(
                    "这是脱敏后的号码（导出文件中的身份证号码已隐藏部分数字），请填写完整的身份证号码"
                )
            )
        try:
            return sensitive.validate_id_number(text)
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from None


class MobileWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = _as_text(value)
        if not text:
            return ""
        try:
            return sensitive.validate_mobile(text)
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from None


class PhoneWidget(widgets.Widget):
    """A mobile number, or a landline such as 0574-87654321."""

    def clean(self, value, row=None, **kwargs):
        text = _as_text(value)
        if not text:
            return ""
        if text.startswith("1"):
            return MobileWidget().clean(text)
        if not re.fullmatch(r"[0-9-]{7,13}", text):
            raise ValueError(_("联系电话应为手机号码或固定电话（如 0574-87654321）"))
        return text


class ChoiceWidget(widgets.Widget):
    """Accepts the Chinese label (低保户) or the code (minimum_living); exports the label."""

    def __init__(self, choices):
        super().__init__()
        self.choices = choices
        self.by_text = {}
        with translation.override(settings.LANGUAGE_CODE):
            for code, label in choices.choices:
                self.by_text[str(code).lower()] = code
                self.by_text[str(label)] = code

    @property
    def labels(self) -> list[str]:
        # the file's vocabulary: Chinese labels, whatever language the page speaks
        with translation.override(settings.LANGUAGE_CODE):
            return [str(label) for _code, label in self.choices.choices]

    def clean(self, value, row=None, **kwargs):
        text = _as_text(value)
        if not text:
            return ""
        code = self.by_text.get(text) or self.by_text.get(text.lower())
        if code is None:
            raise ValueError(
                _("“%(text)s”不是可选值，应为：%(values)s")
                % {"text": text, "values": "、".join(self.labels)}
            )
        return code

    def render(self, value, obj=None, **kwargs):
        if not value:
            return ""
        with translation.override(settings.LANGUAGE_CODE):
            return str(self.choices(value).label)


class DivisionCodeWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float):
            value = int(value)
        text = _as_text(value)
        if not text:
            return ""
        if not re.fullmatch(r"[0-9]{12}", text):
            raise ValueError(
                _("“%(text)s”不是 12 位统计用区划代码（如 330203001001）") % {"text": text}
            )
        return text


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


class DateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = _as_text(value)
        for fmt in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(_("“%(text)s”不是有效日期，应写作 2001-07-01") % {"text": text})

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class SortOrderWidget(widgets.Widget):
    def __init__(self):
        super().__init__(coerce_to_string=False)

    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return None
        text = _as_text(value)
        if not is_digits(text) or int(text) > 2_147_483_647:
            raise ValueError(_("“%(text)s”不是非负整数") % {"text": text})
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return value


# 统一社会信用代码 (GB 32100-2015): 18 characters from this alphabet, the last one a check character.
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


class CreditCodeWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = _as_text(value).upper().replace(" ", "")
        if not text:
            return ""
        if len(text) != 18 or any(c not in CREDIT_ALPHABET for c in text):
            raise ValueError(_("统一社会信用代码应为 18 位数字或大写字母（不含 I、O、Z、S、V）"))
        if credit_code_check_char(text[:17]) != text[17]:
            raise ValueError(_("统一社会信用代码校验位错误"))
        return text


# ---------------------------------------------------------------------------------------------
# Columns and resources
# ---------------------------------------------------------------------------------------------


class Column(fields.Field):
    """An import-export Field that also knows how its template column is described."""

    def __init__(
        self,
        *,
        header: str,
        attribute: str | None = None,
        widget=None,
        required: bool = False,
        help: str = "",
        example: str = "",
        text: bool = False,
        width: int = 14,
    ):
        super().__init__(attribute=attribute, column_name=header, widget=widget or TextWidget())
        self.required = required
        self.help = help
        self.example = example
        self.text = text
        self.width = width

    @property
    def spec(self) -> ColumnSpec:
        choices = self.widget.labels if isinstance(self.widget, ChoiceWidget) else ()
        return ColumnSpec(
            header=self.column_name,
            required=self.required,
            help=self.help,
            choices=choices,
            example=self.example,
            text=self.text,
            width=self.width,
        )


class RegistryResource(resources.Resource):
    """Shared behaviour: headers ↔ field names, masked ID numbers on export."""

    kind = ""
    title = ""
    notes: tuple[str, ...] = ()

    def __init__(self, policy=None, **kwargs):
        super().__init__(**kwargs)
        self.policy = policy

    def columns(self) -> list[Column]:
        return list(self.fields.values())

    def column_specs(self, user=None) -> list:
        """The columns as the template describes them; with a user, the examples are real records
        that user may import into (a community's code and name always belong together)."""
        examples = self.examples(user) if user is not None else {}
        return [
            dataclasses.replace(column.spec, example=examples[name])
            if name in examples
            else column.spec
            for name, column in self.fields.items()
        ]

    def examples(self, user) -> dict[str, str]:
        return {}

    def field_name_of(self, header: str) -> str | None:
        for name, column in self.fields.items():
            if column.column_name == header:
                return name
        return None

    def header_of(self, field_name: str) -> str:
        column = self.fields.get(field_name)
        return column.column_name if column is not None else ""

    def required_headers(self) -> list[str]:
        return [c.column_name for c in self.columns() if c.required]

    def dehydrate_id_number(self, obj) -> str:
        self.policy = self.policy or current_policy()
        return masked(obj, self.policy)

    def export_rows(self, queryset):
        """The exported rows, as lists in column order (masked ID numbers)."""
        return list(self.export(queryset=queryset))


# A community's code and name as the demo data registers them; used as the template's example
# when the database holds no community the user may import into.
EXAMPLE_COMMUNITY = ("330203003001", "徐家漕社区")


def example_community(user) -> tuple[str, str]:
    """(code, name) of a real, current community in the user's scope, else EXAMPLE_COMMUNITY."""
    communities = Division.objects.visible_to(user).current().filter(level=DivisionLevel.COMMUNITY)
    if user.role == Role.COMMUNITY_WORKER:
        communities = communities.filter(pk=user.community_id)
    found = communities.order_by("code").values_list("code", "name").first()
    return tuple(found) if found else EXAMPLE_COMMUNITY


UPDATE_NOTE = "已登记的记录将被更新：{match}；空白单元格保留原值。"
ALL_OR_NOTHING_NOTE = (
    "导入前逐行检查全部数据；只要有一行有错，整个文件都不会写入，请改正后重新上传。"
)
TEXT_NOTE = "身份证号码、代码、电话等列已设为文本格式，请勿改为数字格式，否则 Excel 会丢失末几位。"


class UnitResource(RegistryResource):
    kind = "units"
    title = "单位"
    notes = (
        UPDATE_NOTE.format(match="按“单位名称”匹配"),
        ALL_OR_NOTHING_NOTE,
    )

    name = Column(
        header="单位名称",
        attribute="name",
        widget=TextWidget(80),
        required=True,
        help="市直机关单位全称，最多 80 字；同名单位已存在时更新该单位",
        example="宁波市纪律检查委员会",
        width=28,
    )
    short_name = Column(
        header="简称",
        attribute="short_name",
        widget=TextWidget(30),
        help="最多 30 字",
        example="市纪委",
    )
    credit_code = Column(
        header="统一社会信用代码",
        attribute="credit_code",
        widget=CreditCodeWidget(),
        help="18 位，按 GB 32100 检查校验位",
        example="11330200002930436X",
        text=True,
        width=22,
    )
    address = Column(
        header="地址",
        attribute="address",
        widget=TextWidget(200),
        help="最多 200 字",
        example="宁波市鄞州区宁穿路2001号",
        width=30,
    )
    sort_order = Column(
        header="排序",
        attribute="sort_order",
        widget=SortOrderWidget(),
        help="非负整数，数字小的排在前面；不填为 0",
        example="10",
        width=8,
    )


class MemberResource(RegistryResource):
    kind = "members"
    title = "党员"
    notes = (
        UPDATE_NOTE.format(match="按“身份证号码”匹配"),
        ALL_OR_NOTHING_NOTE,
        TEXT_NOTE,
        "单位党务管理员只能导入本单位党员，“单位”列可不填。",
    )

    def examples(self, user) -> dict[str, str]:
        return {"home_community": example_community(user)[0]}

    name = Column(
        header="姓名",
        attribute="name",
        widget=TextWidget(50),
        required=True,
        help="最多 50 字",
        example="张三",
    )
    id_number = Column(
        header="身份证号码",
        attribute="id_number",
        widget=IdNumberWidget(),
        required=True,
        help="18 位居民身份证号码，检查校验位和出生日期；导出时按脱敏规则显示",
        example="330203196005170134",
        text=True,
        width=22,
    )
    gender = Column(
        header="性别",
        attribute="gender",
        widget=ChoiceWidget(Gender),
        help="不填时按身份证号码推算",
    )
    mobile = Column(
        header="手机号码",
        attribute="mobile",
        widget=MobileWidget(),
        help="11 位手机号码，以 13–19 开头",
        example="13800000000",
        text=True,
    )
    rank = Column(
        header="职级",
        attribute="rank",
        widget=ChoiceWidget(Rank),
        help="不填为“其他”",
    )
    unit = Column(
        header="单位",
        attribute="unit__name",
        widget=TextWidget(80),
        required=True,
        help="单位全称，须已在系统中登记且在您的管理范围内",
        example="市纪委",
        width=24,
    )
    branch = Column(
        header="所在支部",
        attribute="branch__name",
        widget=TextWidget(100),
        help="该单位已登记的党组织名称",
        example="市纪委机关第一党支部",
        width=24,
    )
    home_community = Column(
        header="居住社区代码",
        attribute="home_community__code",
        widget=DivisionCodeWidget(),
        help="居住地社区/村的 12 位统计用区划代码，用于进社区报到",
        example=EXAMPLE_COMMUNITY[0],
        text=True,
    )
    joined_party = Column(
        header="入党日期",
        attribute="joined_party",
        widget=DateWidget(),
        help="日期，如 2001-07-01；不能晚于今天",
        example="2001-07-01",
    )
    status = Column(
        header="状态",
        attribute="status",
        widget=ChoiceWidget(MemberStatus),
        help="不填为“在职”",
    )


class HouseholdResource(RegistryResource):
    kind = "households"
    title = "困难家庭"
    notes = (
        UPDATE_NOTE.format(match="按户主“身份证号码”匹配"),
        ALL_OR_NOTHING_NOTE,
        TEXT_NOTE,
        "社区工作者只能导入本社区/村的困难家庭。",
    )

    def examples(self, user) -> dict[str, str]:
        code, name = example_community(user)
        return {"community": code, "community_name": name}

    head_name = Column(
        header="户主姓名",
        attribute="head_name",
        widget=TextWidget(50),
        required=True,
        help="最多 50 字",
        example="张国宝",
    )
    id_number = Column(
        header="身份证号码",
        attribute="id_number",
        widget=IdNumberWidget(),
        required=True,
        help="户主的 18 位居民身份证号码，检查校验位和出生日期；导出时按脱敏规则显示",
        example="330203196005170134",
        text=True,
        width=22,
    )
    head_gender = Column(
        header="性别",
        attribute="head_gender",
        widget=ChoiceWidget(Gender),
        help="户主性别；不填时按身份证号码推算",
    )
    phone = Column(
        header="联系电话",
        attribute="phone",
        widget=PhoneWidget(),
        help="手机号码或固定电话（如 0574-87654321）",
        example="13900000000",
        text=True,
    )
    community = Column(
        header="社区/村代码",
        attribute="community__code",
        widget=DivisionCodeWidget(),
        required=True,
        help="所在社区/村的 12 位统计用区划代码；须在您的管理范围内",
        example=EXAMPLE_COMMUNITY[0],
        text=True,
    )
    community_name = Column(
        header="社区/村",
        attribute="community__name",
        widget=TextWidget(60),
        help="所在社区/村名称，仅用于核对，应与代码一致",
        example=EXAMPLE_COMMUNITY[1],
    )
    address = Column(
        header="住址",
        attribute="address",
        widget=TextWidget(200),
        help="最多 200 字",
        example="徐家漕小区 5 幢 201 室",
        width=28,
    )
    category = Column(
        header="困难类别",
        attribute="category",
        widget=ChoiceWidget(HardshipCategory),
        help="不填为“其他”",
    )
    situation = Column(
        header="家庭情况", attribute="situation", help="五清之一：家庭情况", width=24
    )
    hardship_cause = Column(
        header="致贫原因", attribute="hardship_cause", help="五清之一：致贫原因", width=24
    )
    outlook = Column(header="思想状况", attribute="outlook", help="五清之一：思想状况", width=24)
    skills = Column(header="个人专长", attribute="skills", help="五清之一：个人专长", width=24)
    needs = Column(header="帮扶需求", attribute="needs", help="五清之一：帮扶需求", width=24)


RESOURCES: dict[str, type[RegistryResource]] = {
    UnitResource.kind: UnitResource,
    MemberResource.kind: MemberResource,
    HouseholdResource.kind: HouseholdResource,
}
