"""Indicator pages: thin; the figures come from figures.py and aggregates.py."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from huimin.policy import requires
from huimin.reports import indicators


@requires("reports.read", "您的角色不能查看统计指标")
@require_GET
def index(request):
    return render(request, "reports/index.html", {"indicators": indicators.all_indicators()})
