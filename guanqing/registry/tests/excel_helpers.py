"""Small xlsx files for tests: build a workbook in memory from headers and rows."""

from __future__ import annotations

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from guanqing.core.excel import XLSX_CONTENT_TYPE
from guanqing.testing.idnumbers import make_id_number

HOUSEHOLD_HEADERS = [
    "户主姓名",
    "身份证号码",
    "性别",
    "联系电话",
    "社区/村代码",
    "社区/村",
    "住址",
    "困难类别",
    "家庭情况",
    "致贫原因",
    "思想状况",
    "个人专长",
    "帮扶需求",
]
MEMBER_HEADERS = [
    "姓名",
    "身份证号码",
    "性别",
    "手机号码",
    "职级",
    "单位",
    "所在支部",
    "居住社区代码",
    "入党日期",
    "状态",
]
UNIT_HEADERS = ["单位名称", "简称", "统一社会信用代码", "地址", "排序"]


def xlsx_bytes(headers: list[str], rows: list[list[object]], title: str = "Sheet1") -> bytes:
    """An xlsx workbook whose first sheet holds `headers` in row 1 and `rows` below."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx_upload(headers, rows, name: str = "import.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx_bytes(headers, rows), content_type=XLSX_CONTENT_TYPE)


def id_number(sequence: int, birth: datetime.date = datetime.date(1985, 3, 9)) -> str:
    """A checksum-valid ID number unlikely to collide with the factories' numbers."""
    return make_id_number("330203", birth, sequence)


def bad_checksum(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("0" if last != "0" else "1")


def household_row(sequence: int, community_code: str, **changes) -> list[object]:
    values = {
        "户主姓名": f"导入户主{sequence}",
        "身份证号码": id_number(sequence),
        "性别": "",
        "联系电话": f"1390000{sequence:04d}",
        "社区/村代码": community_code,
        "社区/村": "",
        "住址": f"测试路 {sequence} 号",
        "困难类别": "低保户",
        "家庭情况": "独居",
        "致贫原因": "因病",
        "思想状况": "积极",
        "个人专长": "",
        "帮扶需求": "日常照料",
    }
    values.update(changes)
    return [values[h] for h in HOUSEHOLD_HEADERS]


def household_sample(community_code: str, rows: int = 3, bad_row: int | None = 3) -> bytes:
    """`rows` households; the data row shown in Excel as row `bad_row` has a bad ID checksum."""
    data = []
    for n in range(rows):
        row = household_row(900 + n, community_code)
        if bad_row is not None and n + 2 == bad_row:
            row[1] = bad_checksum(row[1])
        data.append(row)
    return xlsx_bytes(HOUSEHOLD_HEADERS, data)


def member_row(sequence: int, unit_name: str, **changes) -> list[object]:
    values = {
        "姓名": f"导入党员{sequence}",
        "身份证号码": id_number(sequence, datetime.date(1979, 6, 1)),
        "性别": "男",
        "手机号码": f"1370000{sequence:04d}",
        "职级": "科级",
        "单位": unit_name,
        "所在支部": "",
        "居住社区代码": "",
        "入党日期": "2005-07-01",
        "状态": "在职",
    }
    values.update(changes)
    return [values[h] for h in MEMBER_HEADERS]
