"""Plausible synthetic personal data: Chinese names, mobile numbers, ID numbers, addresses.

Pure functions of a `random.Random`; nothing here is a real person. Surnames follow their
national frequency, nudged towards Shanghai (沈, 陆, 顾, 钱, 徐 …); given names follow the
fashion of the decade of birth. ID numbers carry a valid ISO 7064 MOD 11-2 check character.
"""

from __future__ import annotations

import datetime as dt
import random

# fmt: off
# (surname, relative frequency ‰) — national order, Shanghai's own surnames weighted up.
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 71), ("李", 62), ("张", 68), ("刘", 44), ("陈", 62), ("杨", 31), ("黄", 24),
    ("赵", 20), ("吴", 25), ("周", 24), ("徐", 26), ("孙", 15), ("马", 12), ("朱", 21),
    ("胡", 13), ("郭", 11), ("何", 12), ("高", 11), ("林", 11), ("罗", 9), ("郑", 9),
    ("梁", 7), ("谢", 8), ("宋", 7), ("唐", 8), ("许", 8), ("韩", 6), ("冯", 6), ("邓", 5),
    ("曹", 7), ("彭", 5), ("曾", 4), ("肖", 5), ("田", 4), ("董", 5), ("袁", 5), ("潘", 6),
    ("于", 4), ("蒋", 7), ("蔡", 6), ("余", 4), ("杜", 4), ("叶", 6), ("程", 4), ("苏", 4),
    ("魏", 3), ("吕", 4), ("丁", 5), ("任", 3), ("沈", 16), ("姚", 6), ("卢", 3), ("姜", 4),
    ("崔", 2), ("钟", 3), ("谭", 2), ("陆", 14), ("汪", 5), ("范", 4), ("金", 6), ("石", 2),
    ("廖", 2), ("贾", 2), ("夏", 4), ("付", 2), ("方", 4), ("邹", 2), ("孟", 2), ("秦", 2),
    ("江", 3), ("薛", 2), ("顾", 12), ("钱", 8), ("严", 3), ("戴", 3), ("汤", 3), ("龚", 3),
    ("邵", 3), ("倪", 3), ("俞", 4), ("施", 4), ("卫", 2), ("毛", 2), ("孔", 1), ("费", 2),
)
# fmt: on
_SURNAME_NAMES = [s for s, _ in SURNAMES]
_SURNAME_WEIGHTS = [w for _, w in SURNAMES]

# Given names by generation: born before 1960, 1960–1984, from 1985.
GIVEN_NAMES = {
    (
        "M",
        0,
    ): "建国 国强 建华 国平 志明 德明 永康 根宝 金宝 文彬 伟民 卫东 建军 福根 海生 荣根 明华 国华 振华 学军 兴华 裕德 鸿祥 金龙 其昌 德兴",
    (
        "F",
        0,
    ): "秀英 桂英 玉兰 凤英 美华 素珍 秀珍 月娥 翠英 菊芳 桂芳 丽华 金妹 爱华 惠珍 雅琴 佩华 静芬 红英 彩娣 杏娣 美娟 巧珍 秀兰 凤珍",
    (
        "M",
        1,
    ): "伟 勇 军 斌 强 磊 涛 俊 峰 健 华 明 敏杰 晓东 海涛 建峰 志刚 永明 卫国 文杰 宏伟 立新 国栋 振宇 晓峰 雪峰 一平",
    (
        "F",
        1,
    ): "丽 静 敏 燕 红 芳 霞 莉 琳 洁 晓燕 丽萍 海燕 春梅 慧 雯 佳 颖 蓓蕾 晓红 雪梅 文静 丽娟 静怡 晓琳 美玲 红梅",
    (
        "M",
        2,
    ): "浩 杰 宇 鑫 超 翔 昊天 子豪 俊杰 天宇 浩然 嘉豪 一鸣 晨 骏 轩 博文 子轩 宇航 思远 逸飞 诚 昕 哲 睿",
    (
        "F",
        2,
    ): "婷 雪 倩 琪 欣怡 思琪 佳怡 雨欣 诗涵 梦瑶 佳琪 晓雯 怡 蕾 婧 悦 心怡 子涵 嘉怡 雯婷 文婷 佳敏 晶晶 一帆 诗怡",
}
_GIVEN = {key: value.split() for key, value in GIVEN_NAMES.items()}

MOBILE_PREFIXES = (
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
    "180 181 182 183 185 186 187 188 189"
).split()

# Where ID numbers were issued: mostly Putuo and the rest of Shanghai, some other provinces.
ID_REGIONS: tuple[tuple[str, float], ...] = (
    ("310107", 55),  # 上海市普陀区
    ("310104", 5),  # 徐汇区
    ("310105", 5),  # 长宁区
    ("310106", 6),  # 静安区
    ("310109", 4),  # 虹口区
    ("310110", 4),  # 杨浦区
    ("310112", 3),  # 闵行区
    ("310101", 3),  # 黄浦区
    ("320102", 2),  # 南京市玄武区
    ("320508", 2),  # 苏州市姑苏区
    ("330106", 2),  # 杭州市西湖区
    ("340104", 2),  # 合肥市蜀山区
    ("360102", 1),  # 南昌市东湖区
    ("410105", 1),  # 郑州市金水区
    ("420106", 1),  # 武汉市武昌区
    ("510107", 1),  # 成都市武侯区
    ("370102", 1),  # 济南市历下区
)
_ID_CODES = [c for c, _ in ID_REGIONS]
_ID_WEIGHTS = [w for _, w in ID_REGIONS]
_ID_FACTORS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# Addresses of people who live outside the subdistrict.
OTHER_ADDRESSES = (
    "上海市普陀区真北路{n}弄{b}号{r}室",
    "上海市普陀区金沙江路{n}弄{b}号{r}室",
    "上海市普陀区铜川路{n}弄{b}号{r}室",
    "上海市普陀区真光路{n}弄{b}号{r}室",
    "上海市长宁区天山路{n}弄{b}号{r}室",
    "上海市静安区共和新路{n}弄{b}号{r}室",
    "上海市嘉定区曹安公路{n}弄{b}号{r}室",
    "上海市闵行区七莘路{n}弄{b}号{r}室",
    "上海市宝山区真华路{n}弄{b}号{r}室",
)


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of a mainland ID number."""
    total = sum(int(d) * f for d, f in zip(first17, _ID_FACTORS, strict=True))
    return _ID_CHECK[total % 11]


def id_number_is_valid(value: str) -> bool:
    return len(value) == 18 and value[:17].isdigit() and value[17] == check_character(value[:17])


def _generation(birth_year: int) -> int:
    return 0 if birth_year < 1960 else 1 if birth_year < 1985 else 2


class PersonalData:
    """Draws names, mobiles and ID numbers; mobiles and ID numbers never repeat."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._mobiles: set[str] = set()
        self._ids: set[str] = set()

    def gender(self) -> str:
        return self.rng.choice("MF")

    def name(self, gender: str, birth_year: int) -> str:
        surname = self.rng.choices(_SURNAME_NAMES, _SURNAME_WEIGHTS)[0]
        given = self.rng.choice(_GIVEN[(gender, _generation(birth_year))])
        return surname + given

    def mobile(self) -> str:
        while True:
            value = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if value not in self._mobiles:
                self._mobiles.add(value)
                return value

    def id_number(self, gender: str, birth_year: int, local: bool = True) -> str:
        while True:
            region = (
                "310107"
                if local and self.rng.random() < 0.6
                else self.rng.choices(_ID_CODES, _ID_WEIGHTS)[0]
            )
            born = dt.date(birth_year, 1, 1) + dt.timedelta(days=self.rng.randrange(365))
            serial = self.rng.randrange(100) * 10 + self.rng.choice(
                (1, 3, 5, 7, 9) if gender == "M" else (0, 2, 4, 6, 8)
            )
            first17 = f"{region}{born:%Y%m%d}{serial:03d}"
            value = first17 + check_character(first17)
            if value not in self._ids:
                self._ids.add(value)
                return value

    def other_address(self) -> str:
        template = self.rng.choice(OTHER_ADDRESSES)
        return template.format(
            n=self.rng.randrange(10, 1200),
            b=self.rng.randrange(1, 40),
            r=self.rng.randrange(1, 7) * 100 + self.rng.randrange(1, 5),
        )

    def landline(self) -> str:
        return f"021-{self.rng.choice(('5256', '5257', '6254', '6257', '6260'))}{self.rng.randrange(10**4):04d}"
