"""Enumerations of the national monitoring system (GLOSSARY.md), as stored codes and labels.

Labels are what people type in Excel; imports accept the label (and a few everyday variants).
"""

from django.db import models


class Category(models.TextChoices):
    LIFTED = "lifted", "搬迁脱贫户"
    CO_RELOCATED = "co_relocated", "同步搬迁户"


class Settlement(models.TextChoices):
    CENTRALIZED = "centralized", "集中安置"
    DISPERSED = "dispersed", "分散安置"


class SafetyNet(models.TextChoices):
    NONE = "", "无"
    DIBAO = "dibao", "低保"
    TEKUN = "tekun", "特困供养"


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


RELATIONS = [
    "户主",
    "配偶",
    "之子",
    "之女",
    "之儿媳",
    "之女婿",
    "之孙子",
    "之孙女",
    "之外孙子",
    "之外孙女",
    "之父",
    "之母",
    "之岳父",
    "之岳母",
    "之公公",
    "之婆婆",
    "之祖父",
    "之祖母",
    "之兄弟姐妹",
    "其他",
]
HEAD = "户主"

ETHNICITIES = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
    "其他",
]

POLITICAL = ["中共党员", "中共预备党员", "共青团员", "民主党派", "群众"]

EDUCATION = ["文盲或半文盲", "小学", "初中", "高中", "中专", "大专", "本科及以上"]

SCHOOLING = [
    "学龄前儿童",
    "学前教育",
    "小学",
    "七至九年级",
    "普通高中",
    "中职",
    "高职高专",
    "技师学院",
    "本科",
    "硕士研究生及以上",
    "非在校生",
]
NOT_IN_SCHOOL = "非在校生"

HEALTH = ["健康", "长期慢性病", "患有大病", "残疾"]

LABOUR_SKILL = ["普通劳动力", "技能劳动力", "弱劳动力或半劳动力", "丧失劳动力", "无劳动力"]
# Who counts as "having labour capacity" in the seeds' site summaries.
WITH_LABOUR = {"普通劳动力", "技能劳动力", "弱劳动力或半劳动力"}

HUKOU = ["已迁入安置地", "未迁移（居住证）", "未迁移（易地扶贫搬迁市民证）", "未迁移"]

MEDICAL_INSURANCE = ["城乡居民基本医疗保险", "职工基本医疗保险", "大病保险"]
PENSION_INSURANCE = ["城乡居民养老保险", "职工养老保险"]

# Everyday spellings people type for a label.
ALIASES = {
    "education": {
        "文盲": "文盲或半文盲",
        "半文盲": "文盲或半文盲",
        "大学": "本科及以上",
        "本科": "本科及以上",
        "研究生": "本科及以上",
        "高中及中专": "高中",
    },
    "schooling": {
        "在校": None,
        "初中": "七至九年级",
        "高中": "普通高中",
        "学前": "学前教育",
        "不在校": "非在校生",
        "否": "非在校生",
    },
    "hukou": {
        "已迁入": "已迁入安置地",
        "迁入": "已迁入安置地",
        "居住证": "未迁移（居住证）",
        "市民证": "未迁移（易地扶贫搬迁市民证）",
        "未迁": "未迁移",
    },
    "category": {
        "脱贫户": "搬迁脱贫户",
        "建档立卡户": "搬迁脱贫户",
        "易地扶贫搬迁户": "搬迁脱贫户",
        "同步搬迁": "同步搬迁户",
    },
    "settlement": {"集中": "集中安置", "分散": "分散安置"},
    "safety_net": {"": "无", "否": "无", "特困": "特困供养", "五保": "特困供养", "低保户": "低保"},
    "political": {"党员": "中共党员", "团员": "共青团员"},
    "relation": {
        "本人": "户主",
        "妻": "配偶",
        "夫": "配偶",
        "妻子": "配偶",
        "丈夫": "配偶",
        "儿子": "之子",
        "女儿": "之女",
        "子": "之子",
        "女": "之女",
        "儿媳": "之儿媳",
        "女婿": "之女婿",
        "孙子": "之孙子",
        "孙女": "之孙女",
        "父亲": "之父",
        "母亲": "之母",
    },
}


# Person facts that take values from an enumeration: field → (labels, alias group, what users
# call it). The import, the services and the API all check against this one table.
PERSON_ENUMS = {
    "relation": (RELATIONS, "relation", "与户主关系"),
    "ethnicity": (ETHNICITIES, "", "民族"),
    "political_status": (POLITICAL, "political", "政治面貌"),
    "education": (EDUCATION, "education", "文化程度"),
    "schooling": (SCHOOLING, "schooling", "在校生状况"),
    "labour_skill": (LABOUR_SKILL, "", "劳动技能"),
    "hukou_status": (HUKOU, "hukou", "户籍状态"),
}
PERSON_MULTI = {
    "health": (HEALTH, "健康状况"),
    "medical_insurance": (MEDICAL_INSURANCE, "医疗保险"),
    "pension_insurance": (PENSION_INSURANCE, "养老保险"),
}
