"""What people come in with: the demo's visit scenarios (catalog items, visit types, how
often each happens) that the settlement seed draws from."""

from dataclasses import dataclass

from huimin.insurance.models import VisitType

# ---------------------------------------------------------------- what people come in with


@dataclass(frozen=True)
class Item:
    """A fee line of a scenario: the first catalog name usable at the institution's level
    (or, with `any_of`, a random one of them)."""

    names: tuple[str, ...]
    qty: tuple[int, int] = (1, 1)
    price: str | None = None  # unit price for items without a ceiling in the catalog
    per_day: bool = False  # quantity is per day of the stay
    p: float = 1.0  # probability the line is on the bill
    any_of: bool = False


def _i(names, qty=(1, 1), price=None, **kw) -> Item:
    return Item(tuple(names) if isinstance(names, list | tuple) else (names,), qty, price, **kw)


CONSULT = _i(["一般诊疗费（基层）", "普通门诊诊查费"])
BED = _i(["床位费（二级）", "床位费（一级）", "床位费（三级）"], per_day=True)
WARD_ROUND = _i("住院诊查费", per_day=True)


@dataclass(frozen=True)
class Scenario:
    visit_type: str
    diagnosis: tuple[str, str]
    levels: tuple[str, ...]
    items: tuple[Item, ...]
    weight: int
    pool: str = "all"  # all / older (50+) / chronic / grave (of the older) / women (20–40)
    stay: tuple[int, int] = (0, 0)  # inpatient days


SCENARIOS: tuple[Scenario, ...] = (
    # 普通门诊 at township centres and village clinics.
    Scenario(
        VisitType.OUTPATIENT_GENERAL,
        ("J06.900", "急性上呼吸道感染"),
        ("1",),
        (
            CONSULT,
            _i("阿莫西林胶囊", (12, 24), "0.32"),
            _i("感冒清热颗粒", (6, 12), "1.20", p=0.7),
            _i("对乙酰氨基酚片", (6, 10), "0.08", p=0.5),
            _i("连花清瘟胶囊", (24, 36), "0.55", p=0.3),
            _i("血常规（五分类）", p=0.4),
        ),
        40,
    ),
    Scenario(
        VisitType.OUTPATIENT_GENERAL,
        ("K52.900", "急性胃肠炎"),
        ("1",),
        (
            CONSULT,
            _i("蒙脱石散", (6, 9), "1.60"),
            _i("奥美拉唑肠溶胶囊", (7, 14), "0.45"),
            _i("葡萄糖氯化钠注射液", (1, 2), "5.80", p=0.5),
            _i("静脉输液（第一组）", p=0.5),
            _i("一次性使用输液器", p=0.5),
            _i("粪便常规", p=0.4),
        ),
        16,
    ),
    Scenario(
        VisitType.OUTPATIENT_GENERAL,
        ("J20.900", "急性支气管炎"),
        ("1",),
        (
            CONSULT,
            _i("盐酸氨溴索片", (20, 30), "0.25"),
            _i("头孢氨苄胶囊", (18, 24), "0.35"),
            _i("复方甘草片", (24, 36), "0.06", p=0.6),
            _i("雾化吸入", (1, 3), p=0.5),
            _i("一次性雾化器", p=0.4),
            _i("胸部X线摄影（DR）", p=0.3),
        ),
        16,
    ),
    Scenario(
        VisitType.OUTPATIENT_GENERAL,
        ("M54.500", "腰痛"),
        ("1",),
        (
            CONSULT,
            _i("普通针刺", (1, 3)),
            _i("推拿（局部）", (1, 3)),
            _i("拔罐（火罐）", (1, 2), p=0.5),
            _i("艾灸", (1, 2), p=0.4),
            _i("布洛芬缓释胶囊", (10, 20), "0.45", p=0.7),
        ),
        10,
    ),
    Scenario(
        VisitType.OUTPATIENT_GENERAL,
        ("S61.900", "手部开放性伤口"),
        ("1",),
        (
            CONSULT,
            _i("清创缝合（小）"),
            _i("换药（小）", (1, 3)),
            _i("医用脱脂纱布", (4, 10)),
            _i("一次性使用无菌注射器", (1, 2)),
            _i("莫匹罗星软膏", price="12.50", p=0.5),
        ),
        6,
    ),
    Scenario(
        VisitType.OUTPATIENT_GENERAL,
        ("H10.900", "结膜炎"),
        ("1",),
        (
            CONSULT,
            _i("左氧氟沙星滴眼液", (1, 2), "8.50"),
            _i("红霉素眼膏", price="3.20", p=0.5),
        ),
        5,
    ),
    Scenario(
        VisitType.OUTPATIENT_GENERAL,
        ("Z00.000", "健康体检"),
        ("1",),
        (
            _i("健康体检（套餐）", price="120.00"),  # class C: all self-pay
            _i("血常规（五分类）"),
            _i("尿常规"),
            _i("常规心电图", p=0.5),
        ),
        3,
    ),
    # 两病门诊: hypertension and diabetes, mostly older people, every month or so.
    Scenario(
        VisitType.OUTPATIENT_CHRONIC,
        ("I10.x00", "原发性高血压"),
        ("1", "2"),
        (
            CONSULT,
            _i(
                ["苯磺酸氨氯地平片", "硝苯地平缓释片", "厄贝沙坦片", "缬沙坦胶囊"],
                (28, 56),
                "0.55",
                any_of=True,
            ),
            _i("酒石酸美托洛尔片", (28, 56), "0.20", p=0.3),
            _i("阿司匹林肠溶片", (30, 30), "0.15", p=0.3),
            _i("氢氯噻嗪片", (30, 30), "0.05", p=0.2),
            _i("常规心电图", p=0.2),
            _i("血脂四项", p=0.15),
            _i("肾功能", p=0.15),
        ),
        18,
        pool="chronic",
    ),
    Scenario(
        VisitType.OUTPATIENT_CHRONIC,
        ("E11.900", "2型糖尿病"),
        ("1", "2"),
        (
            CONSULT,
            _i("盐酸二甲双胍片", (60, 90), "0.12"),
            _i("格列美脲片", (28, 28), "0.60", p=0.4),
            _i("阿卡波糖片", (60, 90), "0.55", p=0.3),
            _i("血糖测定", p=0.6),
            _i("糖化血红蛋白测定", p=0.25),
            _i("血糖试纸", (50, 50), p=0.3),
        ),
        10,
        pool="chronic",
    ),
    # Admissions: county hospitals (level 2) and township centres (level 1).
    Scenario(
        VisitType.INPATIENT,
        ("J18.900", "肺炎"),
        ("1", "2"),
        (
            BED,
            _i("二级护理", per_day=True),
            WARD_ROUND,
            # Level-restricted items first: the first one usable at the level is billed.
            _i(["注射用哌拉西林钠他唑巴坦钠", "注射用头孢曲松钠"], (2, 3), "6.80", per_day=True),
            _i("氯化钠注射液", (1, 2), "3.50", per_day=True),
            _i("静脉输液（第一组）", per_day=True),
            _i("血常规（五分类）", (2, 3)),
            _i("C反应蛋白测定", (1, 2)),
            _i(["胸部CT平扫", "胸部X线摄影（DR）"]),
            _i("盐酸氨溴索注射液", (1, 2), per_day=True, p=0.5),
        ),
        6,
        stay=(5, 10),
    ),
    Scenario(
        VisitType.INPATIENT,
        ("J44.100", "慢性阻塞性肺病伴急性加重"),
        ("1", "2"),
        (
            BED,
            _i("二级护理", per_day=True),
            WARD_ROUND,
            _i("吸氧", (8, 16), per_day=True),
            _i("雾化吸入", (2, 2), per_day=True),
            _i("布地奈德吸入剂", (1, 2)),
            _i("氨茶碱片", (3, 3), "0.05", per_day=True),
            _i(["注射用头孢他啶", "注射用头孢曲松钠"], (2, 2), "6.80", per_day=True),
            _i("血常规（五分类）", (2, 3)),
            _i("胸部X线摄影（DR）"),
        ),
        3,
        pool="older",
        stay=(6, 12),
    ),
    Scenario(
        VisitType.INPATIENT,
        ("K35.900", "急性阑尾炎"),
        ("2",),
        (
            _i("阑尾切除术"),
            BED,
            _i("一级护理", per_day=True),
            WARD_ROUND,
            _i("注射用头孢曲松钠", (2, 2), "6.80", per_day=True),
            _i("甲硝唑氯化钠注射液", (1, 2), "4.20", per_day=True),
            _i("腹部B超"),
            _i("血常规（五分类）", (2, 3)),
            _i("凝血功能四项"),
            _i("可吸收性外科缝线", (1, 2)),
        ),
        2,
        stay=(5, 8),
    ),
    Scenario(
        VisitType.INPATIENT,
        ("I63.900", "脑梗死"),
        ("2",),
        (
            BED,
            _i("一级护理", per_day=True),
            WARD_ROUND,
            _i("头颅CT平扫"),
            _i("头颅磁共振平扫", p=0.6),
            _i("注射用血塞通（冻干）", (1, 2), per_day=True),
            _i("阿司匹林肠溶片", price="0.15", per_day=True),
            _i("阿托伐他汀钙片", per_day=True),
            _i("偏瘫肢体综合训练", per_day=True, p=0.6),
            _i("低分子量肝素钙注射液", per_day=True, p=0.5),
        ),
        2,
        pool="older",
        stay=(10, 18),
    ),
    Scenario(
        VisitType.INPATIENT,
        ("O80.000", "单胎顺产"),
        ("1", "2"),
        (
            _i("经阴道分娩接生"),
            _i("缩宫素注射液", (1, 2), "2.50"),
            BED,
            _i("二级护理", per_day=True),
            WARD_ROUND,
            _i("血常规（五分类）"),
            _i("妇科B超"),
            _i("葡萄糖氯化钠注射液", (2, 3), "5.80"),
        ),
        2,
        pool="women",
        stay=(2, 4),
    ),
    Scenario(
        VisitType.INPATIENT,
        ("H25.900", "老年性白内障"),
        ("2",),
        (
            _i("白内障超声乳化摘除术"),
            _i("人工晶状体（折叠）"),
            BED,
            _i("二级护理", per_day=True),
            WARD_ROUND,
            _i("左氧氟沙星滴眼液", (2, 2), "8.50"),
            _i("常规心电图"),
            _i("血常规（五分类）"),
        ),
        2,
        pool="older",
        stay=(2, 4),
    ),
    Scenario(
        VisitType.INPATIENT,
        ("S72.000", "股骨颈骨折"),
        ("2",),
        (
            _i("人工髋关节假体"),
            _i("重症监护床位费", (1, 3)),
            BED,
            _i("一级护理", per_day=True),
            WARD_ROUND,
            _i("人血白蛋白", (2, 4)),
            _i("中心静脉导管包"),
            _i("胸部CT平扫"),
            _i("低分子量肝素钙注射液", per_day=True),
            _i("血常规（五分类）", (3, 5)),
        ),
        1,
        pool="older",
        stay=(12, 20),
    ),
    # A few very ill residents, admitted again and again: the critical-illness tier.
    Scenario(
        VisitType.INPATIENT,
        ("J18.900", "重症肺炎"),
        ("2",),
        (
            _i("重症监护床位费", (4, 8)),
            BED,
            _i("特级护理", per_day=True),
            WARD_ROUND,
            _i("人血白蛋白", (24, 40)),
            _i("注射用哌拉西林钠他唑巴坦钠", (3, 3), per_day=True),
            _i("吸氧", (16, 24), per_day=True),
            _i("中心静脉导管包"),
            _i("胸部CT平扫", (2, 3)),
            _i("血常规（五分类）", (5, 8)),
        ),
        1,
        pool="grave",
        stay=(15, 25),
    ),
)

REVERSAL_RATE = 0.015
REVERSAL_REASONS = ("收费员录入错误，冲正后重新结算", "患者对费用有异议，核对后重新结算")
