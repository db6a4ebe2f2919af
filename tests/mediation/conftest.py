import pytest

from huimin.mediation import services
from tests import factories


@pytest.fixture(autouse=True)
def document_root(settings, tmp_path):
    settings.HUIMIN_DOCUMENT_ROOT = tmp_path / "documents"
    return settings.HUIMIN_DOCUMENT_ROOT


@pytest.fixture
def hospital(county):
    return factories.make_institution("新邵县人民医院", region=factories.TOWNSHIPS[0])


@pytest.fixture
def patient(county):
    return factories.make_person("刘桂英", village=factories.VILLAGES[0])


@pytest.fixture
def open_case(officer, hospital, patient):
    """A case at 受理 for a registered resident, opened by the county officer."""

    def make(**extra):
        data = {
            "id_number": patient.reveal_id_number(),
            "applicant_name": "",
            "institution": str(hospital.pk),
            "summary": "术后感染，要求赔偿后续治疗费用。",
            "claimed_amount": "18600.00",
            **extra,
        }
        return services.do_open_case(officer, data)

    return make


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# What each step needs, to walk a case forward in tests.
STEP_FORMS = {
    "acceptance": {"note": "材料齐全，予以受理"},
    "evidence": {"note": "已调取病历"},
    "responsibility": {"responsibility": "minor", "note": "告知不充分"},
    "expert": {"result": "not_needed", "note": "事实清楚，无需鉴定"},
    "mediation": {"note": "面对面调解两次"},
    "agreement": {"result": "agreed", "amount": "11160.00"},
    "payment": {"amount": "11160.00", "reference": "ZF000001"},
    "follow_up": {"result": "satisfied", "note": "电话回访满意"},
}


def walk(user, case, upto: str):
    """Record every step before `upto` (exclusive) through the service."""
    for code, form in STEP_FORMS.items():
        if code == upto:
            return
        services.do_record_step(user, case.pk, code, form)
