"""Word pools for fictional people and enterprises of the demo county (pure data).

Person names are drawn from common surnames (weighted towards those frequent in the
Taihang mountains) and everyday given-name characters, so they read as plausible while
belonging to nobody in particular. Enterprise names always carry the fictional county's
name, which keeps them apart from any real company.
"""

from __future__ import annotations

import random

COUNTY = "太行示范县"

# Surname and relative weight. Frequent northern surnames first; 申, 牛, 郝, 靳, 暴 and
# 桑 are typical of the southern Taihang villages and give the data its local colour.
SURNAMES = [
    ("王", 9),
    ("李", 8),
    ("张", 8),
    ("刘", 6),
    ("郭", 5),
    ("赵", 4),
    ("杨", 4),
    ("申", 4),
    ("牛", 3),
    ("郝", 3),
    ("秦", 3),
    ("武", 3),
    ("段", 2),
    ("靳", 2),
    ("崔", 2),
    ("常", 2),
    ("陈", 2),
    ("宋", 2),
    ("马", 2),
    ("贾", 2),
    ("程", 2),
    ("冯", 2),
    ("韩", 2),
    ("侯", 2),
    ("原", 1),
    ("桑", 1),
    ("暴", 1),
    ("路", 1),
    ("岳", 1),
    ("魏", 1),
    ("许", 1),
    ("苗", 1),
    ("史", 1),
    ("连", 1),
    ("焦", 1),
    ("曹", 1),
    ("范", 1),
    ("吕", 1),
    ("田", 1),
    ("孟", 1),
]
MALE_CHARS = (
    "建国军平华明强伟勇志海林山春生福全保金文永俊立东新栓锁虎旺喜有成富贵德忠兴福来根宝锋刚斌磊鹏"
)
FEMALE_CHARS = "红英兰梅秀芳玉霞凤丽萍燕娟琴桂花云翠珍香娥莲巧彩荣素静艳"

# Parts of enterprise trade names (字号): two characters, one from each list.
BRAND_FIRST = "岳峰岭泰康仁德和瑞济安恒源丰润盛鑫禾本参芝泽元方太晋神百惠同天宏"
BRAND_SECOND = "源丰康泰和兴盛达隆信诚昌茂祥宁安润生草堂谷林山"

STREETS = ["人民路", "解放路", "新华街", "府前街", "药都大道", "太行大街", "工业路", "园区路"]


def person(rng: random.Random) -> tuple[str, str]:
    """A fictional person's (surname, given name): one or two given-name characters."""
    surname = rng.choices([s for s, _ in SURNAMES], weights=[w for _, w in SURNAMES])[0]
    pool = MALE_CHARS if rng.random() < 0.6 else FEMALE_CHARS
    given = "".join(rng.sample(pool, 1 if rng.random() < 0.25 else 2))
    return surname, given


def full_name(rng: random.Random) -> str:
    surname, given = person(rng)
    return surname + given


def brand(rng: random.Random) -> str:
    """A two-character trade name (字号) such as 岳康 or 禾丰."""
    while True:
        first, second = rng.choice(BRAND_FIRST), rng.choice(BRAND_SECOND)
        if first != second:
            return first + second
