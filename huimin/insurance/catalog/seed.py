"""A small synthetic catalog for the demo: ~200 common drugs, services and consumables.

SYNTHETIC: names are real common items, but codes are only shaped like national codes
(apart from the five of ../shared/examples/claim-example.json), and classes, ceilings
and restrictions are plausible, not any province's. Idempotent: items already present
are left alone.
"""

import dataclasses
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from huimin.audit.services import record
from huimin.insurance.catalog import rules
from huimin.insurance.catalog.models import CatalogItem, CatalogVersion

BASE = datetime.date(2020, 1, 1)
CHANGE = datetime.date(2026, 1, 1)  # the demo's yearly price adjustment

_FORMS = {
    "注射液": "A001",
    "注射剂": "A002",
    "片": "B001",
    "胶囊": "C001",
    "颗粒": "D001",
    "口服液": "E001",
    "软膏": "F001",
    "滴眼液": "G001",
    "吸入剂": "H001",
    "丸": "J001",
    "散": "K001",
    "其他": "L001",
}


def _form(name: str) -> str:
    for word, code in _FORMS.items():
        if word in name:
            return code
    return _FORMS["其他"]


# (name, category, class, unit, ceiling, b_self_ratio, extra restrictions)
# category: an ATC level-4 code for western drugs, a 5-character group for 中成药.
_DRUGS = [
    ("阿莫西林胶囊", "J01CA", "A", "粒", None, None, {}),
    ("头孢氨苄胶囊", "J01DB", "A", "粒", None, None, {}),
    ("头孢呋辛酯片", "J01DC", "A", "片", None, None, {}),
    ("注射用头孢曲松钠", "J01DD", "A", "支", None, None, {}),
    ("注射用头孢他啶", "J01DD", "B", "支", "18.50", None, {"levels": ("2", "3")}),
    ("阿奇霉素片", "J01FA", "A", "片", None, None, {}),
    ("注射用阿奇霉素", "J01FA", "B", "支", "25.00", None, {"restricted_use": "限不能口服者"}),
    ("红霉素肠溶片", "J01FA", "A", "片", None, None, {}),
    ("克拉霉素片", "J01FA", "A", "片", None, None, {}),
    ("左氧氟沙星片", "J01MA", "A", "片", None, None, {"age_min": 18}),
    ("莫西沙星片", "J01MA", "B", "片", "9.80", None, {"age_min": 18}),
    ("甲硝唑片", "J01XD", "A", "片", None, None, {}),
    ("甲硝唑氯化钠注射液", "J01XD", "A", "瓶", None, None, {}),
    ("硫酸庆大霉素注射液", "J01GB", "A", "支", None, None, {}),
    ("注射用青霉素钠", "J01CE", "A", "支", None, None, {}),
    ("阿莫西林克拉维酸钾片", "J01CR", "A", "片", None, None, {}),
    (
        "注射用哌拉西林钠他唑巴坦钠",
        "J01CR",
        "B",
        "支",
        "32.00",
        None,
        {"levels": ("2", "3"), "restricted_use": "限重症感染"},
    ),
    ("注射用美罗培南", "J01DH", "B", "支", "68.00", "0.20", {"levels": ("3",)}),
    ("阿昔洛韦片", "J05AB", "A", "片", None, None, {}),
    ("磷酸奥司他韦胶囊", "J05AH", "B", "粒", "6.20", None, {"restricted_use": "限流感患者"}),
    ("硝苯地平缓释片", "C08CA", "A", "片", None, None, {}),
    ("苯磺酸氨氯地平片", "C08CA", "A", "片", None, None, {}),
    ("卡托普利片", "C09AA", "A", "片", None, None, {}),
    ("马来酸依那普利片", "C09AA", "A", "片", None, None, {}),
    ("缬沙坦胶囊", "C09CA", "A", "粒", None, None, {}),
    ("厄贝沙坦片", "C09CA", "A", "片", None, None, {}),
    ("酒石酸美托洛尔片", "C07AB", "A", "片", None, None, {}),
    ("富马酸比索洛尔片", "C07AB", "A", "片", None, None, {}),
    ("氢氯噻嗪片", "C03AA", "A", "片", None, None, {}),
    ("呋塞米片", "C03CA", "A", "片", None, None, {}),
    ("呋塞米注射液", "C03CA", "A", "支", None, None, {}),
    ("螺内酯片", "C03DA", "A", "片", None, None, {}),
    ("阿司匹林肠溶片", "B01AC", "A", "片", None, None, {}),
    ("硫酸氢氯吡格雷片", "B01AC", "B", "片", "1.20", None, {}),
    ("阿托伐他汀钙片", "C10AA", "A", "片", "0.60", None, {}),
    ("辛伐他汀片", "C10AA", "A", "片", None, None, {}),
    ("瑞舒伐他汀钙片", "C10AA", "B", "片", "0.80", None, {}),
    ("硝酸甘油片", "C01DA", "A", "片", None, None, {}),
    ("单硝酸异山梨酯片", "C01DA", "A", "片", None, None, {}),
    ("地高辛片", "C01AA", "A", "片", None, None, {}),
    ("盐酸胺碘酮片", "C01BD", "A", "片", None, None, {}),
    ("华法林钠片", "B01AA", "A", "片", None, None, {}),
    ("低分子量肝素钙注射液", "B01AB", "B", "支", "28.00", None, {"levels": ("2", "3")}),
    ("盐酸二甲双胍片", "A10BA", "A", "片", None, None, {}),
    ("格列美脲片", "A10BB", "A", "片", None, None, {}),
    ("格列齐特缓释片", "A10BB", "A", "片", None, None, {}),
    ("阿卡波糖片", "A10BF", "A", "片", None, None, {}),
    ("胰岛素注射液", "A10AB", "A", "支", None, None, {}),
    ("甘精胰岛素注射液", "A10AE", "B", "支", "75.00", None, {}),
    ("门冬胰岛素注射液", "A10AB", "B", "支", "40.00", None, {}),
    ("磷酸西格列汀片", "A10BH", "B", "片", "1.50", None, {"restricted_use": "限二线用药"}),
    ("奥美拉唑肠溶胶囊", "A02BC", "A", "粒", None, None, {}),
    (
        "注射用奥美拉唑钠",
        "A02BC",
        "B",
        "支",
        "12.00",
        None,
        {"restricted_use": "限有禁食医嘱或吞咽困难的患者"},
    ),
    ("雷尼替丁胶囊", "A02BA", "A", "粒", None, None, {}),
    ("多潘立酮片", "A03FA", "A", "片", None, None, {}),
    ("蒙脱石散", "A07BC", "A", "袋", None, None, {}),
    ("乳果糖口服溶液", "A06AD", "B", "瓶", None, None, {}),
    ("盐酸消旋山莨菪碱注射液", "A03BA", "A", "支", None, None, {}),
    ("盐酸甲氧氯普胺注射液", "A03FA", "A", "支", None, None, {}),
    ("盐酸氨溴索片", "R05CB", "A", "片", None, None, {}),
    ("盐酸氨溴索注射液", "R05CB", "B", "支", "6.00", None, {"restricted_use": "限不能口服者"}),
    ("硫酸沙丁胺醇吸入气雾剂", "R03AC", "A", "瓶", None, None, {}),
    ("布地奈德吸入剂", "R03BA", "B", "支", "45.00", None, {}),
    ("氨茶碱片", "R03DA", "A", "片", None, None, {}),
    ("孟鲁司特钠咀嚼片", "R03DC", "B", "片", "3.20", None, {"age_max": 14}),
    ("复方甘草片", "R05FA", "A", "片", None, None, {}),
    ("布洛芬缓释胶囊", "M01AE", "A", "粒", None, None, {}),
    ("布洛芬混悬液", "M01AE", "A", "瓶", None, None, {"age_max": 14}),
    ("对乙酰氨基酚片", "N02BE", "A", "片", None, None, {}),
    ("双氯芬酸钠缓释片", "M01AB", "A", "片", None, None, {}),
    ("盐酸曲马多缓释片", "N02AX", "B", "片", None, None, {"age_min": 14}),
    ("盐酸吗啡注射液", "N02AA", "A", "支", None, None, {"levels": ("2", "3")}),
    ("地西泮片", "N05BA", "A", "片", None, None, {}),
    ("艾司唑仑片", "N05CD", "A", "片", None, None, {}),
    ("卡马西平片", "N03AF", "A", "片", None, None, {}),
    ("丙戊酸钠片", "N03AG", "A", "片", None, None, {}),
    ("尼莫地平片", "C08CA", "A", "片", None, None, {}),
    ("甲钴胺片", "B03BA", "B", "片", None, None, {"restricted_use": "限周围神经病变"}),
    ("氯化钠注射液", "B05BB", "A", "瓶", None, None, {}),
    ("葡萄糖注射液", "B05BA", "A", "瓶", None, None, {}),
    ("葡萄糖氯化钠注射液", "B05BB", "A", "瓶", None, None, {}),
    ("复方氯化钠注射液", "B05BB", "A", "瓶", None, None, {}),
    ("乳酸钠林格注射液", "B05BB", "A", "瓶", None, None, {}),
    ("氯化钾注射液", "B05XA", "A", "支", None, None, {}),
    ("碳酸氢钠注射液", "B05XA", "A", "支", None, None, {}),
    ("中/长链脂肪乳注射液", "B05BA", "B", "瓶", "95.00", None, {"levels": ("2", "3")}),
    (
        "人血白蛋白",
        "B05AA",
        "B",
        "瓶",
        "380.00",
        "0.30",
        {"restricted_use": "限抢救、重症或因肝硬化、癌症引起胸腹水的患者，且白蛋白低于30g/L"},
    ),
    ("地塞米松磷酸钠注射液", "H02AB", "A", "支", None, None, {}),
    ("醋酸泼尼松片", "H02AB", "A", "片", None, None, {}),
    ("甲泼尼龙片", "H02AB", "B", "片", None, None, {}),
    ("左甲状腺素钠片", "H03AA", "A", "片", None, None, {}),
    ("甲巯咪唑片", "H03BB", "A", "片", None, None, {}),
    ("缩宫素注射液", "H01BB", "A", "支", None, None, {"sex": "2"}),
    ("黄体酮注射液", "G03DA", "A", "支", None, None, {"sex": "2"}),
    ("盐酸坦索罗辛缓释胶囊", "G04CA", "B", "粒", "2.60", None, {"sex": "1"}),
    ("非那雄胺片", "G04CB", "B", "片", "1.80", None, {"sex": "1"}),
    ("维生素B1片", "A11DA", "A", "片", None, None, {}),
    ("维生素C注射液", "A11GA", "A", "支", None, None, {}),
    ("叶酸片", "B03BB", "A", "片", None, None, {}),
    ("硫酸亚铁片", "B03AA", "A", "片", None, None, {}),
    ("维生素D滴剂", "A11CC", "B", "粒", None, None, {"age_max": 6}),
    ("左氧氟沙星滴眼液", "S01AE", "A", "支", None, None, {}),
    ("红霉素眼膏", "S01AA", "A", "支", None, None, {}),
    ("莫匹罗星软膏", "D06AX", "B", "支", None, None, {}),
    ("炉甘石洗剂", "D04AX", "A", "瓶", None, None, {}),
    ("氯雷他定片", "R06AX", "A", "片", None, None, {}),
    ("盐酸西替利嗪片", "R06AE", "A", "片", None, None, {}),
    ("盐酸苯海拉明注射液", "R06AA", "A", "支", None, None, {}),
    ("感冒清热颗粒", "ZA01A", "A", "袋", None, None, {}),
    ("连花清瘟胶囊", "ZA01B", "B", "粒", None, None, {}),
    ("板蓝根颗粒", "ZA03A", "A", "袋", None, None, {}),
    ("双黄连口服液", "ZA03A", "A", "支", None, None, {}),
    ("藿香正气水", "ZA04A", "A", "支", None, None, {}),
    ("银翘解毒片", "ZA01B", "A", "片", None, None, {}),
    ("复方丹参滴丸", "ZA12E", "A", "丸", None, None, {}),
    ("速效救心丸", "ZA12E", "A", "丸", None, None, {}),
    (
        "丹参注射液",
        "ZA12G",
        "B",
        "支",
        "4.50",
        None,
        {"levels": ("2", "3"), "max_quantity_per_day": "4"},
    ),
    (
        "注射用血塞通（冻干）",
        "ZA12G",
        "B",
        "支",
        "12.00",
        None,
        {
            "levels": ("2", "3"),
            "restricted_use": "限二级及以上医疗机构中风偏瘫或视网膜中央静脉阻塞患者",
        },
    ),
    ("六味地黄丸", "ZA09F", "A", "丸", None, None, {}),
    ("逍遥丸", "ZA06A", "A", "丸", None, None, {}),
    ("云南白药胶囊", "ZA13A", "A", "粒", None, None, {}),
    ("牛黄解毒片", "ZA03B", "A", "片", None, None, {}),
    ("安宫牛黄丸", "ZA05A", "B", "丸", "380.00", None, {"restricted_use": "限高热惊厥、中风昏迷"}),
    ("养血清脑颗粒", "ZA12C", "B", "袋", None, None, {}),
    ("益母草颗粒", "ZB01A", "A", "袋", None, None, {"sex": "2"}),
    ("妇科千金片", "ZB01B", "B", "片", None, None, {"sex": "2"}),
    ("普乐安片", "ZA10C", "B", "片", None, None, {"sex": "1"}),
    ("小儿豉翘清热颗粒", "ZC01A", "B", "袋", None, None, {"age_max": 14}),
    ("参麦注射液", "ZA09A", "B", "支", "9.00", None, {"levels": ("2", "3")}),
    ("通心络胶囊", "ZA12E", "B", "粒", None, None, {}),
    ("麝香保心丸", "ZA12E", "A", "丸", None, None, {}),
    ("脑心通胶囊", "ZA12D", "B", "粒", None, None, {}),
    ("香砂养胃丸", "ZA07B", "A", "丸", None, None, {}),
    ("保和丸", "ZA08A", "A", "丸", None, None, {}),
    ("黄连上清片", "ZA03B", "A", "片", None, None, {}),
]

# (section, sub, item, name, class, unit, ceiling, extra restrictions) → code
# f"{section}{sub:02d}{item:05d}0000", as 001102000010000 (床位费（二级）).
_SERVICES = [
    ("0011", 1, 1, "普通门诊诊查费", "A", "次", "10.00", {}),
    ("0011", 1, 2, "副主任医师诊查费", "A", "次", "15.00", {"levels": ("2", "3")}),
    ("0011", 1, 3, "主任医师诊查费", "A", "次", "20.00", {"levels": ("2", "3")}),
    ("0011", 1, 4, "急诊诊查费", "A", "次", "12.00", {}),
    ("0011", 1, 5, "住院诊查费", "A", "日", "10.00", {}),
    ("0011", 1, 6, "一般诊疗费（基层）", "A", "次", "10.00", {"levels": ("1",)}),
    ("0011", 2, 2, "床位费（一级）", "A", "日", "25.00", {"levels": ("1",)}),
    ("0011", 2, 3, "床位费（三级）", "A", "日", "55.00", {"levels": ("3",)}),
    ("0011", 2, 4, "重症监护床位费", "A", "日", "120.00", {"levels": ("2", "3")}),
    ("0011", 2, 5, "家庭病床建床费", "A", "次", "30.00", {"levels": ("1",)}),
    ("0011", 3, 1, "特级护理", "A", "日", "60.00", {}),
    ("0011", 3, 2, "一级护理", "A", "日", "30.00", {}),
    ("0011", 3, 3, "二级护理", "A", "日", "18.00", {}),
    ("0011", 3, 4, "三级护理", "A", "日", "10.00", {}),
    ("0012", 1, 1, "肌肉注射", "A", "次", "3.00", {}),
    ("0012", 1, 2, "静脉注射", "A", "次", "5.00", {}),
    ("0012", 1, 3, "静脉输液（第一组）", "A", "组", "10.00", {}),
    ("0012", 1, 4, "静脉输液（每增加一组）", "A", "组", "3.00", {}),
    ("0012", 1, 5, "皮下注射", "A", "次", "3.00", {}),
    ("0012", 1, 6, "静脉采血", "A", "次", "3.00", {}),
    ("0012", 2, 1, "换药（小）", "A", "次", "15.00", {}),
    ("0012", 2, 2, "换药（中）", "A", "次", "25.00", {}),
    ("0012", 2, 3, "清创缝合（小）", "A", "次", "80.00", {}),
    ("0012", 2, 4, "拆线", "A", "次", "15.00", {}),
    ("0012", 3, 1, "吸氧", "A", "小时", "3.00", {"max_quantity_per_day": "24"}),
    ("0012", 3, 2, "雾化吸入", "A", "次", "8.00", {"max_quantity_per_day": "4"}),
    ("0012", 3, 3, "导尿", "A", "次", "20.00", {}),
    ("0012", 3, 4, "灌肠", "A", "次", "20.00", {}),
    ("0012", 3, 5, "鼻饲管置管", "A", "次", "20.00", {}),
    ("0012", 3, 6, "心肺复苏术", "A", "次", "150.00", {}),
    ("0012", 3, 7, "洗胃", "A", "次", "80.00", {}),
    ("0021", 1, 1, "胸部X线摄影（DR）", "A", "次", "60.00", {}),
    ("0021", 1, 2, "腰椎X线摄影（DR）", "A", "次", "70.00", {}),
    ("0021", 2, 1, "头颅CT平扫", "A", "次", "150.00", {"levels": ("2", "3")}),
    ("0021", 2, 2, "胸部CT平扫", "A", "次", "180.00", {"levels": ("2", "3")}),
    ("0021", 3, 1, "头颅磁共振平扫", "B", "次", "420.00", {"levels": ("2", "3")}),
    ("0021", 4, 1, "腹部B超", "A", "次", "60.00", {}),
    ("0021", 4, 2, "妇科B超", "A", "次", "50.00", {"sex": "2"}),
    ("0021", 4, 3, "泌尿系B超", "A", "次", "50.00", {}),
    ("0021", 4, 4, "心脏彩色多普勒超声", "A", "次", "150.00", {"levels": ("2", "3")}),
    ("0021", 5, 1, "常规心电图", "A", "次", "20.00", {}),
    ("0021", 5, 2, "动态心电图", "A", "次", "150.00", {"levels": ("2", "3")}),
    ("0022", 1, 1, "血常规（五分类）", "A", "次", "20.00", {}),
    ("0022", 1, 2, "ABO血型鉴定", "A", "次", "10.00", {}),
    ("0022", 1, 3, "凝血功能四项", "A", "次", "60.00", {}),
    ("0022", 2, 1, "尿常规", "A", "次", "10.00", {}),
    ("0022", 2, 2, "粪便常规", "A", "次", "8.00", {}),
    ("0022", 3, 1, "肝功能", "A", "次", "60.00", {}),
    ("0022", 3, 2, "肾功能", "A", "次", "30.00", {}),
    ("0022", 3, 3, "血脂四项", "A", "次", "40.00", {}),
    ("0022", 3, 4, "血糖测定", "A", "次", "5.00", {}),
    ("0022", 3, 5, "糖化血红蛋白测定", "A", "次", "50.00", {}),
    ("0022", 3, 6, "电解质测定", "A", "次", "25.00", {}),
    ("0022", 4, 1, "乙肝两对半定量", "A", "次", "70.00", {}),
    ("0022", 4, 2, "C反应蛋白测定", "A", "次", "20.00", {}),
    ("0022", 5, 1, "前列腺特异性抗原测定", "B", "次", "60.00", {"sex": "1"}),
    ("0022", 5, 2, "人绒毛膜促性腺激素测定", "A", "次", "30.00", {"sex": "2"}),
    ("0031", 4, 1, "包皮环切术", "A", "次", "600.00", {"sex": "1"}),
    ("0031", 5, 3002, "阑尾切除术", "A", "次", "1500.00", {"levels": ("2", "3")}),
    ("0031", 5, 3003, "腹股沟疝修补术", "A", "次", "1300.00", {"levels": ("2", "3")}),
    (
        "0031",
        7,
        1,
        "子宫下段剖宫产术",
        "A",
        "次",
        "2000.00",
        {"sex": "2", "levels": ("2", "3")},
    ),
    ("0031", 7, 2, "经阴道分娩接生", "A", "次", "800.00", {"sex": "2"}),
    ("0031", 8, 1, "白内障超声乳化摘除术", "A", "次", "1800.00", {"levels": ("2", "3")}),
    ("0031", 10, 1, "电子胃镜检查", "A", "次", "220.00", {"levels": ("2", "3")}),
    ("0031", 10, 2, "电子结肠镜检查", "A", "次", "280.00", {"levels": ("2", "3")}),
    ("0031", 11, 1, "血液透析", "A", "次", "400.00", {"levels": ("2", "3")}),
    ("0041", 1, 1, "运动疗法", "B", "次", "40.00", {}),
    ("0041", 1, 2, "偏瘫肢体综合训练", "B", "次", "50.00", {}),
    ("0042", 1, 1, "普通针刺", "A", "次", "20.00", {}),
    ("0042", 1, 2, "艾灸", "A", "次", "15.00", {}),
    ("0042", 1, 3, "推拿（局部）", "A", "次", "30.00", {}),
    ("0042", 1, 4, "拔罐（火罐）", "A", "次", "10.00", {}),
    ("0042", 1, 5, "中药熏洗", "B", "次", "30.00", {}),
    ("0051", 1, 1, "健康体检（套餐）", "C", "次", None, {}),
    ("0051", 1, 2, "洁牙", "C", "次", None, {}),
    ("0051", 1, 3, "验光配镜", "C", "次", None, {}),
]

# (class group, generic, name, class, unit, ceiling, extra) → "C" + 26 characters.
_CONSUMABLES = [
    ("0201", 1, "一次性使用输液器", "A", "套", "3.50", {}),
    ("0201", 2, "一次性使用无菌注射器", "A", "支", "0.80", {}),
    ("0201", 3, "静脉留置针", "B", "支", "15.00", {}),
    ("0201", 4, "医用输液贴", "A", "贴", "0.30", {}),
    ("0202", 1, "一次性使用无菌导尿管", "A", "根", "8.00", {}),
    ("0202", 2, "一次性使用吸氧管", "A", "根", "3.00", {}),
    ("0202", 3, "中心静脉导管包", "B", "套", "260.00", {"levels": ("2", "3")}),
    ("0301", 1, "医用脱脂纱布", "A", "块", "0.50", {}),
    ("0301", 2, "可吸收性外科缝线", "B", "根", "45.00", {}),
    ("0401", 1, "血糖试纸", "B", "片", "1.50", {}),
    ("0401", 2, "胰岛素笔用针头", "B", "支", "1.20", {}),
    ("0501", 1, "药物洗脱冠状动脉支架", "B", "个", "800.00", {"levels": ("3",)}),
    ("0502", 1, "人工晶状体（折叠）", "B", "个", "1200.00", {"levels": ("2", "3")}),
    ("0503", 1, "人工髋关节假体", "B", "套", "7000.00", {"levels": ("2", "3")}),
    ("0504", 1, "疝修补补片", "B", "片", "900.00", {"levels": ("2", "3")}),
    ("0505", 1, "一次性使用管型吻合器", "B", "把", "1500.00", {"levels": ("2", "3")}),
    ("0505", 2, "一次性使用腹腔镜穿刺器", "B", "套", "450.00", {"levels": ("2", "3")}),
    ("0506", 1, "接骨板", "B", "块", "1800.00", {"levels": ("2", "3")}),
    ("0601", 1, "医用弹力袜", "C", "双", None, {}),
    ("0601", 2, "一次性雾化器", "B", "套", "12.00", {}),
]


# ---------------------------------------------------------------- what review reads

# Fee category of a service by its national code's section and sub-section
# (医疗服务项目分类: 综合医疗服务类 0011, 医技诊疗类 002, 临床诊疗类 003, 中医及民族医 004).
SERVICE_CATEGORIES = (
    ("001101", "consultation"),  # 诊查费
    ("001102", "bed"),  # 床位费
    ("001103", "nursing"),  # 护理费
    ("0012", "treatment"),  # 一般治疗操作
    ("0021", "exam"),  # 影像、超声、心电
    ("0022", "lab"),  # 检验
    ("003110", "exam"),  # 内镜检查 (billed as 检查费)
    ("003111", "treatment"),  # 血液净化
    ("0031", "surgery"),
    ("004", "treatment"),  # 康复、中医
)

# Per item (by name): charged per day, medically unlikely units per day (set where the
# clinical ceiling is clear: once-a-day charges, procedures done once, tests not
# repeated more than a few times a day, implants), the qualification needed.
_DAILY = {"day_based": True, "mue": "1"}
REVIEW = {
    "住院诊查费": _DAILY,
    "床位费（一级）": _DAILY,
    "床位费（二级）": _DAILY,
    "床位费（三级）": _DAILY,
    "重症监护床位费": {**_DAILY, "qualification": "icu"},
    "特级护理": _DAILY,
    "一级护理": _DAILY,
    "二级护理": _DAILY,
    "三级护理": _DAILY,
    "普通门诊诊查费": {"mue": "1"},
    "副主任医师诊查费": {"mue": "1"},
    "主任医师诊查费": {"mue": "1"},
    "急诊诊查费": {"mue": "2"},
    "一般诊疗费（基层）": {"mue": "1"},
    "家庭病床建床费": {"mue": "1"},
    "静脉输液（第一组）": {"mue": "1"},  # the first group is charged once a day
    "吸氧": {"mue": "24"},  # hours
    "雾化吸入": {"mue": "6"},
    "心肺复苏术": {"mue": "3"},
    "洗胃": {"mue": "2"},
    "胸部X线摄影（DR）": {"mue": "3"},
    "腰椎X线摄影（DR）": {"mue": "2"},
    "头颅CT平扫": {"mue": "2", "qualification": "ct"},
    "胸部CT平扫": {"mue": "2", "qualification": "ct"},
    "头颅磁共振平扫": {"mue": "1", "qualification": "mri"},
    "腹部B超": {"mue": "2"},
    "妇科B超": {"mue": "2"},
    "心脏彩色多普勒超声": {"mue": "2"},
    "常规心电图": {"mue": "4"},
    "动态心电图": {"mue": "1"},
    "血常规（五分类）": {"mue": "4"},
    "ABO血型鉴定": {"mue": "1"},
    "凝血功能四项": {"mue": "3"},
    "尿常规": {"mue": "2"},
    "粪便常规": {"mue": "2"},
    "肝功能": {"mue": "2"},
    "肾功能": {"mue": "3"},
    "血脂四项": {"mue": "1"},
    "糖化血红蛋白测定": {"mue": "1"},
    "乙肝两对半定量": {"mue": "1"},
    "C反应蛋白测定": {"mue": "3"},
    "前列腺特异性抗原测定": {"mue": "1"},
    "包皮环切术": {"mue": "1"},
    "阑尾切除术": {"mue": "1", "qualification": "surgery_2"},
    "腹股沟疝修补术": {"mue": "1", "qualification": "surgery_2"},
    "腹腔镜下胆囊切除术": {"mue": "1", "qualification": "surgery_3"},
    "子宫下段剖宫产术": {"mue": "1", "qualification": "obstetrics"},
    "经阴道分娩接生": {"mue": "1", "qualification": "obstetrics"},
    "白内障超声乳化摘除术": {"mue": "1", "qualification": "ophthalmic_surgery"},
    "电子胃镜检查": {"mue": "1", "qualification": "endoscopy"},
    "电子结肠镜检查": {"mue": "1", "qualification": "endoscopy"},
    "血液透析": {"mue": "1", "qualification": "dialysis"},
    "运动疗法": {"mue": "2"},
    "偏瘫肢体综合训练": {"mue": "2"},
    "健康体检（套餐）": {"mue": "1"},
    "药物洗脱冠状动脉支架": {"mue": "4", "qualification": "interventional_cardiology"},
    "人工晶状体（折叠）": {"mue": "2", "qualification": "ophthalmic_surgery"},
    "人工髋关节假体": {"mue": "2", "qualification": "joint_replacement"},
    "疝修补补片": {"mue": "2"},
    "人血白蛋白": {"mue": "8"},  # bottles of 10 g
}
# Days one unit lasts at the usual adult dose (1 ÷ units a day), for the drugs of
# long-term prescriptions (两病用药 and the like) where days' supply is reviewed.
SUPPLY = {
    "苯磺酸氨氯地平片": "1",  # 5 mg once a day
    "硝苯地平缓释片": "0.5",  # 10 mg twice a day
    "卡托普利片": "0.3333",  # 25 mg three times a day
    "马来酸依那普利片": "0.5",
    "缬沙坦胶囊": "1",
    "厄贝沙坦片": "1",
    "酒石酸美托洛尔片": "0.5",
    "富马酸比索洛尔片": "1",
    "氢氯噻嗪片": "1",
    "阿司匹林肠溶片": "1",
    "硫酸氢氯吡格雷片": "1",
    "阿托伐他汀钙片": "1",
    "辛伐他汀片": "1",
    "瑞舒伐他汀钙片": "1",
    "盐酸二甲双胍片": "0.3333",  # 0.5 g three times a day
    "格列美脲片": "1",
    "格列齐特缓释片": "1",
    "阿卡波糖片": "0.3333",
    "磷酸西格列汀片": "1",
    "左甲状腺素钠片": "1",
    "非那雄胺片": "1",
    "盐酸坦索罗辛缓释胶囊": "1",
}
# A bundled service (组套) and its own components: billed with one of them on the same
# day, the component is paid twice (分解项目收费).
BUNDLES = {
    "健康体检（套餐）": (
        "肝功能", "肾功能", "血脂四项", "血糖测定", "腹部B超", "胸部X线摄影（DR）",
    ),
    "血液透析": ("静脉注射", "肾功能"),
}  # fmt: skip
# Items no one is charged together on one day: one nursing level a day, one bed a day,
# one kind of outpatient consultation per visit.
EXCLUSIVE = (
    ("特级护理", "一级护理", "二级护理", "三级护理"),
    ("床位费（一级）", "床位费（二级）", "床位费（三级）"),
    ("普通门诊诊查费", "副主任医师诊查费", "主任医师诊查费", "急诊诊查费", "一般诊疗费（基层）"),
)


@dataclass(frozen=True)
class SeedVersion:
    effective_from: datetime.date
    effective_to: datetime.date | None
    terms: rules.Terms


@dataclass(frozen=True)
class SeedItem:
    code: str
    kind: str
    versions: tuple[SeedVersion, ...]


def _dec(value) -> Decimal | None:
    return Decimal(value) if value else None


def _terms(name, cls, unit, ceiling, ratio, extra, *, category="other") -> rules.Terms:
    per_day = extra.get("max_quantity_per_day")
    review = REVIEW.get(name, {})
    return rules.Terms(
        name=name,
        item_class=cls,
        unit=unit,
        ceiling=Decimal(ceiling) if ceiling else None,
        b_self_ratio=Decimal(ratio) if ratio else None,
        sex=extra.get("sex", ""),
        age_min=extra.get("age_min"),
        age_max=extra.get("age_max"),
        allowed_levels=tuple(extra.get("levels", ())),
        max_quantity_per_day=Decimal(per_day) if per_day else None,
        restricted_use=extra.get("restricted_use", ""),
        fee_category=review.get("category", category),
        day_based=review.get("day_based", False),
        mue=_dec(review.get("mue")),
        days_supply_per_unit=_dec(SUPPLY.get(name)),
        qualification=review.get("qualification", ""),
    )


def _one(code, kind, terms) -> SeedItem:
    return SeedItem(code, kind, (SeedVersion(BASE, None, terms),))


def _changed(code, kind, old: rules.Terms, new: rules.Terms) -> SeedItem:
    """An item whose terms changed at the demo's yearly adjustment."""
    before = SeedVersion(BASE, CHANGE - datetime.timedelta(days=1), old)
    return SeedItem(code, kind, (before, SeedVersion(CHANGE, None, new)))


def _service_category(section: str, sub: int) -> str:
    for prefix, category in SERVICE_CATEGORIES:
        if f"{section}{sub:02d}".startswith(prefix):
            return category
    return "other"


def demo_items() -> list[SeedItem]:
    items = []
    for i, (name, category, cls, unit, ceiling, ratio, extra) in enumerate(_DRUGS, start=1):
        prefix = "Z" if category.startswith("Z") else "X"
        body = category[1:] if prefix == "Z" else category
        # X + category(5) + generic(4) + form(4) + specification(6) + maker(3) = 23.
        generic = f"{'GHKMNPQRSTUVW'[i % 13]}{i:03d}"
        code = f"{prefix}{body.ljust(5, 'A')[:5]}{generic}{_form(name)}{10100 + i:06d}{400 + i:03d}"
        terms = _terms(name, cls, unit, ceiling, ratio, extra, category="drug")
        items.append(_one(code, "drug", terms))
    for section, sub, n, name, cls, unit, ceiling, extra in _SERVICES:
        code = f"{section}{sub:02d}{n:05d}0000"
        category = _service_category(section, sub)
        items.append(
            _one(code, "service", _terms(name, cls, unit, ceiling, None, extra, category=category))
        )
    for i, (group, n, name, cls, unit, ceiling, extra) in enumerate(_CONSUMABLES, start=1):
        # C + group(4) + subgroup(2) + generic(5) + material(4) + specification(4) + maker(7).
        code = f"C{group}01{n:05d}{i:04d}0001{9100000 + i:07d}"
        terms = _terms(name, cls, unit, ceiling, None, extra, category="material")
        items.append(_one(code, "consumable", terms))
    items += _claim_example_items()
    return _with_bundles(items)


def _with_bundles(items: list[SeedItem]) -> list[SeedItem]:
    """Bundles' components and exclusive items, named in BUNDLES and EXCLUSIVE, as the
    codes of this catalog (every version of the item carries them)."""
    code_of = {v.terms.name: s.code for s in items for v in s.versions}
    parts = {code_of[b]: {code_of[c] for c in cs} for b, cs in BUNDLES.items()}
    exclusive: dict[str, set[str]] = {}
    for group in EXCLUSIVE:
        for name in group:
            exclusive.setdefault(code_of[name], set()).update(
                code_of[o] for o in group if o != name
            )
    out = []
    for s in items:
        versions = tuple(
            dataclasses.replace(
                v,
                terms=dataclasses.replace(
                    v.terms,
                    components=tuple(sorted(parts.get(s.code, ()))),
                    exclusive_with=tuple(sorted(exclusive.get(s.code, ()))),
                ),
            )
            for v in s.versions
        )
        out.append(SeedItem(s.code, s.kind, versions))
    return out


def _claim_example_items() -> list[SeedItem]:
    """The five codes of the worked claim example, with the classes and ceilings it uses
    in 2026 (two of them changed at the yearly adjustment)."""
    t = _terms
    return [
        _one(
            "XC01EBL134A001010101445",
            "drug",
            t("盐酸左氧氟沙星注射液", "A", "支", None, None, {}, category="drug"),
        ),
        _changed(
            "XB05BAA015B002010100445",
            "drug",
            t("复方氨基酸注射液", "B", "瓶", "88.00", None, {}, category="drug"),
            t("复方氨基酸注射液", "B", "瓶", "85.00", None, {}, category="drug"),
        ),
        _changed(
            "001102000010000",
            "service",
            t("床位费（二级）", "A", "日", "35.00", None, {"levels": ("2",)}, category="bed"),
            t("床位费（二级）", "A", "日", "40.00", None, {"levels": ("2",)}, category="bed"),
        ),
        _one(
            "003105030010000",
            "service",
            t(
                "腹腔镜下胆囊切除术",
                "A",
                "次",
                None,
                None,
                {"levels": ("2", "3")},
                category="surgery",
            ),
        ),
        _one(
            "ZZ0000000000000001",
            "consumable",
            t("一次性高值耗材（目录外）", "C", "个", None, None, {}, category="material"),
        ),
    ]


def seed_demo_catalog() -> tuple[int, int]:
    """Create the demo items that are missing; returns (items created, versions created)."""
    wanted = demo_items()
    with transaction.atomic():
        present = set(
            CatalogItem.objects.filter(code__in=[s.code for s in wanted]).values_list(
                "code", flat=True
            )
        )
        missing = [s for s in wanted if s.code not in present]
        if not missing:
            return 0, 0
        CatalogItem.objects.bulk_create([CatalogItem(code=s.code, kind=s.kind) for s in missing])
        ids = dict(
            CatalogItem.objects.filter(code__in=[s.code for s in missing]).values_list("code", "pk")
        )
        versions = [
            CatalogVersion(
                item_id=ids[s.code],
                name=v.terms.name,
                pinyin=v.terms.pinyin,
                item_class=v.terms.item_class,
                unit=v.terms.unit,
                ceiling=v.terms.ceiling,
                b_self_ratio=v.terms.b_self_ratio,
                sex=v.terms.sex,
                age_min=v.terms.age_min,
                age_max=v.terms.age_max,
                institution_levels=rules.levels_text(v.terms.allowed_levels),
                max_quantity_per_day=v.terms.max_quantity_per_day,
                restricted_use=v.terms.restricted_use,
                fee_category=v.terms.fee_category,
                day_based=v.terms.day_based,
                mue=v.terms.mue,
                days_supply_per_unit=v.terms.days_supply_per_unit,
                qualification=v.terms.qualification,
                component_codes=rules.codes_text(v.terms.components),
                exclusive_codes=rules.codes_text(v.terms.exclusive_with),
                effective_from=v.effective_from,
                effective_to=v.effective_to,
                source="seed-catalog",
            )
            for s in missing
            for v in s.versions
        ]
        CatalogVersion.objects.bulk_create(versions)
        record(
            action="create",
            object_type="catalog.catalog",
            object_id="seed-catalog",
            purpose="seed-catalog",
            changes={"new_items": [None, len(missing)], "new_versions": [None, len(versions)]},
        )
    return len(missing), len(versions)
