"""`huimin generate`: a synthetic county that is valid, consistent and reproducible."""

import collections
import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from stdnum.cn import uscc

from huimin.core import crypto, idnumber
from huimin.registry import rules, services, synthetic
from huimin.registry.models import (
    Household,
    HouseholdMembership,
    Institution,
    Person,
    PersonCategory,
    Region,
)
from tests import factories

AS_OF = datetime.date(2026, 11, 24)
COUNTY = "430522"


def generate(**options) -> str:
    out = io.StringIO()
    options = {"residents": 300, "seed": 7, "as_of": AS_OF, "no_progress": True, **options}
    call_command("generate", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def county_300(db):
    generate()


def in_force(c, day=AS_OF) -> bool:
    return c.valid_from <= day and (c.valid_to is None or c.valid_to >= day)


# ---------------------------------------------------------------- the database


def test_writes_the_number_of_residents_asked_for(county_300):
    assert Person.objects.within(COUNTY).count() == 300
    assert Household.objects.within(COUNTY).exists()


def test_id_numbers_parse_and_agree_with_sex_and_birth_date(county_300):
    known = set(Region.objects.filter(level="county").values_list("code", flat=True))
    for p in Person.objects.all():
        number = p.reveal_id_number()
        parsed = idnumber.parse(number, today=AS_OF)
        assert parsed.sex == p.sex
        assert parsed.birth_date == p.birth_date
        assert parsed.address_code in known
        assert p.id_number_masked == idnumber.mask(number)
        assert p.id_number_index == crypto.blind_index(number, context="person.id_number")


def test_names_carry_pinyin_and_phones_decrypt_to_their_mask(county_300):
    people = list(Person.objects.all())
    assert any(p.phone_enc for p in people)
    for p in people:
        assert p.name_initials == rules.pinyin_initials(p.name)
        assert p.name_pinyin == rules.pinyin_full(p.name)
        if p.phone_enc:
            phone = crypto.decrypt(p.phone_enc, context="person.phone")
            assert rules.PHONE_RE.match(phone)
            assert p.phone_masked == idnumber.mask_phone(phone)


def test_every_living_person_is_in_one_current_household_headed_by_a_current_member(
    county_300,
):
    current = collections.defaultdict(list)
    for m in HouseholdMembership.objects.filter(left_on__isnull=True):
        current[m.person_id].append(m)
    living = Person.objects.filter(death_date__isnull=True)
    assert living.exists()
    for p in living:
        assert len(current[p.pk]) == 1, p
        household = current[p.pk][0].household
        head = household.memberships.get(person_id=household.head_id)
        assert head.left_on is None
        assert head.relation == "02"
        assert household.village_id == p.village_id
    # One head per household, and every household's members are valid relation codes.
    for h in Household.objects.exclude(head=None):
        members = h.memberships.filter(left_on__isnull=True)
        assert [m.relation for m in members].count("02") == 1
        assert all(m.relation in rules.RELATIONS for m in members)


def test_deceased_leave_their_household_on_the_day_they_died(db):
    generate(residents=3000, seed=11)
    dead = Person.objects.filter(death_date__isnull=False)
    assert dead.exists()
    for p in dead:
        assert p.birth_date <= p.death_date <= AS_OF
        (m,) = p.memberships.all()
        assert m.left_on == p.death_date
        assert m.reason == synthetic.DEATH_REASON
        assert not Household.objects.filter(head=p).exists()
    # A household where everyone has died keeps its file, with no head.
    for h in Household.objects.filter(head=None):
        assert not h.memberships.filter(left_on__isnull=True).exists()


def test_townships_and_villages_sit_under_the_real_county(county_300):
    townships = Region.objects.filter(level="township", prefix__startswith=COUNTY)
    villages = Region.objects.filter(level="village", prefix__startswith=COUNTY)
    assert townships.count() >= 2
    assert villages.count() >= 4
    for r in [*townships, *villages]:
        assert r.source == synthetic.SOURCE
        assert r.level == rules.region_level(r.code)
        assert r.prefix == rules.region_prefix(r.code)
        assert r.parent_id == rules.region_parent_code(r.code)
    for v in villages:
        assert len(v.code) == 12 and v.code.startswith(COUNTY)
        assert v.parent.level == "township"
        assert v.name.endswith(("村", "社区"))
    for t in townships:
        assert len(t.code) == 9 and t.parent_id == COUNTY
        assert t.name.endswith(("镇", "乡", "街道"))
    assert set(Person.objects.values_list("village_id", flat=True)) <= {v.code for v in villages}


def test_institutions_have_valid_codes_and_village_clinics_report_to_their_centre(county_300):
    institutions = list(Institution.objects.within(COUNTY))
    for i in institutions:
        assert rules.check_institution_codes(i.insurance_code, i.credit_code) == {}
        assert uscc.is_valid(i.credit_code)
        assert i.insurance_code.startswith(f"H{COUNTY}")
        assert i.designation_status == "designated" and i.designated_from <= AS_OF
        assert i.level or i.kind == "pharmacy"
    kinds = collections.Counter(i.kind for i in institutions)
    assert kinds["county_hospital"] == 1 and kinds["tcm_hospital"] == 1
    assert kinds["pharmacy"] >= 2
    townships = Region.objects.filter(level="township", prefix__startswith=COUNTY)
    villages = Region.objects.filter(level="village", prefix__startswith=COUNTY)
    assert kinds["township_health_centre"] == townships.count()
    assert kinds["village_clinic"] == villages.count()
    for clinic in Institution.objects.filter(kind="village_clinic"):
        assert clinic.parent.kind == "township_health_centre"
        assert clinic.parent.region_id == clinic.region_id[:9]
        assert clinic.level == "1"


def test_a_few_likely_duplicates_show_on_the_duplicates_page(county_300):
    # A county officer: a superuser holds no permission (policy/permissions.py).
    officer = factories.make_staff("officer", "insurance_officer", COUNTY)
    groups = services.likely_duplicates(officer)
    assert 1 <= len(groups) <= 3
    for g in groups:
        twins = Person.objects.filter(
            name=g["name"], birth_date=g["birth_date"], village_id=g["village_id"]
        )
        numbers = {p.reveal_id_number() for p in twins}
        assert len(numbers) == g["n"]  # same person twice, under different numbers


def test_running_again_does_not_duplicate_anything(county_300):
    counts = (Person.objects.count(), Household.objects.count(), Institution.objects.count())
    output = generate()
    assert "已有 300 名居民" in output
    assert (Person.objects.count(), Household.objects.count(), Institution.objects.count()) == (
        counts
    )


def test_fills_existing_villages_and_institutions_instead_of_inventing_them(county):
    hospital = factories.make_institution()  # the office already registered its hospital
    regions_before = Region.objects.count()
    output = generate(residents=200)
    assert "使用已有的 3 个村" in output
    assert Region.objects.count() == regions_before
    assert set(Person.objects.values_list("village_id", flat=True)) == set(factories.VILLAGES)
    hospitals = Institution.objects.filter(kind="county_hospital")
    assert list(hospitals) == [hospital]
    assert Institution.objects.filter(kind="village_clinic").count() == 3
    # The neighbouring county's village is left alone.
    assert not Person.objects.filter(village_id=factories.OTHER_COUNTY_VILLAGE).exists()


def test_a_second_county_in_the_same_database_gets_its_own_people(county_300):
    generate(county="430523", residents=200, seed=7)
    assert Person.objects.within("430523").count() == 200
    assert Person.objects.within(COUNTY).count() == 300
    indexes = list(Person.objects.values_list("id_number_index", flat=True))
    assert len(indexes) == len(set(indexes))


def test_a_number_already_registered_elsewhere_is_issued_afresh(db):
    _, planned = plain(7, residents=300)
    taken = planned.people[0]
    for code, name in [("430523100", "塘渡口镇"), ("430523100201", "塘渡口村")]:
        Region.objects.create(
            code=code,
            name=name,
            level=rules.region_level(code),
            parent_id=rules.region_parent_code(code),
            prefix=rules.region_prefix(code),
        )
    other = factories.make_person("李四", village="430523100201", id_number=taken.id_number)
    generate()  # the same seed and size as `plain(7, 300)`
    assert Person.objects.within(COUNTY).count() == 300
    twin = Person.objects.within(COUNTY).get(name=taken.name, birth_date=taken.birth_date)
    assert twin.reveal_id_number() != taken.id_number
    assert other.reveal_id_number() == taken.id_number


@pytest.mark.parametrize(
    ("county", "message"),
    [("999999", "不是已载入的县级区划代码"), ("430521", "已于2019年撤销")],
)
def test_refuses_a_county_code_that_is_unknown_or_abolished(db, county, message):
    with pytest.raises(CommandError, match=message):
        generate(county=county)


def test_refuses_nonsense_sizes(db):
    with pytest.raises(CommandError, match="至少为1"):
        generate(residents=0)


# ---------------------------------------------------------------- the pure generator


def plain(seed: int, residents: int = 500):
    gen = synthetic.CountyGenerator(COUNTY, residents, seed, as_of=AS_OF)
    return gen, synthetic.generate_all(gen)


def test_the_same_seed_gives_the_same_county():
    gen_a, a = plain(2026)
    gen_b, b = plain(2026)
    assert gen_a.villages == gen_b.villages
    assert gen_a.institutions == gen_b.institutions
    assert a.people == b.people
    assert a.households == b.households
    assert a.categories == b.categories
    _, c = plain(2027)
    assert [p.id_number for p in a.people] != [p.id_number for p in c.people]


def test_id_numbers_are_unique_and_follow_their_origin():
    gen, county = plain(5, residents=20_000)
    numbers = [p.id_number for p in county.people]
    assert len(set(numbers)) == len(numbers)
    origins = collections.Counter(n[:6] for n in numbers)
    assert origins[COUNTY] / len(numbers) > 0.8  # mostly born here
    assert origins["430521"] > 0  # the neighbour's pre-2019 code (邵东县), still valid
    migrants = [p for p in county.people if p.resident_type == "non_huji"]
    assert migrants and all(p.id_number[:2] != "43" for p in migrants)
    for p in county.people:
        parsed = idnumber.parse(p.id_number, today=AS_OF)
        assert (parsed.sex, parsed.birth_date) == (p.sex, p.birth_date)
        # An abolished code only on numbers issued while it was in force.
        code = gen.codes.by_code.get(parsed.address_code)
        assert code is not None and code.start <= max(p.birth_date.year, 1990)


def test_cached_pinyin_is_what_the_rules_give():
    _, county = plain(8, residents=5000)
    for name in {p.name for p in county.people}:
        assert synthetic.name_pinyin(name) == (
            rules.pinyin_initials(name),
            rules.pinyin_full(name),
        )


def test_households_and_ages_look_like_a_rural_county():
    gen, county = plain(3, residents=30_000)
    living = [p for p in county.people if p.death_date is None]
    ages = [gen._age(p.birth_date) for p in living]
    elderly = sum(a >= 60 for a in ages) / len(ages)
    children = sum(a < 15 for a in ages) / len(ages)
    assert 0.20 <= elderly <= 0.26
    assert 0.14 <= children <= 0.19
    sizes = [len(h.members) for h in county.households]
    assert 2.8 <= sum(sizes) / len(sizes) <= 3.3
    assert max(sizes) == 7
    males = sum(p.sex == "1" for p in living) / len(living)
    assert 0.48 <= males <= 0.54
    by_key = {p.key: p for p in county.people}
    for h in county.households:
        rel = {m.relation: by_key[m.person] for m in h.members}
        head = by_key[h.members[0].person]
        if "10" in rel:  # spouses: opposite sex, similar age
            assert rel["10"].sex != head.sex
            assert abs((rel["10"].birth_date - head.birth_date).days) < 12 * 366
        for m in h.members:
            if m.relation in ("20", "30"):  # children 15-45 years younger than the head
                gap = (by_key[m.person].birth_date - head.birth_date).days / 365.25
                assert 14 <= gap <= 46, (h.number, gap)


def test_special_categories_and_deaths_come_at_realistic_rates():
    _, county = plain(9, residents=40_000)
    living = {p.key for p in county.people if p.death_date is None}
    holders = collections.defaultdict(set)
    for c in county.categories:
        if c.person in living and in_force(c):
            holders[c.category].add(c.person)
        assert c.valid_to is None or c.valid_to >= c.valid_from
    rate = {k: len(v) / len(living) for k, v in holders.items()}
    assert 0.04 <= rate["dibao"] <= 0.06
    assert 0.007 <= rate["tekun"] <= 0.013
    assert 0.003 <= rate["poverty_monitoring"] <= 0.007
    assert 0.015 <= rate["disabled"] <= 0.025
    assert not holders["dibao"] & holders["tekun"]  # 特困 and 低保 exclude each other
    dead = len(county.people) - len(living)
    yearly = dead / len(county.people) / synthetic.DEATH_WINDOW_YEARS
    assert 0.004 <= yearly <= 0.01
    for p in county.people:
        if p.death_date:
            assert p.birth_date <= p.death_date <= AS_OF


def test_category_rows_of_the_dead_end_on_the_day_of_death(db):
    generate(residents=5000, seed=4)
    for c in PersonCategory.objects.filter(person__death_date__isnull=False):
        assert c.valid_to is not None and c.valid_to <= c.person.death_date
