"""就业类型 as the employment issue lists them from the seeds (《清涧县易地扶贫搬迁后续扶持》的就业帮扶,
《关于做好易地扶贫搬迁后续扶持工作 巩固拓展脱贫攻坚成果的行动方案》三（二）的六个渠道)."""

KINDS = [
    ("outside_province", "省外转移就业"),
    ("in_province", "省内县外转移就业"),
    ("in_county", "县内就业"),
    ("local_enterprise", "本地企业就业"),
    ("workshop", "帮扶车间就业"),
    ("public_post", "公益岗位"),
    ("work_relief", "以工代赈"),
    ("self_employed", "自主创业"),
    ("flexible", "灵活就业"),
    ("farming", "务农"),
]

# Why a job ended: a lost job (失业) registers unemployment and opens one-to-one help; the others
# do not (a new job follows, or the person left the labour force).
END_REASONS = [
    ("lost", "失业（被辞退、企业停工、合同到期未续）"),
    ("changed", "换工作"),
    ("quit", "主动离职，暂不就业"),
    ("retired", "退休或丧失劳动能力"),
]

# Where a posting comes from (岗位来源, 《榕江县易地扶贫搬迁后续扶持》附件2 岗位信息数据库).
SOURCES = [
    ("paired_city", "对口帮扶城市"),
    ("county_park", "县内园区企业"),
    ("local", "本地企业"),
    ("workshop", "帮扶车间"),
    ("public_post", "公益岗位"),
    ("other", "其他"),
]
PAY_KINDS = [("monthly", "月薪"), ("daily", "日薪"), ("piece", "计件")]
SEXES = [("", "不限"), ("M", "男"), ("F", "女")]

# Where a person will work / where a posting is (转移就业的去向).
AREAS = [
    ("county", "县内"),
    ("province", "省内县外"),
    ("outside", "省外"),
]
WHERE = [("any", "不限"), *AREAS]

# A push (一对一推送、送岗入户) followed to its end.
PUSH_STATUSES = [
    ("recommended", "已推荐"),
    ("contacted", "已联系"),
    ("interviewed", "已面试"),
    ("hired", "已录用"),
    ("declined", "未录用或放弃"),
]

# 帮扶车间 and 就业帮扶基地 (《关于做好易地扶贫搬迁后续扶持工作巩固拓展脱贫攻坚成果的行动方案》三（二）的车间工坊,
# 《榕江县易地扶贫搬迁培训和就业服务体系建设工作方案》的就业扶贫车间、就业扶贫基地).
WORKSHOP_KINDS = [("workshop", "帮扶车间"), ("base", "就业帮扶基地")]

# 公益岗位 types, in the words of 《石城县2022年强化易地扶贫搬迁后续扶持工作的实施方案》第15条: 生态护林、
# 保洁保安、村务管理、乡村水管、社区管理、宣传员、信息员“等”, hence 其他.
POST_TYPES = [
    ("forest", "生态护林"),
    ("cleaning_security", "保洁保安"),
    ("village_affairs", "村务管理"),
    ("water", "乡村水管"),
    ("community", "社区管理"),
    ("publicity", "宣传员"),
    ("information", "信息员"),
    ("other", "其他公益岗位"),
]

# Other counties name the same posts differently: 《榕江县易地扶贫搬迁后续扶持工作方案》 has 保洁员、
# 保安员、文化活动室管理员; local sheets have 护林员、村级保洁员、协管员、协理员、公益性扶贫专岗. A typed
# word is read into the seed's type, so one post is never kept under two names.
POST_TYPE_WORDS = {
    **{label: code for code, label in POST_TYPES},
    "护林员": "forest",
    "生态护林员": "forest",
    "保洁": "cleaning_security",
    "保安": "cleaning_security",
    "保洁员": "cleaning_security",
    "保安员": "cleaning_security",
    "村务协管员": "village_affairs",
    "村务管理员": "village_affairs",
    "水管员": "water",
    "乡村水管员": "water",
    "文化活动室管理员": "community",
    "社区协管员": "community",
    "社区管理员": "community",
    "宣传": "publicity",
    "信息": "information",
    "信息协理员": "information",
    "村级保洁员": "cleaning_security",
    "社区保洁公益岗位": "cleaning_security",
    "协管": "community",
    "协管员": "community",
    "协理员": "village_affairs",
    "公益性岗位": "other",
    "公益性扶贫专岗": "other",
    "其他": "other",
}

# 培训类型 (the employment issue, from 《石城县2022年强化易地扶贫搬迁后续扶持工作的实施方案》第11条:
# “订单式”培训、定向定岗培训、以工代训; 创业培训 and 农业实用技术 from the 王益 and 榕江 plans).
COURSE_KINDS = [
    ("order", "订单式培训"),
    ("directed", "定向培训"),
    ("post", "定岗培训"),
    ("work_training", "以工代训"),
    ("startup", "创业培训"),
    ("farming", "农业实用技术培训"),
]

# 生活交通费补贴 by course class (王益区《关于加强易地扶贫搬迁贫困劳动力就业服务的实施方案》三（一）:
# 按照课时分类给予每人每天20元或50元). The code is the amount a day, in yuan. A course without a
# class is paid the place's standard (榕江: 全日制培训 40 元/天), see subsidies.training_living.
ALLOWANCE_CLASSES = [
    ("", "不分档（按当地标准）"),
    ("20", "每人每天 20 元"),
    ("50", "每人每天 50 元"),
]
