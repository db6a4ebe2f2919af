"""`huimin disable-dormant-accounts`: disable accounts unused for HUIMIN_DORMANT_DAYS.

Also accounts never used and created more than that long ago. Run daily (cron/systemd).
"""

from django.core.management.base import BaseCommand

from huimin.accounts import administration, conf


class Command(BaseCommand):
    help = "停用长期未使用的账号（HUIMIN_DORMANT_DAYS 天未登录，默认90天），每天运行。"

    def handle(self, *args, **options):
        disabled = administration.do_disable_dormant()
        days = conf.dormant_days()
        for username in disabled:
            self.stdout.write(f"已停用 {username}")
        self.stdout.write(f"共停用 {len(disabled)} 个超过 {days} 天未使用的账号")
