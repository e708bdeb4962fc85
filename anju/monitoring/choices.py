"""The checks of a monthly visit, as 《石城县2022年强化易地扶贫搬迁后续扶持工作的实施方案》 lists them
第3条 (每月回访: 五个变化、五种情况), and 两不愁三保障 with drinking water."""

FIVE_CHANGES = [
    ("members", "家庭成员数量"),
    ("health", "身体状况"),
    ("industry", "产业发展"),
    ("employment", "就业务工"),
    ("income", "人均收入"),
]
FIVE_SITUATIONS = [
    ("policies", "政策享受落实"),
    ("paired_cadre", "干部结对帮扶"),
    ("integration", "社区生活融入"),
    ("appeals", "合理诉求解决"),
    ("hardship", "突发困难问题"),
]
BASIC_NEEDS = [
    ("food", "吃饭"),
    ("clothing", "穿衣"),
    ("schooling", "义务教育"),
    ("medical", "基本医疗"),
    ("housing", "住房安全"),
    ("water", "饮水安全"),
]


def labels(choices, codes) -> list[str]:
    names = dict(choices)
    return [names.get(code, code) for code in codes]


# What a household reports on its self-report page, in its own words, with the national system's
# risk type each one points to (GLOSSARY "风险类型").
HARDSHIPS = [
    ("illness", "生病或受伤，医疗费用多"),
    ("schooling", "孩子上学有困难"),
    ("disability", "家里有人残疾"),
    ("disaster", "遭受自然灾害"),
    ("accident", "发生意外事故"),
    ("business", "种养殖或生意亏损"),
    ("job", "失业或务工不稳定"),
    ("labour", "家里缺劳动力"),
    ("housing", "住房不安全"),
    ("water", "饮水有困难"),
    ("other", "其他困难"),
]


# A visit's findings as a lead's hardships: what needs a door check by the loop.
VISIT_HARDSHIPS = {
    "medical": "illness",
    "schooling": "schooling",
    "housing": "housing",
    "water": "water",
    "food": "other",
    "clothing": "other",
}


# 监测对象类别 (the national procedure's 三类户).
CATEGORIES = [
    ("unstable", "脱贫不稳定户"),
    ("edge", "边缘易致贫户"),
    ("hardship", "突发严重困难户"),
]

# 风险类型 (GLOSSARY; the national system's list). Several may hold at once.
RISK_TYPES = [
    ("illness", "因病"),
    ("schooling", "因学"),
    ("disability", "因残"),
    ("disaster", "因自然灾害"),
    ("accident", "因意外事故"),
    ("business", "因产业项目失败"),
    ("employment", "因务工就业不稳"),
    ("labour", "缺劳动力"),
    ("other", "其他"),
]


# 帮扶措施 (GLOSSARY; the national system's types).
MEASURE_KINDS = [
    ("industry", "产业帮扶"),
    ("employment", "就业帮扶"),
    ("finance", "金融帮扶"),
    ("public_post", "公益岗位"),
    ("health", "健康帮扶"),
    ("compulsory_education", "义务教育保障"),
    ("other_education", "其他教育帮扶"),
    ("safety_net", "综合保障"),
    ("housing", "住房安全保障"),
    ("water", "饮水安全保障"),
    ("social", "社会帮扶"),
    ("relocation", "搬迁"),
    ("living_conditions", "生产生活条件改善"),
    ("infrastructure", "基础设施建设"),
    ("other", "其他"),
]

# The measures a plan suggests for each risk, by 《关于做好易地扶贫搬迁后续扶持工作 巩固拓展脱贫攻坚
# 成果的行动方案》三（一）: "缺什么，补什么"; a single risk gets a single measure, able to work →
# development measures (产业、就业), unable to work → 低保 / 特困 (综合保障).
SUGGESTED = {
    "illness": ["health", "safety_net"],
    "schooling": ["compulsory_education", "other_education"],
    "disability": ["safety_net", "health"],
    "disaster": ["housing", "social"],
    "accident": ["health", "social"],
    "business": ["industry", "finance"],
    "employment": ["employment", "public_post"],
    "labour": ["safety_net"],
    "other": ["other"],
}
