"""Page input: the catalog filters, the import upload, mapping submission and review."""

from django import forms

from huimin.insurance.catalog.models import ItemClass, ItemKind, MapStatus

ALL = [("", "全部")]
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class CatalogFilter(forms.Form):
    """A GET filter: invalid fields are reported and ignored, valid ones still apply."""

    q = forms.CharField(
        label="查找", required=False, max_length=50, help_text="编码前缀、名称或拼音首字母"
    )
    kind = forms.ChoiceField(label="类型", required=False, choices=ALL + ItemKind.choices)
    item_class = forms.ChoiceField(label="类别", required=False, choices=ALL + ItemClass.choices)
    on = forms.DateField(
        label="有效日期",
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    after = forms.CharField(required=False, max_length=40)

    def __init__(self, data, **kwargs):
        super().__init__(data, **kwargs)
        self.is_valid()

    def value(self, name, default=""):
        return self.cleaned_data.get(name) or default


class ImportForm(forms.Form):
    file = forms.FileField(label="目录表格（xlsx或CSV）")
    effective = forms.DateField(
        label="默认生效日期",
        required=False,
        input_formats=["%Y-%m-%d"],
        help_text="表格中生效日期为空的行从此日期生效；不填为今天",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    dry_run = forms.BooleanField(label="只校验，不导入", required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件不能超过10MB")
        return upload


class MappingForm(forms.Form):
    local_code = forms.CharField(label="本机构项目编码", max_length=40)
    local_name = forms.CharField(label="本机构项目名称", max_length=200)
    code = forms.CharField(label="医保目录编码", max_length=40)


class MappingFilter(forms.Form):
    status = forms.ChoiceField(
        label="状态", required=False, choices=ALL + MapStatus.choices, initial="submitted"
    )

    def __init__(self, data, **kwargs):
        super().__init__(data, **kwargs)
        self.is_valid()


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "通过"), ("reject", "驳回")])
    note = forms.CharField(label="审核意见", required=False, max_length=200)
