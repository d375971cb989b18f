"""The messy ledger of the tests: what a real community spreadsheet looks like."""

from datetime import datetime

from shequ.registry.tests.importing.conftest import valid_id, xlsx_bytes

HEAD_ID = valid_id("21020219800102003")  # male (3), 1980-01-02
WIFE_ID = valid_id("21020219820305002")  # female
CHILD_ID = valid_id("21020220100607001")  # male
NEIGHBOUR_ID = valid_id("21020219751111005")  # male
BAD_CHECK = HEAD_ID[:17] + ("0" if HEAD_ID[17] != "0" else "1")
OLD_ID = valid_id("21020219500808004")  # female


def messy_rows(building: str) -> list[list]:
    """Two title rows, synonym headers (with a newline, a zero-width space, a
    full-width space), merged-style blanks, several date forms, an Excel
    serial, an ID stored as a number, a bad check digit and a duplicate."""
    return [
        ["XX社区居民信息台账（2026年）"],
        ["填报单位：A1a网格", None, None, "填报日期：2026-11-01"],
        [
            "序号",
            "姓\n名",
            "性别",
            "身份证号\u200b",
            "出生年月",
            "手机号",
            "楼号",
            "单元",
            "房号",
            "与户主关系",
            "人口类型",
            "人员类别",
            "备注",
        ],
        [
            1,
            "张　三",
            "男",
            HEAD_ID,
            "1980-01-02",
            "１３８００００００００",
            building,
            "1单元",
            "101室",
            "户主",
            "户籍",
            "退役军人",
            "@SUM(1)",
        ],
        [
            2,
            "李四",
            "女",
            WIFE_ID,
            "1982/3/5",
            "+86 139-0000-0000",
            None,
            None,
            None,
            "妻子",
            "户籍",
            None,
            None,
        ],
        [
            3,
            "张小宝",
            "男",
            CHILD_ID,
            "2010年6月7日",
            None,
            None,
            None,
            None,
            "儿子",
            None,
            None,
            None,
        ],
        [
            4,
            "王五",
            "男",
            NEIGHBOUR_ID,
            "19751111",
            None,
            building,
            "1",
            "102",
            "户主",
            "流动人口",
            None,
            None,
        ],
        [
            5,
            "赵六",
            "女",
            OLD_ID,
            datetime(1950, 8, 8),
            None,
            None,
            None,
            "102",
            "母亲",
            None,
            None,
            None,
        ],
        [
            6,
            "钱七",
            "男",
            2.10202199001011e17,
            "1990.1.1",
            None,
            building,
            "1",
            "103",
            "户主",
            None,
            None,
            None,
        ],
        [7, "孙八", "男", BAD_CHECK, None, None, None, None, "103", "兄", None, None, "-2+3"],
        [8, "张三", "男", HEAD_ID, 29222, None, building, "1", "101", "户主", None, None, None],
    ]


def messy_xlsx(building: str = "1号楼") -> bytes:
    return xlsx_bytes({"居民": messy_rows(building)})
