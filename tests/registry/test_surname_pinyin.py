"""Polyphonic surnames take their surname reading in a person's pinyin and initials
(单雄信 is shan xiong xin, found by "sxx"); drug names keep the ordinary reading; people
stored before the change are corrected by `huimin recompute-name-pinyin`."""

import io

import pytest
from django.core.management import call_command

from huimin.audit.models import AuditEvent
from huimin.core.names import text_initials
from huimin.registry import queries, rules
from huimin.registry.models import Person
from tests import factories

READINGS = [
    ("单雄信", "shanxiongxin", "sxx"),
    ("殷桃", "yintao", "yt"),
    ("曾国藩", "zengguofan", "zgf"),
    ("区志明", "ouzhiming", "ozm"),
    ("仇英", "qiuying", "qy"),
    ("解缙", "xiejin", "xj"),
    ("查良镛", "zhaliangyong", "zly"),
    ("朴槿惠", "piaojinhui", "pjh"),
    ("尉迟恭", "yuchigong", "ycg"),
    ("万俟卨", "moqixie", "mqx"),
    ("单于文", "chanyuwen", "cyw"),  # the compound surname before 单 alone
    ("翟让", "zhairang", "zr"),
    ("缪斯", "miaosi", "ms"),
    # The given name is read on its own, not as a phrase with the surname (曾经).
    ("曾经纬", "zengjingwei", "zjw"),
    # Ordinary surnames and a polyphonic character inside a given name are unchanged.
    ("张三", "zhangsan", "zs"),
    ("王单", "wangdan", "wd"),
]


@pytest.mark.parametrize(("name", "full", "initials"), READINGS)
def test_the_surname_takes_its_surname_reading(name, full, initials):
    assert rules.pinyin_full(name) == full
    assert rules.pinyin_initials(name) == initials


def test_drug_names_keep_the_ordinary_reading():
    assert text_initials("单硝酸异山梨酯片") == "dxsyslzp"


def test_a_new_person_is_found_by_the_surname_initials(county):
    person = factories.make_person("单雄信")
    assert (person.name_pinyin, person.name_initials) == ("shanxiongxin", "sxx")
    assert list(queries.search_people(Person.objects.all(), "sxx")) == [person]
    assert list(queries.search_people(Person.objects.all(), "shanxiong")) == [person]


def test_the_command_corrects_people_stored_with_the_old_reading(county):
    shan = factories.make_person("单雄信")
    zeng = factories.make_person("曾国藩")
    zhang = factories.make_person("张三")
    # As stored before: pypinyin's everyday reading.
    Person.objects.filter(pk=shan.pk).update(name_pinyin="danxiongxin", name_initials="dxx")
    Person.objects.filter(pk=zeng.pk).update(name_pinyin="cengguofan", name_initials="cgf")

    out = io.StringIO()
    call_command("recompute_name_pinyin", batch=1, stdout=out)

    assert "已更正 2 名居民" in out.getvalue()
    got = dict(Person.objects.values_list("pk", "name_pinyin"))
    assert got == {shan.pk: "shanxiongxin", zeng.pk: "zengguofan", zhang.pk: "zhangsan"}
    assert Person.objects.get(pk=shan.pk).name_initials == "sxx"
    event = AuditEvent.objects.filter(purpose="recompute-name-pinyin").get()
    assert event.changes == {"rows_recomputed": [0, 2]}

    # Run again: nothing left to correct.
    again = io.StringIO()
    call_command("recompute_name_pinyin", stdout=again)
    assert "已更正 0 名居民" in again.getvalue()
