"""Registry pages (placeholder; the real pages replace these)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def _todo(request, *args, **kwargs):
    return HttpResponse("TODO")


person_list = person_detail = household_list = household_detail = _todo
institution_list = institution_detail = region_list = region_detail = duplicate_list = _todo
