"""A case opened from a settlement alone takes the settlement's patient as the person
concerned (the demo seeds its cases this way): no name or ID number need be typed."""

# ruff: noqa: F811 (pytest fixtures imported from workflow_support are parameters here)

from huimin.mediation import services
from tests.review.workflow_support import insured, stay  # noqa: F401 (fixtures)


def test_a_settlement_names_the_patient(insured, stay, settings, tmp_path):
    settings.HUIMIN_DOCUMENT_ROOT = tmp_path
    case = services.do_open_case(
        insured.officer,
        {
            "institution": str(stay.institution_id),
            "settlement": str(stay.pk),
            "summary": "住院期间跌倒骨折，要求赔偿。",
            "claimed_amount": "5000.00",
        },
    )
    assert case.person_id == stay.person_id and case.settlement_id == stay.pk
