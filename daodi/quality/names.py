"""Test items in English, for English pages (pure).

Specification items name their test item as the Chinese Pharmacopoeia does (水分, 总灰分,
醇溶性浸出物, 热浸法, 稀乙醇). An English page reads the standard terms from the glossary
below, and a marker compound by the English name the item carries in brackets
(连翘苷 (phillyrin, C27H34O11) → phillyrin, C27H34O11). An item with neither stays as
written.
"""

from __future__ import annotations

import re

# The Pharmacopoeia's general test items and the words their names are made of, longest
# first so that 酸不溶性灰分 is read before 灰分.
GLOSSARY = {
    "醇溶性浸出物": "alcohol-soluble extractives",
    "水溶性浸出物": "water-soluble extractives",
    "二氧化硫残留量": "sulphur dioxide residue",
    "酸不溶性灰分": "acid-insoluble ash",
    "水饱和正丁醇": "water-saturated n-butanol",
    "黄曲霉毒素": "aflatoxin",
    "总灰分": "total ash",
    "挥发油": "volatile oil",
    "过氧化值": "peroxide value",
    "羰基值": "carbonyl value",
    "酸败度": "rancidity",
    "热浸法": "hot maceration",
    "冷浸法": "cold maceration",
    "稀乙醇": "dilute ethanol",
    "酸值": "acid value",
    "水分": "water",
    "杂质": "foreign matter",
    "果核": "stones",
    "果梗": "stalks",
    "乙醇": "ethanol",
    "铅": "lead",
    "镉": "cadmium",
    "砷": "arsenic",
    "汞": "mercury",
    "铜": "copper",
}
_WORDS = re.compile("|".join(sorted(map(re.escape, GLOSSARY), key=len, reverse=True)))
_HAN = re.compile(r"[\u4e00-\u9fff]")
_BRACKETED = re.compile(r"\(([^()]*[A-Za-z][^()]*)\)")


def english(test_item: str) -> str | None:
    """The English name of a test item, or None when neither the glossary nor the item's
    own brackets give one."""
    text = test_item.strip()
    words = _WORDS.sub(lambda m: GLOSSARY[m.group(0)], text)
    if not _HAN.search(words):
        return words[:1].upper() + words[1:]
    # A compound named in English in brackets: each bracket names one (a + b sums).
    found = [m.group(1).strip() for m in _BRACKETED.finditer(text)]
    found = [f for f in found if f.lower() != "total"]  # a remark, not a name
    if found and len(found) == text.count("("):
        joined = " + ".join(found)
        return joined if not _HAN.search(joined) else None
    return None
