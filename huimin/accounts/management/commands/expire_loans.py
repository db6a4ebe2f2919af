"""`huimin expire-loans`: mark record loans past their end (and stale requests) expired.

Access stops at the end time without this command; it keeps the statuses honest.
"""

from django.core.management.base import BaseCommand

from huimin.accounts import loans


class Command(BaseCommand):
    help = "将已到期的档案借阅（及超期未审批的申请）标记为已过期，可每小时运行。"

    def handle(self, *args, **options):
        count = loans.do_expire_loans()
        self.stdout.write(f"已过期 {count} 件借阅")
