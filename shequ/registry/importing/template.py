"""The blank import template: a title, an instruction row, the headers and
one example row (its name starts with "（示例）", so an import skips it)."""

import io

from django.utils import translation
from django.utils.translation import gettext as _

from shequ.core.exports import neutralise
from shequ.registry.importing.headers import FIELDS

EXAMPLE = {
    "name": "（示例）张三",
    "gender": "男",
    "ethnicity": "汉族",
    "id_number": "21020219800102003X",
    "birth_date": "1980-01-02",
    "mobile": "",
    "other_phone": "0411-84567890",
    "id_document_type": "",
    "id_document_number": "",
    "building": "1号楼",
    "unit": "1单元",
    "room": "101",
    "household_number": "",
    "relation_to_head": "户主",
    "registered_address": "辽宁省大连市中山区",
    "residence_type": "户籍",
    "living_status": "常住",
    "work_or_school": "",
    "notes": "",
    "tags": "退役军人、党员",
}


def template_bytes() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("居民信息")
    sheet.append([_("居民信息导入模板")])
    sheet.append(
        [
            _(
                "填写说明：第3行是表头，请勿修改；示例行导入时自动跳过，可删除。身份证号请设为“文本”格式，"
                "以免 Excel 把它变成数字丢失末几位。楼栋、单元须与系统中的名称或编号一致（如“1号楼”或“1”）；"
                "同一户的多人可只在第一行填写楼栋、单元、室（其余行留空即沿用上一行）。"
                "人口类型：户籍/流动/境外；与户主关系：户主/配偶/子女/父母等；重点人群可填多个，用顿号分隔。"
                "其他电话可填带区号的固定电话（如 0411-84567890 转 123）。"
                "境外人员、港澳台居民无公民身份号码时，填写证件类型（护照、港澳居民来往内地通行证、"
                "台湾居民来往大陆通行证、外国人永久居留身份证、港澳台居民居住证、其他）和其他证件号码。"
            )
        ]
    )
    # Headers stay in Chinese whatever the user's language: they are the file
    # format the importer recognises (headers.py), not text for the reader.
    with translation.override("zh-hans"):
        sheet.append([str(label) for label in FIELDS.values()])
    sheet.append([neutralise(EXAMPLE.get(name, "")) for name in FIELDS])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    text_columns = [
        list(FIELDS).index(name) + 1 for name in ("id_number", "other_phone", "id_document_number")
    ]
    for row in range(4, 504):
        for column in text_columns:
            sheet.cell(row=row, column=column).number_format = "@"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
