"""A handover entry carries the incidents still open when it was written: not the
resolved ones, not superseded versions, and incidents carried over from earlier shifts."""

import pytest
from django.urls import reverse

from tests.ops.duty import admin, days_ago, write

pytestmark = pytest.mark.django_db


def test_handover_lists_the_open_incidents_of_the_shift(client):
    night = admin("night", "security_admin")
    carried = write(
        night, kind="incident", text="前一日：某卫生院VPN频繁掉线", shift_date=days_ago(1)
    )
    fixed = write(night, kind="incident", text="DNS解析失败")
    write(night, kind="action", text="切换备用DNS，恢复", resolves_id=fixed.pk)
    wrong = write(night, kind="incident", severity="general", text="疑似扫描（级别写错）")
    corrected = write(
        night, kind="incident", severity="large", text="外部扫描VPN端口", corrects_id=wrong.pk
    )
    handover = write(night, kind="handover", text="交班：两起事件未处置，已告知白班")
    assert list(handover.handed_over.order_by("id")) == [carried, corrected]

    # Resolving one later does not rewrite what was handed over.
    write(night, kind="action", text="已封禁来源IP", resolves_id=corrected.pk)
    assert handover.handed_over.count() == 2

    client.force_login(admin("day"))
    page = client.get(reverse("ops:duty_list")).content.decode()
    assert "移交未处置事件 2 起" in page
    assert "前一日：某卫生院VPN频繁掉线" in page and "外部扫描VPN端口" in page
    detail = client.get(reverse("ops:duty_detail", args=[corrected.pk])).content.decode()
    assert f"#{handover.pk}</a> 中移交" in detail


def test_a_quiet_handover_says_so(client):
    user = admin()
    write(user, kind="handover", text="交班：无事件")
    client.force_login(user)
    assert "交班时无未处置事件" in client.get(reverse("ops:duty_list")).content.decode()
