"""The demo herb catalogue: six herbs of the Taihang mountains with their 规格等级.

Yields are fresh weight per 亩 at harvest (what a harvest record weighs); the fresh:dry
ratios are the usual 折干率 after primary processing. Both are ranges within which a
record is plausible; outside them a later harvest or drying record is flagged for review.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal as D

from daodi.catalog.choices import PartUsed
from daodi.catalog.ranges import purchase_ranges

from .rows import GradeRow, HerbRow

HERBS = [
    HerbRow(
        code="dangshen",
        name="党参",
        trade_name="潞党参",
        pinyin="dangshen",
        latin_name="Codonopsis pilosula (Franch.) Nannf.",
        material_name="党参",
        material_latin="Codonopsis Radix",
        part_used=PartUsed.ROOT.value,
        yield_min_kg_per_mu=D("300.0"),
        yield_max_kg_per_mu=D("1000.0"),
        dry_ratio_min=D("2.50"),
        dry_ratio_max=D("3.80"),
    ),
    HerbRow(
        code="lianqiao",
        name="连翘",
        trade_name="",
        pinyin="lianqiao",
        latin_name="Forsythia suspensa (Thunb.) Vahl",
        material_name="连翘",
        material_latin="Forsythiae Fructus",
        part_used=PartUsed.FRUIT.value,
        # Mostly semi-wild shrubs on slopes: low yields per 亩. 老翘 dries on the branch
        # (about 1.3:1); 青翘 is steamed green and dries to about a third.
        yield_min_kg_per_mu=D("80.0"),
        yield_max_kg_per_mu=D("400.0"),
        dry_ratio_min=D("1.20"),
        dry_ratio_max=D("3.50"),
    ),
    HerbRow(
        code="huangqin",
        name="黄芩",
        trade_name="",
        pinyin="huangqin",
        latin_name="Scutellaria baicalensis Georgi",
        material_name="黄芩",
        material_latin="Scutellariae Radix",
        part_used=PartUsed.ROOT.value,
        yield_min_kg_per_mu=D("400.0"),
        yield_max_kg_per_mu=D("1200.0"),
        dry_ratio_min=D("2.20"),
        dry_ratio_max=D("3.20"),
    ),
    HerbRow(
        code="chaihu",
        name="柴胡",
        trade_name="北柴胡",
        pinyin="chaihu",
        latin_name="Bupleurum chinense DC.",
        material_name="柴胡",
        material_latin="Bupleuri Radix",
        part_used=PartUsed.ROOT.value,
        yield_min_kg_per_mu=D("150.0"),
        yield_max_kg_per_mu=D("400.0"),
        dry_ratio_min=D("2.00"),
        dry_ratio_max=D("3.00"),
    ),
    HerbRow(
        code="shanzhuyu",
        name="山茱萸",
        trade_name="山萸肉",
        pinyin="shanzhuyu",
        latin_name="Cornus officinalis Sieb. et Zucc.",
        material_name="山茱萸",
        material_latin="Corni Fructus",
        part_used=PartUsed.PERICARP.value,
        # Fresh fruit to dried flesh (果肉): the stone is removed, hence the high ratio.
        yield_min_kg_per_mu=D("200.0"),
        yield_max_kg_per_mu=D("800.0"),
        dry_ratio_min=D("4.00"),
        dry_ratio_max=D("8.00"),
    ),
    HerbRow(
        code="huajiao",
        name="花椒",
        trade_name="大红袍花椒",
        pinyin="huajiao",
        latin_name="Zanthoxylum bungeanum Maxim.",
        material_name="花椒",
        material_latin="Zanthoxyli Pericarpium",
        part_used=PartUsed.PERICARP.value,
        yield_min_kg_per_mu=D("150.0"),
        yield_max_kg_per_mu=D("450.0"),
        dry_ratio_min=D("3.00"),
        dry_ratio_max=D("4.20"),
    ),
]
# The catalogue's plausible purchase ranges (catalog/data/purchase_ranges.csv).
HERBS = [dataclasses.replace(h, **purchase_ranges().get(h.code, {})) for h in HERBS]

# herb code, specification (规格), grade (等级), description
_GRADES = [
    ("dangshen", "", "统货", "条长短粗细不分，无霉变、虫蛀。"),
    ("dangshen", "", "一等", "芦下直径1.0 cm以上，条长，皮细，断面黄白色，有菊花心。"),
    ("dangshen", "", "二等", "芦下直径0.8 cm以上。"),
    ("dangshen", "", "三等", "芦下直径0.5 cm以上，油条不超过10%。"),
    ("lianqiao", "青翘", "统货", "未成熟青绿果实蒸煮后晒干，多不开裂。"),
    ("lianqiao", "青翘", "选货", "青绿色，个大饱满，不开裂，无枝梗。"),
    ("lianqiao", "老翘", "统货", "熟透黄褐果实，多自顶端开裂，种子多已脱落。"),
    ("huangqin", "", "统货", "条芩、枯芩混装。"),
    ("huangqin", "条芩", "一等", "条长10 cm以上，中部直径1 cm以上，去净粗皮。"),
    ("huangqin", "条芩", "二等", "条长4 cm以上，中部直径1 cm以下。"),
    ("huangqin", "枯芩", "统货", "老根中空，枯心，片块不分大小。"),
    ("chaihu", "", "统货", "根头残茎不超过1.5 cm，无须毛。"),
    ("chaihu", "选货", "一等", "主根粗壮，直径0.6 cm以上。"),
    ("chaihu", "选货", "二等", "直径0.4 cm以上。"),
    ("shanzhuyu", "", "统货", "果肉紫红色至紫黑色，果核不超过3%。"),
    ("shanzhuyu", "选货", "一等", "果肉肥厚，色鲜红油润，果核不超过1%。"),
    ("shanzhuyu", "选货", "二等", "果肉色暗红，果核不超过3%。"),
    ("huajiao", "", "统货", "果皮红色至紫红色，闭眼椒和椒籽不超过8%。"),
    ("huajiao", "", "一等", "色鲜红，粒大均匀，闭眼椒和椒籽不超过3%，无枝梗。"),
    ("huajiao", "", "二等", "色红，闭眼椒和椒籽不超过6%。"),
]
GRADES = [
    GradeRow(herb=h, specification=s, grade=g, description=d, sort_order=i)
    for i, (h, s, g, d) in enumerate(_GRADES)
]

# Trade items: (herb, specification, grade, pack, net quantity, unit). A bulk item is
# sold by weight, so in GS1 terms it is a variable-measure item (GTIN-14 indicator 9);
# the 500 g bag is a fixed-measure consumer unit (indicator 0).
BULK = "散装"
BAG_500G = "500 g 袋"
TRADE_ITEMS = [
    ("dangshen", "", "统货", BULK, None, "kg"),
    ("dangshen", "", "一等", BULK, None, "kg"),
    ("dangshen", "", "一等", BAG_500G, D("500"), "g"),
    ("lianqiao", "青翘", "统货", BULK, None, "kg"),
    ("lianqiao", "青翘", "选货", BAG_500G, D("500"), "g"),
    ("lianqiao", "老翘", "统货", BULK, None, "kg"),
    ("huangqin", "条芩", "一等", BULK, None, "kg"),
    ("chaihu", "", "统货", BULK, None, "kg"),
    ("shanzhuyu", "", "统货", BULK, None, "kg"),
    ("shanzhuyu", "选货", "一等", BAG_500G, D("500"), "g"),
    ("huajiao", "", "一等", BAG_500G, D("500"), "g"),
]

# The English of the trade's grade words and packs (中药材商品规格等级), for the catalogue's
# English names.
GRADE_WORDS_EN = {
    "统货": "ungraded",
    "选货": "selected",
    "一等": "grade 1",
    "二等": "grade 2",
    "三等": "grade 3",
    "青翘": "green fruit (qingqiao)",
    "老翘": "ripe fruit (laoqiao)",
    "条芩": "young roots (tiaoqin)",
    "枯芩": "old roots (kuqin)",
}
PACKS_EN = {"散装": "bulk", "500 g 袋": "500 g bag", "250 g 袋": "250 g bag", "1 kg 袋": "1 kg bag"}


def grade_english(specification: str, grade: str) -> str:
    """A grade's English name from its words (选货·一等 → selected, grade 1); '' when a
    word has none."""
    words = [w for w in (specification, grade) if w]
    if not all(w in GRADE_WORDS_EN for w in words):
        return ""
    return ", ".join(GRADE_WORDS_EN[w] for w in words)
