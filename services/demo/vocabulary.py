"""Chinese vocabulary for the demo-data generator (``services.demo``).

Everything here is plain data: names of sectors and committees, place-name syllables,
employers and titles, and the phrase templates that compose the free-text fields
(registration forms, problems, opinion reports, activities, topics and proposals).
The texts are fictional; department names are the usual names of a city government.
"""

from dataclasses import dataclass
from enum import StrEnum

from models.enums import Channel, OrgLevel, VisitOccasion


class IssueCategory(StrEnum):
    """What an issue is about: the opinion category (``OPINION_CATEGORIES``) it is filed
    under, and what a sector's members mostly raise."""

    LIVELIHOOD = "livelihood"
    ECONOMY = "economy"
    EDUCATION = "education"
    HEALTH = "health"
    ECOLOGY = "ecology"
    RULE_OF_LAW = "rule_of_law"
    BUSINESS_ENVIRONMENT = "business_environment"
    AGRICULTURE = "agriculture"
    CULTURE = "culture"
    SOCIAL_GOVERNANCE = "social_governance"
    OTHER = "other"


# --- organisation ---------------------------------------------------------------------

ECON = "经济委员会"
PROPOSALS = "提案委员会"
AGRI = "农业和农村委员会"
ENV = "人口资源环境委员会"
EDU = "教科卫体委员会"
LAW = "社会和法制委员会"
ETHNIC = "民族宗教委员会"
FOREIGN = "港澳台侨和外事委员会"
CULTURE = "文化文史和学习委员会"
LIAISON = "联络工作委员会"

COMMITTEES: tuple[str, ...] = (PROPOSALS, ECON, AGRI, ENV, EDU, LAW, ETHNIC, FOREIGN, CULTURE)
"""The nine special committees; the liaison work committee is added after them."""


@dataclass(frozen=True)
class SectorSpec:
    name: str
    weight: int  # relative number of members
    cpc_share: float  # share of members who are CPC members
    committee: str | None  # the committee most of its members sit on
    employers: str  # key into EMPLOYERS
    categories: tuple[IssueCategory, ...]  # what its members mostly raise
    holiday: tuple[str, int, int] | None = None  # (name, month, day)


C = IssueCategory
SECTORS: tuple[SectorSpec, ...] = (
    SectorSpec("中国共产党", 9, 1.0, None, "party", (C.SOCIAL_GOVERNANCE, C.ECONOMY)),
    SectorSpec("民革", 3, 0.0, LAW, "mixed", (C.RULE_OF_LAW,)),
    SectorSpec("民盟", 4, 0.0, CULTURE, "mixed", (C.EDUCATION, C.CULTURE)),
    SectorSpec("民建", 4, 0.0, ECON, "company", (C.BUSINESS_ENVIRONMENT, C.ECONOMY)),
    SectorSpec("民进", 4, 0.0, EDU, "education", (C.EDUCATION, C.CULTURE)),
    SectorSpec("农工党", 3, 0.0, ENV, "health", (C.HEALTH, C.ECOLOGY)),
    SectorSpec("致公党", 2, 0.0, FOREIGN, "company", (C.ECONOMY,)),
    SectorSpec("九三学社", 3, 0.0, EDU, "science", (C.EDUCATION, C.ECOLOGY)),
    SectorSpec("无党派人士", 2, 0.0, None, "mixed", (C.LIVELIHOOD,)),
    SectorSpec("共青团", 2, 0.6, LAW, "youth", (C.EDUCATION, C.SOCIAL_GOVERNANCE),
               ("五四青年节", 5, 4)),
    SectorSpec("工会", 3, 0.6, LAW, "union", (C.LIVELIHOOD, C.RULE_OF_LAW), ("劳动节", 5, 1)),
    SectorSpec("妇联", 3, 0.5, LAW, "women", (C.LIVELIHOOD, C.EDUCATION),
               ("国际妇女节", 3, 8)),
    SectorSpec("青联", 3, 0.3, CULTURE, "youth", (C.ECONOMY, C.CULTURE), ("五四青年节", 5, 4)),
    SectorSpec("工商联", 5, 0.2, ECON, "company", (C.BUSINESS_ENVIRONMENT, C.ECONOMY)),
    SectorSpec("科协", 2, 0.4, EDU, "science", (C.EDUCATION, C.ECONOMY),
               ("全国科技工作者日", 5, 30)),
    SectorSpec("台联", 1, 0.2, FOREIGN, "taiwan", (C.ECONOMY,), ("台湾光复纪念日", 10, 25)),
    SectorSpec("侨联", 2, 0.2, FOREIGN, "overseas", (C.ECONOMY, C.BUSINESS_ENVIRONMENT)),
    SectorSpec("文化艺术界", 4, 0.3, CULTURE, "culture", (C.CULTURE,)),
    SectorSpec("科学技术界", 4, 0.3, EDU, "science", (C.ECONOMY, C.ECOLOGY),
               ("全国科技工作者日", 5, 30)),
    SectorSpec("社会科学界", 3, 0.4, CULTURE, "social_science", (C.SOCIAL_GOVERNANCE, C.CULTURE)),
    SectorSpec("经济界", 7, 0.3, ECON, "company", (C.ECONOMY, C.BUSINESS_ENVIRONMENT)),
    SectorSpec("农业界", 4, 0.4, AGRI, "agriculture", (C.AGRICULTURE,),
               ("中国农民丰收节", 9, 23)),
    SectorSpec("教育界", 6, 0.4, EDU, "education", (C.EDUCATION,), ("教师节", 9, 10)),
    SectorSpec("体育界", 2, 0.3, EDU, "sport", (C.LIVELIHOOD, C.EDUCATION), ("全民健身日", 8, 8)),
    SectorSpec("新闻出版界", 2, 0.5, CULTURE, "press", (C.CULTURE, C.SOCIAL_GOVERNANCE),
               ("中国记者节", 11, 8)),
    SectorSpec("医药卫生界", 6, 0.4, EDU, "health", (C.HEALTH,), ("中国医师节", 8, 19)),
    SectorSpec("对外友好界", 2, 0.3, FOREIGN, "foreign", (C.ECONOMY, C.CULTURE)),
    SectorSpec("社会福利和社会保障界", 3, 0.4, LAW, "welfare", (C.LIVELIHOOD,),
               ("国际残疾人日", 12, 3)),
    SectorSpec("少数民族界", 2, 0.3, ETHNIC, "ethnic", (C.CULTURE, C.LIVELIHOOD)),
    SectorSpec("宗教界", 2, 0.0, ETHNIC, "religion", (C.SOCIAL_GOVERNANCE,)),
    SectorSpec("特邀人士", 3, 0.4, PROPOSALS, "law", (C.RULE_OF_LAW, C.SOCIAL_GOVERNANCE)),
)

# Sectors a district or county may do without (each drops four to eight of them).
LOCAL_OPTIONAL_SECTORS = frozenset({
    "民革", "致公党", "九三学社", "台联", "侨联", "社会科学界", "体育界", "新闻出版界",
    "对外友好界", "少数民族界", "宗教界",
})
# The current term of the top organisation: provincial CPPCCs are a term behind the cities.
TOP_TERMS = {OrgLevel.CITY: 14, OrgLevel.PROVINCE: 13}
CN_NUMBERS = ("零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十")


def cn_number(n: int) -> str:
    """Chinese numeral for 0 <= n < 100 (二十, 二十一 …)."""
    if n <= 10:
        return CN_NUMBERS[n]
    tens, units = divmod(n, 10)
    head = "十" if tens == 1 else CN_NUMBERS[tens] + "十"
    return head + (CN_NUMBERS[units] if units else "")


def term_name(number: int) -> str:
    """十四届"""
    return cn_number(number) + "届"


# Spring Festival (lunar new year) dates: visits thin out around them.
SPRING_FESTIVAL: dict[int, tuple[int, int]] = {
    2015: (2, 19), 2016: (2, 8), 2017: (1, 28), 2018: (2, 16), 2019: (2, 5), 2020: (1, 25),
    2021: (2, 12), 2022: (2, 1), 2023: (1, 22), 2024: (2, 10), 2025: (1, 29), 2026: (2, 17),
    2027: (2, 6), 2028: (1, 26), 2029: (2, 13), 2030: (2, 3), 2031: (1, 23), 2032: (2, 11),
    2033: (1, 31), 2034: (2, 19), 2035: (2, 8), 2036: (1, 28), 2037: (2, 15), 2038: (2, 4),
    2039: (1, 24), 2040: (2, 12),
}

# --- places ---------------------------------------------------------------------------

PLACE_CHARS = (
    "东西南北中新安和平兴华青龙凤金阳河山湖桥泉林丰盛永康宁福德明清长云松柳梅桃杏石田"
    "江海汇枫荷兰竹桂景文武秀美嘉祥瑞宏顺通鹿鹤溪港湾塘坪岭"
)
DISTRICT_SUFFIXES = ("区", "区", "区", "县", "县", "市")
STREET_SUFFIXES = ("街道", "街道", "街道", "镇", "镇", "乡")
COMPOUND_SUFFIXES = ("花园", "小区", "苑", "家园", "新村", "公寓", "雅居")
ROAD_SUFFIXES = ("路", "大道", "街")

# --- employers and titles, per kind of sector -----------------------------------------
# ``{d}`` a district, ``{s}`` a street or town, ``{v}`` a village, ``{n}`` a number,
# ``{co}`` a company name from Faker; in titles ``{r}`` is the district's kind (区/县/市).

_Jobs = tuple[tuple[str, tuple[str, ...]], ...]  # (employer template, fitting titles)
_COMPANY: _Jobs = (("{co}", ("董事长", "总经理", "副总经理", "执行董事", "财务总监", "创始人")),)
_SCHOOL: _Jobs = (
    ("市第{n}中学", ("校长", "副校长", "正高级教师", "党委书记")),
    ("{d}实验小学", ("校长", "副校长", "高级教师")),
    ("市职业技术学院", ("院长", "副院长", "教授", "系主任")),
    ("市师范学院", ("副院长", "教授", "副教授")),
    ("{d}第{n}幼儿园", ("园长", "副园长")),
    ("市特殊教育学校", ("校长", "高级教师")),
)
_HOSPITAL: _Jobs = (
    ("市第{n}人民医院", ("院长", "副院长", "主任医师", "科主任", "护理部主任")),
    ("市中医院", ("院长", "主任医师", "副主任医师")),
    ("市妇幼保健院", ("院长", "主任医师")),
    ("{s}社区卫生服务中心", ("主任", "全科医生")),
    ("市疾病预防控制中心", ("副主任", "主任医师")),
)
_SCIENCE: _Jobs = (
    ("市科学技术协会", ("副主席", "秘书长")),
    ("市农业科学院", ("研究员", "副院长")),
    ("{co}研发中心", ("总工程师", "正高级工程师", "主任")),
    ("市检验检测中心", ("主任", "高级工程师")),
)
_LAW: _Jobs = (
    ("市中级人民法院", ("副院长", "审判委员会委员")),
    ("市人民检察院", ("副检察长", "检察官")),
    ("{d}律师事务所", ("主任律师", "合伙人")),
    ("市人民政府参事室", ("参事",)),
    ("市仲裁委员会", ("仲裁员", "秘书长")),
)

EMPLOYERS: dict[str, _Jobs] = {
    "party": (
        ("市委办公室", ("副主任", "二级巡视员")), ("市纪委监委", ("副主任", "室主任")),
        ("{d}委", ("书记", "副书记")), ("市委组织部", ("副部长",)),
        ("市委宣传部", ("副部长",)), ("市委统战部", ("副部长",)),
        ("{d}人民政府", ("{r}长", "副{r}长")), ("市发展和改革委员会", ("主任", "副主任")),
        ("{s}党工委", ("书记",)),
    ),
    "mixed": _SCHOOL[:3] + _HOSPITAL[:2] + _LAW[2:3] + _COMPANY,
    "company": _COMPANY,
    "education": _SCHOOL,
    "health": _HOSPITAL,
    "science": _SCIENCE + _SCHOOL[2:4],
    "youth": (("共青团市委", ("副书记",)), ("{d}团委", ("书记",)),
              ("市青年创业协会", ("会长", "副会长")), *_COMPANY),
    "union": (("市总工会", ("副主席",)), ("{d}总工会", ("主席",)),
              ("{co}", ("首席技师", "劳模创新工作室负责人", "工会主席"))),
    "women": (("市妇女联合会", ("副主席",)), ("{d}妇联", ("主席",)),
              ("市妇女儿童活动中心", ("主任",)), *_COMPANY),
    "taiwan": (("市台湾同胞联谊会", ("会长", "副会长")), *_COMPANY),
    "overseas": (("市归国华侨联合会", ("副主席",)), ("市侨商会", ("会长", "副会长")),
                 *_COMPANY),
    "culture": (("市文化馆", ("馆长", "副馆长")), ("市歌舞剧院", ("国家一级演员", "院长")),
                ("市书法家协会", ("主席", "副主席")), ("市美术馆", ("馆长", "一级美术师")),
                ("市图书馆", ("馆长",)), ("市博物馆", ("馆长", "研究馆员"))),
    "social_science": (("市社会科学院", ("研究员", "副院长")), ("市委党校", ("教授", "副校长")),
                       ("市师范学院", ("教授",)), ("市地方志编纂中心", ("主任",))),
    "agriculture": (("{s}{v}村", ("党支部书记", "村委会主任")),
                    ("市农业科学院", ("研究员", "高级农艺师")),
                    ("{v}家庭农场", ("场长",)), ("{s}{v}农民专业合作社", ("理事长",)),
                    ("市农业技术推广中心", ("高级农艺师", "主任"))),
    "sport": (("市体育运动学校", ("校长", "高级教练")), ("市体育中心", ("主任",)),
              ("市足球协会", ("秘书长",)), ("{d}全民健身中心", ("主任",))),
    "press": (("市融媒体中心", ("总编辑", "主任记者")), ("市日报社", ("社长", "主任记者")),
              ("市广播电视台", ("副台长", "主持人")), ("市新华书店", ("总经理",))),
    "foreign": (("市人民对外友好协会", ("副会长",)), ("市外事办公室", ("副主任",)),
                *_COMPANY),
    "welfare": (("市残疾人联合会", ("理事长", "副理事长")), ("市社会福利院", ("院长",)),
                ("市慈善总会", ("副会长", "秘书长")), ("{d}养老服务中心", ("主任",)),
                ("市红十字会", ("常务副会长",))),
    "ethnic": (("市民族中学", ("校长",)), ("市民族宗教事务局", ("副局长",)),
               ("{s}民族团结进步促进会", ("会长",))),
    "religion": (("市佛教协会", ("会长", "副会长")), ("市道教协会", ("会长", "秘书长")),
                 ("市基督教两会", ("主席", "会长")), ("市伊斯兰教协会", ("会长",)),
                 ("市天主教爱国会", ("主任", "副主任"))),
    "law": _LAW,
}

CONTACT_ROLES = (
    "社区网格员", "退休教师", "个体工商户", "村民代表", "企业职工", "居民楼栋长", "志愿者",
    "外卖骑手", "乡村医生", "家长代表", "种植大户", "小微企业主", "社会组织负责人",
    "退役军人", "残疾人家属", "快递员", "物业经理", "卫生院护士", "返乡创业青年",
)
CONTACT_ORGS = (
    "{s}社区居委会", "{v}村委会", "{co}", "{s}卫生院", "{d}第{n}小学", "{s}便民服务中心",
    "{v}专业合作社", "{s}老年协会", "{co}",
)

# How a contact person relates to the member's sector.
CONTACT_RELATIONS = (
    "同行业从业者", "服务对象", "行业协会会员", "界别群众", "基层代表", "所在单位职工",
    "社区居民", "党派成员", "企业员工",
)

LEAVE_REASONS = ("因病住院治疗", "赴外地挂职锻炼", "出国（境）学习进修", "产假", "家庭原因")
LEAVE_APPROVALS = ("同意。请假期间暂停履职考核。", "同意，请按时销假。", "经专委会研究，同意请假。")
LEAVE_REFUSALS = ("请假事由不充分，请补充证明材料后重新申请。",
                  "请假时间与全体会议冲突，请调整后重新申请。")

# --- issues: what problems, reports, topics and proposals are about -------------------


@dataclass(frozen=True)
class Issue:
    category: IssueCategory
    topic: str  # short noun phrase: 老旧小区加装电梯
    problem: str  # what the people said; may contain {place}
    suggestion: str
    department: str  # the city department that handles it


ISSUES: tuple[Issue, ...] = (
    Issue(C.LIVELIHOOD, "老旧小区加装电梯",
          "{place}老旧小区居民反映加装电梯意见难统一，低层住户担心采光和噪声，项目推进缓慢。",
          "建议出台加装电梯协商指引，由社区牵头组织议事协商，对困难家庭给予适当补贴。",
          "市住房城乡建设局"),
    Issue(C.LIVELIHOOD, "小区停车难",
          "{place}周边停车位严重不足，夜间车辆占用消防通道现象突出。",
          "建议利用边角地块建设公共停车场，推行机关单位停车位错时共享。",
          "市公安局交通警察支队"),
    Issue(C.LIVELIHOOD, "农贸市场环境提升",
          "{place}农贸市场排水不畅、环境脏乱，群众买菜不便。",
          "建议纳入农贸市场提升改造计划，压实市场管理方主体责任。",
          "市市场监督管理局"),
    Issue(C.LIVELIHOOD, "社区长者食堂建设",
          "{place}独居和高龄老人就餐难，社区长者食堂覆盖不足。",
          "建议按照十五分钟生活圈布局社区长者食堂，对运营主体给予运营补贴。",
          "市民政局"),
    Issue(C.LIVELIHOOD, "居家养老上门服务",
          "{place}独居老人较多，居家养老上门服务覆盖面窄、项目少。",
          "建议发展嵌入式养老服务机构，推广“时间银行”互助养老。",
          "市民政局"),
    Issue(C.LIVELIHOOD, "公交线路优化",
          "{place}公交线路少、班次间隔长，居民早晚高峰出行不便。",
          "建议优化公交线网，开通社区微循环公交并延长末班时间。",
          "市交通运输局"),
    Issue(C.LIVELIHOOD, "电动自行车充电安全",
          "{place}电动自行车在楼道停放充电现象普遍，存在较大消防隐患。",
          "建议加快建设集中充电设施，加强物业和社区日常巡查。",
          "市消防救援支队"),
    Issue(C.EDUCATION, "新建小区学位供给",
          "{place}新建小区入住人口增多，适龄儿童入学学位紧张。",
          "建议加快配套学校建设，科学调整学区划分。",
          "市教育局"),
    Issue(C.EDUCATION, "课后服务质量",
          "{place}学校课后服务内容单一，双职工家庭接送困难。",
          "建议丰富课后服务课程，引入优质社会资源参与。",
          "市教育局"),
    Issue(C.EDUCATION, "乡村教师队伍稳定",
          "{place}乡村学校青年教师流失较多，音体美等学科教师结构性短缺。",
          "建议完善乡村教师生活补助和职称评聘倾斜政策。",
          "市教育局"),
    Issue(C.EDUCATION, "青少年心理健康",
          "青少年心理健康问题增多，{place}学校专职心理教师配备不足。",
          "建议加强学校心理健康教育，建立医校协同干预机制。",
          "市教育局"),
    Issue(C.EDUCATION, "职业教育产教融合",
          "职业院校专业设置与本地产业需求衔接不够，毕业生对口就业率不高。",
          "建议推动校企合作订单式培养，动态调整专业设置。",
          "市人力资源社会保障局"),
    Issue(C.HEALTH, "基层医疗服务能力",
          "{place}社区卫生服务中心全科医生不足，群众看病仍往大医院挤。",
          "建议推进紧密型医联体建设，做实家庭医生签约服务。",
          "市卫生健康委"),
    Issue(C.HEALTH, "异地就医备案便利化",
          "异地就医备案手续对老年人不够便利，{place}部分群众不会线上办理。",
          "建议保留线下办理渠道，在社区设置医保服务帮办点。",
          "市医疗保障局"),
    Issue(C.HEALTH, "儿科医疗资源",
          "{place}儿科医生紧缺，夜间急诊候诊时间长。",
          "建议增加儿科医务人员配备，完善儿科医务人员薪酬激励。",
          "市卫生健康委"),
    Issue(C.HEALTH, "学校周边食品安全",
          "{place}学校周边小餐饮店卫生条件较差，家长担忧。",
          "建议加强学校周边食品经营单位监管和抽检。",
          "市市场监督管理局"),
    Issue(C.ECOLOGY, "河道水环境治理",
          "{place}河道部分段落存在生活污水直排，夏季异味明显。",
          "建议排查整治入河排污口，加快推进雨污分流改造。",
          "市生态环境局"),
    Issue(C.ECOLOGY, "垃圾分类收运",
          "{place}垃圾分类投放点设置不合理，分类收运存在混装混运。",
          "建议优化投放点布局，落实分类运输和处理全链条监管。",
          "市城市管理局"),
    Issue(C.ECOLOGY, "夜间施工噪声",
          "{place}周边工地夜间施工噪声扰民，居民多次投诉。",
          "建议严格夜间施工审批，加强执法巡查和噪声监测。",
          "市生态环境局"),
    Issue(C.ECOLOGY, "农村生活污水处理",
          "{place}村庄生活污水处理设施建成后运行不正常。",
          "建议建立农村污水处理设施运维长效机制，落实运维经费。",
          "市生态环境局"),
    Issue(C.ECONOMY, "高校毕业生留本地就业",
          "本地高校毕业生留本市就业比例不高，企业反映招工难与就业难并存。",
          "建议完善人才公寓和就业补贴政策，搭建校企对接平台。",
          "市人力资源社会保障局"),
    Issue(C.ECONOMY, "新就业形态劳动者权益保障",
          "{place}外卖骑手、网约车司机等新就业形态劳动者参加社会保险比例低。",
          "建议推进新就业形态职业伤害保障，简化灵活就业参保流程。",
          "市人力资源社会保障局"),
    Issue(C.ECONOMY, "夜间经济发展",
          "{place}夜间经济业态单一，缺乏特色消费场景。",
          "建议规划建设特色夜市街区，完善交通和公厕等配套设施。",
          "市商务局"),
    Issue(C.ECONOMY, "乡村旅游配套",
          "{place}乡村旅游配套设施不足，旺季接待能力有限。",
          "建议完善旅游公厕、停车场等配套，培育精品民宿。",
          "市文化广电旅游局"),
    Issue(C.ECONOMY, "制造业数字化转型",
          "传统制造企业数字化转型意愿强但能力弱、成本高。",
          "建议设立数字化转型专项资金，培育本地行业服务商。",
          "市工业和信息化局"),
    Issue(C.BUSINESS_ENVIRONMENT, "涉企审批服务",
          "中小企业反映部分审批事项仍需多头跑、重复提交材料。",
          "建议深化“一网通办”，推行涉企事项告知承诺制。",
          "市政务服务数据管理局"),
    Issue(C.BUSINESS_ENVIRONMENT, "小微企业融资",
          "小微企业融资难融资贵，首贷获得率不高。",
          "建议扩大政府性融资担保覆盖面，推广信用贷款产品。",
          "市地方金融管理局"),
    Issue(C.BUSINESS_ENVIRONMENT, "清理拖欠企业账款",
          "部分民营企业反映工程款、货款被拖欠，资金周转困难。",
          "建议开展清理拖欠企业账款专项行动，建立防范拖欠长效机制。",
          "市工业和信息化局"),
    Issue(C.AGRICULTURE, "农产品销售渠道",
          "{place}特色农产品销售渠道单一，丰产不丰收。",
          "建议搭建农产品电商平台，补齐产地冷链物流短板。",
          "市农业农村局"),
    Issue(C.AGRICULTURE, "高标准农田建设",
          "{place}部分农田水利设施老化，灌溉保障能力不足。",
          "建议加快高标准农田建设，落实建后管护责任。",
          "市农业农村局"),
    Issue(C.AGRICULTURE, "农村道路提档升级",
          "{place}通村道路年久失修，雨季路面坑洼积水。",
          "建议将该路段纳入农村公路提档升级计划。",
          "市交通运输局"),
    Issue(C.CULTURE, "社区文化活动阵地",
          "{place}社区文化活动室利用率不高，活动内容吸引力不够。",
          "建议引入社会组织运营，开展群众喜闻乐见的文化活动。",
          "市文化广电旅游局"),
    Issue(C.CULTURE, "历史建筑保护",
          "{place}历史建筑缺乏日常维护，存在损毁风险。",
          "建议开展历史建筑普查建档，落实保护责任人。",
          "市文化广电旅游局"),
    Issue(C.RULE_OF_LAW, "农民工欠薪维权",
          "农民工讨薪维权成本高，{place}群众对法律援助知晓率低。",
          "建议在工业园区和建筑工地设立法律援助工作站。",
          "市司法局"),
    Issue(C.RULE_OF_LAW, "防范电信网络诈骗",
          "{place}老年人遭遇电信网络诈骗案件增多。",
          "建议加强社区反诈宣传，建立重点人群预警劝阻机制。",
          "市公安局"),
    Issue(C.RULE_OF_LAW, "物业服务纠纷",
          "{place}物业服务质量与收费矛盾突出，业主委员会成立难。",
          "建议完善物业服务监管，指导社区依法成立业主委员会。",
          "市住房城乡建设局"),
    Issue(C.SOCIAL_GOVERNANCE, "社区网格员队伍建设",
          "{place}社区网格员工作任务重、待遇偏低，队伍不稳定。",
          "建议规范网格事项准入，提高网格员薪酬保障。",
          "市委社会工作部"),
    Issue(C.SOCIAL_GOVERNANCE, "基层减负",
          "{place}社区承接的考核、台账事项过多，服务群众时间被挤占。",
          "建议清理规范社区工作事项，切实为基层减负。",
          "市民政局"),
    Issue(C.SOCIAL_GOVERNANCE, "老年人数字鸿沟",
          "{place}老年人使用智能手机办事困难，“数字鸿沟”问题突出。",
          "建议公共服务保留人工窗口，开展老年人智能技术培训。",
          "市政务服务数据管理局"),
    Issue(C.OTHER, "随迁子女入学",
          "{place}外来务工人员子女入学和居住登记手续繁琐。",
          "建议优化居住证办理流程，保障随迁子女平等接受教育。",
          "市公安局"),
)

# --- visit registration form ----------------------------------------------------------

VISIT_OPENINGS: dict[Channel, tuple[str, ...]] = {
    Channel.FACE_TO_FACE: (
        "走访{targets}，与大家面对面交流，", "到{place}入户走访，",
        "深入{place}，与群众代表座谈，", "与{targets}促膝谈心，",
    ),
    Channel.REGULAR_WORK: (
        "围绕{topic}开展专题调研，", "结合年度履职计划，到{place}调研{topic}，",
        "参加专委会组织的{topic}调研，", "就{topic}开展社情民意收集，",
    ),
    Channel.ONLINE: (
        "通过微信群与{targets}沟通，", "通过电话联系{targets}，",
        "在委员履职群发布意见征集，", "通过视频连线与{targets}交流，",
    ),
    Channel.SERVICE_ACTIVITY: (
        "在{place}开展{service}，", "带领志愿者到{place}开展{service}，",
        "组织{service}活动，",
    ),
    Channel.PLATFORM: (
        "在{station}接待来访群众，", "依托{station}举办委员沙龙，",
        "在{station}参加“委员接待日”，",
    ),
}
SERVICES = ("法律咨询", "义诊", "政策宣讲", "助农直播", "慰问困难群众", "科普讲座", "心理疏导",
            "就业指导")
OCCASION_PHRASES: dict[VisitOccasion, str] = {
    VisitOccasion.ROUTINE: "",
    VisitOccasion.MAJOR_SPEECH: "传达学习重要讲话精神，",
    VisitOccasion.CONGRESS_OR_TWO_SESSIONS: "宣讲会议精神，",
    VisitOccasion.NEW_POLICY: "解读新出台的相关政策，",
    VisitOccasion.BEFORE_PLENARY: "围绕即将召开的全体会议广泛听取意见，",
    VisitOccasion.CONTACT_LIFE_CHANGE: "了解联系人工作生活变化后的情况，",
    VisitOccasion.CONTACT_REQUEST: "就联系人提出的诉求专门回访，",
    VisitOccasion.CONTACT_DIFFICULTY: "看望遇到困难的联系人，帮助协调解决实际问题，",
    VisitOccasion.SECTOR_HOLIDAY: "在节日之际走访慰问界别群众，",
}
VISIT_SITUATIONS = (
    "详细了解{topic}方面的情况。", "听取大家对{topic}的意见建议。",
    "群众普遍关心{topic}问题。", "重点了解了{topic}的进展和难点。",
)
VISIT_CLOSINGS = (
    "现场解答政策咨询{n}条。", "对群众反映的问题逐一记录，承诺跟踪反馈。",
    "大家对委员上门听意见表示欢迎。", "约定下次回访时间。", "",
)
TARGET_GROUPS = (
    "{place}居民代表", "{place}群众", "{sector}界别群众代表", "企业职工代表", "村民代表",
    "社区老年人", "个体工商户",
)

# --- problems -------------------------------------------------------------------------

# The office's problem categories (named as migration 0009 seeds the list) each issue is
# filed under: that of its opinion category, or of its topic where that fits better.
PROBLEM_CATEGORIES: dict[IssueCategory, str] = {
    C.LIVELIHOOD: "民生保障", C.ECONOMY: "营商环境", C.EDUCATION: "教育",
    C.HEALTH: "医疗卫生", C.ECOLOGY: "生态环境", C.RULE_OF_LAW: "社会治理",
    C.BUSINESS_ENVIRONMENT: "营商环境", C.AGRICULTURE: "农业农村", C.CULTURE: "文化体育",
    C.SOCIAL_GOVERNANCE: "社会治理", C.OTHER: "其他",
}
PROBLEM_CATEGORIES_BY_TOPIC: dict[str, str] = {
    "老旧小区加装电梯": "城乡建设", "小区停车难": "交通出行", "公交线路优化": "交通出行",
    "物业服务纠纷": "城乡建设", "农村道路提档升级": "交通出行", "乡村旅游配套": "农业农村",
    "高校毕业生留本地就业": "就业创业", "新就业形态劳动者权益保障": "就业创业",
    "职业教育产教融合": "就业创业", "农民工欠薪维权": "就业创业", "随迁子女入学": "教育",
}


def problem_category(issue: Issue) -> str:
    return PROBLEM_CATEGORIES_BY_TOPIC.get(issue.topic, PROBLEM_CATEGORIES[issue.category])


REFERRAL_NOTE = "转交{dept}办理"
HANDLING_NOTES = (  # the department's reply
    "经{dept}协调办理，问题已解决，群众表示满意。",
    "已转{dept}办理，相关整改已完成。",
    "{dept}已落实整改措施，专委会回访确认。",
    "{dept}答复：已列入年度工作计划，将分步推进解决。",
    "{dept}答复：受政策和资金限制，暂时无法解决，已向群众做好解释。",
)
CLOSE_REASONS = (
    "反映的问题已由属地自行解决，无需转办。",
    "与此前反映的问题重复，已合并办理。",
    "属于个人诉求，已向当事人做好政策解释。",
    "经核实，反映情况与实际不符。",
    "受政策和资金限制，暂不具备解决条件，已向群众说明。",
)

# --- opinion reports ------------------------------------------------------------------

# The office's opinion categories, named and ordered as migration 0010 seeds the list.
OPINION_CATEGORIES: dict[IssueCategory, str] = {
    C.LIVELIHOOD: "民生", C.ECONOMY: "经济", C.EDUCATION: "教育", C.HEALTH: "医疗卫生",
    C.ECOLOGY: "生态环境", C.RULE_OF_LAW: "法治", C.BUSINESS_ENVIRONMENT: "营商环境",
    C.AGRICULTURE: "农业农村", C.CULTURE: "文化", C.SOCIAL_GOVERNANCE: "社会治理",
    C.OTHER: "其他",
}
# The reply templates migration 0010 seeds ({title}, {department} filled in).
OPINION_ADOPTED = "已采用"
OPINION_FORWARDED = "已转送办理"
OPINION_REPLIED = "部门已答复"
OPINION_NOT_ADOPTED = "未采用"
OPINION_REPLY_TEMPLATES: dict[str, str] = {
    OPINION_ADOPTED: "您报送的社情民意信息《{title}》已被采用，感谢您的辛勤工作。",
    OPINION_FORWARDED: ("您报送的社情民意信息《{title}》已转送{department}办理，"
                        "办理结果将及时反馈。"),
    OPINION_REPLIED: "{department}已对您报送的《{title}》作出答复，详见附件答复意见。",
    OPINION_NOT_ADOPTED: "您报送的社情民意信息《{title}》经审核暂未采用，欢迎继续关注并报送。",
}
# Departments often asked to handle a report beside the one its issue belongs to.
CO_DEPARTMENTS = ("市发展改革委", "市财政局")
# Every department problems are referred and reports forwarded to (city names:
# ``OrgPlan.local`` makes them an organisation's), as the demo adds them to each
# organisation's department list, grouped by the issues' order.
DEPARTMENTS: tuple[str, ...] = tuple(dict.fromkeys(
    [*(issue.department for issue in ISSUES), *CO_DEPARTMENTS]))
# Where an adoption was published, by level; {year} and {n} (the issue) filled in.
PUBLICATIONS = {"city": "《社情民意》{year}年第{n}期", "provincial": "《政协信息》{year}年第{n}期",
                "national": "《全国政协信息》{year}年第{n}期"}
RETURN_REASONS = (
    "请补充典型案例和具体数据后重新报送", "建议部分请进一步细化，增强可操作性",
    "标题与内容不够契合，请修改后重新报送",
)
REPORT_TITLES = (
    "关于{topic}的建议", "关于解决{place}{topic}问题的建议", "{topic}问题亟待重视",
    "关于进一步做好{topic}工作的建议", "{place}群众反映{topic}问题",
)
REPORT_OPENINGS = (
    "近期，委员在走访联系界别群众时了解到，", "据{sector}群众反映，", "委员调研发现，",
    "委员在{station}接待群众时了解到，",
)
REPORT_ANALYSES = (
    "该问题涉及群众切身利益，社会关注度较高。",
    "问题存在时间较长，群众多次反映，尚未得到有效解决。",
    "如不及时解决，可能影响群众获得感和满意度。",
)
NOT_ADOPTED_REASONS = (
    "与近期已报送信息内容重复", "反映的问题已在推进解决中", "建议的针对性和可操作性不强",
    "反映情况需进一步核实", "不属于社情民意信息报送范围",
)
LEADERS: dict[str, tuple[str, ...]] = {
    "city": ("市委书记", "市长", "市委副书记", "常务副市长", "副市长", "市政协主席"),
    "provincial": ("省委书记", "省长", "省委副书记", "副省长", "省政协主席"),
    "national": ("全国政协副主席", "国务院有关领导同志"),
}
INSTRUCTIONS = (
    "请{dept}认真研究，提出具体措施。", "所提建议很有价值，请{dept}会同有关部门研究落实。",
    "请{dept}阅研，抓紧解决群众反映的问题。", "此件反映的问题要高度重视，请{dept}牵头办理并反馈。",
)
FEEDBACKS = (
    "{dept}已将建议纳入年度工作计划，正在分步实施。",
    "{dept}回复：已会同相关部门开展专项整治，问题得到有效缓解。",
    "{dept}采纳了部分建议，出台了相关实施办法。",
    "{dept}已完成整改，并向反映人当面反馈。",
)
STATUS_NOTES = ("", "", "已电话告知委员", "按程序办理", "专委会跟踪督办")

# --- workstations and activities ------------------------------------------------------

ACTIVITY_TITLES: dict[str, tuple[str, ...]] = {  # by activity type key
    "policy_briefing": ("“{policy}”政策宣讲进{place}", "{policy}解读会",
                                   "{policy}政策明白人宣讲"),
    "legal_consultation": ("“法律服务进社区”咨询活动", "委员律师接待日",
                                      "农民工维权法律咨询", "民法典进{place}"),
    "free_clinic": ("“健康义诊进{place}”", "送医下乡义诊",
                               "慢性病健康管理讲座及义诊"),
    "agri_science_help": ("科技助农：{crop}种植技术培训", "田间课堂进{place}",
                                     "农产品直播带货培训"),
    "training": ("{topic}专题培训", "基层议事骨干能力提升培训",
                            "新就业形态劳动者技能培训"),
    "reception_day": ("委员接待日", "“委员在身边”接待日", "{month}月委员接待日"),
    "micro_consultation": ("“有事好商量”：{topic}", "微协商：{topic}",
                                      "{place}议事厅：{topic}"),
    "visiting": ("走访慰问困难群众", "节前走访慰问{place}老党员"),
    "other": ("委员读书分享会", "“送温暖”慰问活动", "{place}文明实践志愿服务"),
}
POLICIES = ("医保新政", "惠企政策", "乡村振兴", "养老服务", "就业创业扶持", "民法典",
            "防范电信诈骗", "垃圾分类")
CROPS = ("水稻", "茶叶", "柑橘", "食用菌", "设施蔬菜", "中药材", "油菜")
ACTIVITY_NOTES = (
    "现场发放宣传资料{n}份。", "收集群众意见建议{n}条。", "活动得到社区大力支持。",
    "群众参与热情高，现场气氛热烈。",
)

# --- topics and proposals -------------------------------------------------------------

TOPIC_TITLES = {
    "consultation": ("“{topic}”专题协商", "关于{topic}的协商", "有事好商量：{topic}"),
    "supervision": ("“{topic}”民主监督", "{topic}情况专项监督"),
}
TOPIC_PARTICIPANTS = "社区居民代表、政协委员、{dept}负责同志、专家学者等{n}人"
TOPIC_OUTCOMES = ("形成协商意见{n}条，报送市委市政府。", "形成协商成果报告，{dept}表示采纳。")
TOPIC_FOLLOW_UPS = ("{dept}已制定落实方案，专委会持续跟踪。", "相关措施已落实，群众反映良好。")
PROPOSAL_TITLES = ("关于{topic}的提案", "关于加快推进{topic}的建议", "关于进一步完善{topic}的提案",
                   "关于着力解决{topic}问题的提案")
PROPOSAL_REPLIES = ("{dept}答复：所提建议已吸收采纳，列入年度重点工作。",
                    "{dept}答复：正在研究制定相关办法，将逐步推进落实。",
                    "{dept}答复：受条件限制，留作今后工作参考。")

# --- must-visit campaigns -------------------------------------------------------------

POLICY_CAMPAIGNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("促进民营经济发展新政策宣讲走访", ("经济界", "工商联", "民建")),
    ("医保支付方式改革政策解读走访", ("医药卫生界", "农工党")),
    ("教育领域新政策宣讲走访", ("教育界", "民进", "九三学社")),
    ("乡村振兴新政策宣讲走访", ("农业界", "中国共产党")),
    ("养老服务新政策宣讲走访", ("社会福利和社会保障界", "妇联")),
    ("新施行法律法规解读走访", ("特邀人士", "民革")),
    ("科技创新新政策宣讲走访", ("科学技术界", "科协", "九三学社")),
    ("稳就业新政策宣讲走访", ("工会", "共青团", "青联")),
)
