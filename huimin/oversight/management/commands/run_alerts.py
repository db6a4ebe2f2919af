"""huimin run-alerts: evaluate the security-alert rules over the recent audit log.

Idempotent: a finding already raised is not raised again, so cron may run it often.
"""

from django.core.management.base import BaseCommand, CommandError

from huimin.oversight import alerts


class Command(BaseCommand):
    help = "按告警规则检查近期审计记录，产生新的安全告警（重复运行不会重复告警）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--minutes",
            type=int,
            default=alerts.DEFAULT_SCAN_MINUTES,
            help="检查最近多少分钟的记录（默认1440）",
        )

    def handle(self, *args, minutes, **options):
        if not 1 <= minutes <= 31 * 24 * 60:
            raise CommandError("--minutes 应在1至44640之间")
        created = alerts.evaluate(scan_minutes=minutes)
        for alert in created:
            self.stdout.write(f"[{alert.get_severity_display()}] #{alert.pk} {alert.summary}")
        self.stdout.write(f"新产生安全告警 {len(created)} 条")
