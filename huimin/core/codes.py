"""Code tables from national standards, used for validation and display."""

# GB/T 3304 中国各民族名称的罗马字母拼写法和代码 (numeric codes).
ETHNICITIES = dict(
    zip(
        [f"{i:02d}" for i in range(1, 57)],
        "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 "
        "土家族 哈尼族 哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 "
        "景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 "
        "普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 "
        "独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族".split(),
        strict=True,
    )
)
ETHNICITIES["97"] = "其他"
ETHNICITIES["98"] = "外国血统中国籍人士"

# GB/T 4761 家庭关系代码 (the subset a household register uses).
RELATIONS = {
    "02": "户主",
    "10": "配偶",
    "20": "子",
    "30": "女",
    "40": "孙子、孙女或外孙子、外孙女",
    "50": "父母",
    "60": "祖父母或外祖父母",
    "70": "兄、弟、姐、妹",
    "80": "其他亲属",
    "99": "非亲属",
}
HEAD_RELATION = "02"

# GB/T 2261.1 人的性别代码
SEXES = {"1": "男", "2": "女"}
