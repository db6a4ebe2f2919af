"""`huimin demo-totp USERNAME`: the current 6-digit code of a demo account.

Only with HUIMIN_DEMO=1 and only for the demo accounts (whose TOTP secret is derived
from the username and so is public, like the demo password).
"""

from django.core.management.base import BaseCommand, CommandError

from huimin.accounts import services
from huimin.core.errors import DomainError


class Command(BaseCommand):
    help = "打印演示账号当前的6位动态口令（仅限 HUIMIN_DEMO=1 的演示环境）。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="演示账号的用户名，如 officer")

    def handle(self, *args, username, **options):
        try:
            code = services.demo_code(username)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(code)
