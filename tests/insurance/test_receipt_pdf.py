"""The printable receipt: a PDF with the CJK font embedded whose text carries the
amounts, and a clear error naming the Debian package when the font is missing."""

import shutil
import subprocess

import pytest

from huimin.audit.models import AuditEvent
from huimin.insurance import receipt
from tests.insurance.test_cashier_counter_flow import counter_client, settled


@pytest.fixture
def settlement(client, insured):
    counter_client(client, insured.hospital)
    return settled(client, insured)


def pdf_text(body: bytes, tmp_path) -> str:
    path = tmp_path / "receipt.pdf"
    path.write_bytes(body)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return out.stdout


def test_the_pdf_embeds_the_font_and_carries_the_amounts(client, settlement, tmp_path):
    response = client.get(f"/insurance/settlements/{settlement.pk}/receipt.pdf")
    body = response.content
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert body.startswith(b"%PDF")
    # The subset of WenQuanYi Micro Hei travels in the file (no boxes on other machines).
    assert b"FontFile2" in body and b"WenQuanYi" in body
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: text not checked")
    text = pdf_text(body, tmp_path)
    for expected in (
        "新邵县人民医院 医疗保障基金结算单",
        "邓建国",
        settlement.person.id_number_masked,
        "两病门诊",
        "MZ202605120001",
        "硫酸氢氯吡格雷片",
        "67.50",  # total
        "8.40",  # self-pay above the ceiling
        "3.36",  # 乙类 share
        "55.74",  # eligible
        "30.66",  # basic fund
        "17.56",  # medical assistance
        "个人现金支付：19.28 元",
        settlement.verification_code,
    ):
        assert expected in text, expected
    assert settlement.person.reveal_id_number() not in text
    event = AuditEvent.objects.filter(action="read", object_type="registry.person").latest("seq")
    assert event.purpose == f"打印结算单 {settlement.pk}（PDF）"


def test_the_reversal_pdf_says_reversal(client, settlement, tmp_path):
    key = client.get(f"/insurance/settlements/{settlement.pk}/receipt/").context["reverse_key"]
    done = client.post(
        f"/insurance/settlements/{settlement.pk}/reverse/",
        {"reason": "重复收费", "idempotency_key": key},
    )
    body = client.get(done["Location"].replace("receipt/", "receipt.pdf")).content
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = pdf_text(body, tmp_path)
    assert f"冲正（撤销结算 #{settlement.pk}）" in text
    assert "-19.28" in text and "冲正原因：重复收费" in text


def test_a_missing_font_is_a_clear_error_naming_the_package(client, settlement, monkeypatch):
    # A name not registered yet in this process, and a font file that is not there.
    monkeypatch.setattr(receipt, "FONT_NAME", "HuiminMissingFont")
    monkeypatch.setattr(receipt, "FONT_PATH", receipt.Path("/nonexistent/wqy-microhei.ttc"))
    response = client.get(f"/insurance/settlements/{settlement.pk}/receipt.pdf")
    assert response.status_code == 503
    assert "fonts-wqy-microhei" in response.content.decode()
    with pytest.raises(receipt.ReceiptFontMissing) as exc:
        receipt.pdf(receipt.build(settlement, "http://x/"))
    assert "fonts-wqy-microhei" in exc.value.message
