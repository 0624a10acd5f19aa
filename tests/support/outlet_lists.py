"""Fictional outlet lists for the outlet tests (every outlet, number and company here is made up),
and a registry with lists of them imported."""

from __future__ import annotations

from pathlib import Path

from bot.outlets.registry import Registry
from bot.storage.database import Storage

HEADER = (
    "网点名称,品牌,所属企业,许可证号或备案号,类型,省份,城市,区县,地址,是否参保,参保时间,参保人数"
)

# Look-alike outlets: the same street under several brands, one name in two cities, sub-outlets.
ROWS = [
    "中通快递城西网点,中通,,JN-YZ-0001,许可,山东,济宁市,任城区,虚构路1号,是,2022-05,18",
    "中通快递城东网点,中通,,JN-YZ-0002,许可,山东,济宁市,任城区,虚构路2号,否,,",
    "圆通速递城西营业部,圆通,,JN-YZ-0003,许可,山东,济宁市,兖州区,虚构路3号,是,2022-06,11",
    "韵达快递城西分部,韵达,,GX-YZ-0004,许可,广西,柳州市,柳北区,虚构路4号,否,,",
    "顺丰速运古槐路营业点,顺丰,,JN-YZ-0005,许可,山东,济宁市,任城区,虚构路5号,是,2022-03,20",
    "京东物流古槐路站,京东,,JN-YZ-0006,许可,山东,济宁市,任城区,虚构路6号,否,,",
    "中通快递洸河路一部,中通,,JN-YZ-0007,许可,山东,济宁市,任城区,虚构路7号,是,2022-05,9",
    "中通快递洸河路二部,中通,,JN-YZ-0008,许可,山东,济宁市,任城区,虚构路8号,否,,",
    "圆通速递红星路网点,圆通,,JN-YZ-0009,许可,山东,济宁市,任城区,虚构路9号,是,2022-07,7",
    "圆通速递红星路网点,圆通,,GX-YZ-0010,许可,广西,南宁市,青秀区,虚构路10号,否,,",
    "韵达快递金宇路服务部,韵达,,JN-YZ-0011,许可,山东,济宁市,任城区,虚构路11号,是,2022-05,14",
    "百世快递琵琶山路网点,百世,济宁虚构百世物流有限公司,JN-BA-0012,备案,山东,济宁市,任城区,虚构路12号,否,,",
    "德邦快递宁安大道营业部,德邦,,JN-YZ-0013,许可,山东,济宁市,高新区,虚构路13号,是,2022-08,6",
    "申通快递太白湖新区网点,申通,,JN-YZ-0014,许可,山东,济宁市,太白湖新区,虚构路14号,是,2022-04,10",
    "极兔速递太白楼路网点,极兔,济宁虚构极兔快递有限公司,JN-BA-0015,备案,山东,济宁市,任城区,虚构路15号,是,2022-09,5",
    "邮政兖州揽投部,邮政,,鲁邮2022001,许可,山东,济宁市,兖州区,虚构路16号,是,2022-02,40",
    "申通快递红旗街网点,申通,,JL-YZ-0017,许可,吉林,长春市,朝阳区,虚构路17号,否,,",
    "顺丰速运北京路营业点,顺丰,吉林市虚构顺丰速运有限公司,JL-BA-0018,备案,吉林,吉林市,船营区,虚构路18号,是,2022-04,12",
    "菜鸟驿站幸福小区店,菜鸟,,,,上海,上海市,浦东新区,虚构路19号,否,,",
]


def csv_text(rows: list[str] = ROWS, header: str = HEADER) -> str:
    return header + "\n" + "\n".join(rows) + "\n"


def write(
    path: Path, rows: list[str] = ROWS, encoding: str = "utf-8", header: str = HEADER
) -> Path:
    path.write_bytes(csv_text(rows, header).encode(encoding))
    return path


def registry(
    database: Path,
    *lists: tuple[list[str], str, str],
    sample: bool | None = None,
    **options: int,
) -> Registry:
    """A registry (Registry's `options`) on a new database with `lists` imported in turn, each
    (rows, source, as_of) as a CSV file beside it; close its storage when done."""
    reg = Registry(Storage(database), **options)
    for i, (rows, source, as_of) in enumerate(lists):
        path = write(database.with_name(f"list{i}.csv"), rows)
        reg.import_csv(path, source, as_of, sample=sample)
    return reg


# Near-twins as officials' lists have them: one brand and place, told apart only by 服务部 /
# 营业部 / 网点 / 分部 / 驿站, 一部 / 二部, or the district in the name.
TWIN_ROWS = [
    "申通快递四平铁东区铁东大学城服务部,申通,,JL-YZ-0101,许可,吉林,四平市,铁东区,虚构路101号,是,2023-03,8",
    "申通快递四平铁东区铁东大学城网点,申通,,JL-YZ-0102,许可,吉林,四平市,铁东区,虚构路102号,否,,",
    "韵达快递四平英雄大街营业部,韵达,,JL-YZ-0103,许可,吉林,四平市,铁西区,虚构路103号,是,2023-01,12",
    "韵达快递四平英雄大街服务部,韵达,,JL-YZ-0104,许可,吉林,四平市,铁西区,虚构路104号,否,,",
    "圆通速递长春朝阳区红旗街营业部,圆通,,JL-YZ-0105,许可,吉林,长春市,朝阳区,虚构路105号,是,2023-02,9",
    "圆通速递长春南关区红旗街营业部,圆通,,JL-YZ-0106,许可,吉林,长春市,南关区,虚构路106号,否,,",
    "极兔速递柳州航银路一部,极兔,,GX-YZ-0107,许可,广西,柳州市,柳南区,虚构路107号,是,2023-05,6",
    "极兔速递柳州航银路二部,极兔,,GX-YZ-0108,许可,广西,柳州市,柳南区,虚构路108号,否,,",
    "韵达快递柳州鹅山路分部,韵达,,GX-YZ-0109,许可,广西,柳州市,柳南区,虚构路109号,是,2023-04,7",
    "韵达快递柳州鹅山路驿站,韵达,,GX-YZ-0110,许可,广西,柳州市,柳南区,虚构路110号,否,,",
    "韵达快递镇北路服务部,韵达,,GX-YZ-0112,许可,广西,柳州市,柳北区,虚构路112号,是,2023-04,5",
    "韵达快递镇北路营业部,韵达,,GX-YZ-0113,许可,广西,柳州市,柳北区,虚构路113号,否,,",
    "圆通速递翠柏市场一部,圆通,,JL-YZ-0114,许可,吉林,四平市,铁西区,虚构路114号,是,2023-06,4",
    "圆通速递翠柏市场二部,圆通,,JL-YZ-0115,许可,吉林,四平市,铁西区,虚构路115号,否,,",
    # a look-alike of 济宁's 中通快递城西网点 (ROWS) in another province
    "中通快递柳州城西营业部,中通,,GX-YZ-0111,许可,广西,柳州市,柳北区,虚构路111号,否,,",
]
_TIEDONG = "申通快递四平铁东区铁东大学城"
# What couriers type about them, with the outlet(s) meant: "exact" and "suffix" queries must be
# decided for that one outlet; "both" must be offered (all the outlets named), never decided —
# 网点 is what couriers call any outlet, so it does not tell a 网点 from a 服务部; "brand" alone
# is never decided either.
TWIN_QUERIES: list[tuple[str, tuple[str, ...], str]] = [
    (_TIEDONG + "服务部", (_TIEDONG + "服务部",), "exact"),
    (_TIEDONG + "网点", (_TIEDONG + "网点",), "exact"),
    ("申通快遞四平鐵東區鐵東大學城服務部", (_TIEDONG + "服务部",), "exact"),
    (_TIEDONG + "服务部有没有交工伤保险", (_TIEDONG + "服务部",), "exact"),
    ("申通 " + _TIEDONG[2:] + "网点", (_TIEDONG + "网点",), "exact"),
    ("韵达快递四平英雄大街营业部", ("韵达快递四平英雄大街营业部",), "exact"),
    ("圆通速递长春南关区红旗街营业部", ("圆通速递长春南关区红旗街营业部",), "exact"),
    ("极兔速递柳州航银路二部", ("极兔速递柳州航银路二部",), "exact"),
    ("韵达快递柳州鹅山路驿站", ("韵达快递柳州鹅山路驿站",), "exact"),
    ("中通快递洸河路一部", ("中通快递洸河路一部",), "exact"),
    # a full name inside a question, or with its own place typed before or after it
    ("请问" + _TIEDONG + "服务部交工伤保险了吗", (_TIEDONG + "服务部",), "exact"),
    (_TIEDONG + "服务部交了工伤保险没有", (_TIEDONG + "服务部",), "exact"),
    (_TIEDONG + "服务部有没有参保", (_TIEDONG + "服务部",), "exact"),
    (_TIEDONG + "网点参保了吗", (_TIEDONG + "网点",), "exact"),
    ("韵达快递四平英雄大街营业部交没交工伤保险", ("韵达快递四平英雄大街营业部",), "exact"),
    ("韵达快递四平英雄大街营业部（铁西区）", ("韵达快递四平英雄大街营业部",), "exact"),
    ("四平市韵达快递四平英雄大街服务部呢", ("韵达快递四平英雄大街服务部",), "exact"),
    (_TIEDONG + "服务部 吉林四平", (_TIEDONG + "服务部",), "exact"),
    ("吉林省四平市" + _TIEDONG + "网点交了没", (_TIEDONG + "网点",), "exact"),
    ("济宁中通快递城西网点", ("中通快递城西网点",), "exact"),
    ("圆通速递红星路网点（青秀区）", ("圆通速递红星路网点",), "exact"),  # 南宁's, not 济宁's
    ("申通铁东大学城服务部", (_TIEDONG + "服务部",), "suffix"),
    ("铁东大学城服务部 申通", (_TIEDONG + "服务部",), "suffix"),
    ("韵达英雄大街服务部", ("韵达快递四平英雄大街服务部",), "suffix"),
    ("韵达 英雄大街 营业部", ("韵达快递四平英雄大街营业部",), "suffix"),
    ("圆通朝阳区红旗街", ("圆通速递长春朝阳区红旗街营业部",), "suffix"),
    ("圆通南关区红旗街营业部", ("圆通速递长春南关区红旗街营业部",), "suffix"),
    ("极兔航银路一部", ("极兔速递柳州航银路一部",), "suffix"),
    ("极兔航银路2部", ("极兔速递柳州航银路二部",), "suffix"),
    ("韵达鹅山路驿站", ("韵达快递柳州鹅山路驿站",), "suffix"),
    ("鹅山路分部韵达", ("韵达快递柳州鹅山路分部",), "suffix"),
    ("中通洸河路一部", ("中通快递洸河路一部",), "suffix"),
    ("韵达 镇北路服务部", ("韵达快递镇北路服务部",), "suffix"),  # not the place 韵达镇
    ("翠柏市场二部 圆通", ("圆通速递翠柏市场二部",), "suffix"),  # 柏市 is not 百世 here
    ("申通铁东大学城", (_TIEDONG + "服务部", _TIEDONG + "网点"), "both"),
    ("申通铁东大学城网点", (_TIEDONG + "服务部", _TIEDONG + "网点"), "both"),
    ("韵达英雄大街", ("韵达快递四平英雄大街营业部", "韵达快递四平英雄大街服务部"), "both"),
    ("圆通红旗街", ("圆通速递长春朝阳区红旗街营业部", "圆通速递长春南关区红旗街营业部"), "both"),
    ("极兔航银路", ("极兔速递柳州航银路一部", "极兔速递柳州航银路二部"), "both"),
    ("韵达鹅山路", ("韵达快递柳州鹅山路分部", "韵达快递柳州鹅山路驿站"), "both"),
    ("中通洸河路", ("中通快递洸河路一部", "中通快递洸河路二部"), "both"),
    ("韵达 镇北路", ("韵达快递镇北路服务部", "韵达快递镇北路营业部"), "both"),
    ("圆通速递红星路网点", ("圆通速递红星路网点",), "both"),  # one name, two cities
    # a full name with another place around it: not that outlet's place, so offered, not decided
    ("南宁中通快递城西网点", ("中通快递城西网点",), "both"),
    ("韵达快递四平英雄大街营业部（铁东区）", ("韵达快递四平英雄大街营业部",), "both"),
    ("申通", (), "brand"),
    ("韵达快递", (), "brand"),
    ("极兔", (), "brand"),
]
