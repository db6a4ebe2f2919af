"""`huimin review run|score|recall`: the batch review, the monthly scores, and the
planted-fraud recall of a synthetic year."""

import datetime
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from huimin.review import realtime, scoring
from huimin.review.batch import runner
from huimin.review.synthetic import recall


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期应为 YYYY-MM-DD 格式：{text}") from None


def _month(text: str) -> str:
    try:
        datetime.datetime.strptime(text, "%Y-%m")
    except ValueError:
        raise CommandError(f"--month 应为 YYYY-MM 格式：{text}") from None
    return text


def _region(text: str) -> str:
    if not (text.isascii() and text.isdigit() and len(text) in (2, 4, 6, 9, 12)):
        raise CommandError(f"--region 应为区划代码（2、4、6、9或12位数字）：{text}")
    return text


class Command(BaseCommand):
    help = (
        "智能审核：run 批量审核一段时间的结算；score 计算机构与医师月度风险分；"
        "recall 计算植入疑点的查全率与查准率。"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="批量审核")
        run.add_argument("--region", required=True)
        run.add_argument("--from", dest="date_from", required=True)
        run.add_argument("--to", dest="date_to", required=True)
        run.add_argument("--rules", default="", help="只运行这些规则，逗号分隔")
        run.add_argument("--no-score", action="store_true", help="审核后不计算风险分")
        run.add_argument("--no-progress", action="store_true")
        score = sub.add_parser("score", help="月度风险分与四色预警")
        score.add_argument("--region", required=True)
        score.add_argument("--month", required=True)
        recall = sub.add_parser("recall", help="植入疑点的查全率与查准率")
        recall.add_argument("--region", required=True)
        recall.add_argument("--year", type=int, required=True)

    def handle(self, *args, action, **opts):
        getattr(self, f"do_{action}")(**opts)

    def do_run(self, *, region, date_from, date_to, rules, no_score, no_progress, **_):
        region, first, last = _region(region), _date(date_from), _date(date_to)
        if last < first:
            raise CommandError("--to 不能早于 --from")
        chosen = [r.strip() for r in rules.split(",") if r.strip()]
        unknown = [r for r in chosen if r not in runner.BATCH_RULES]
        if unknown:
            raise CommandError(
                f"批量审核不支持的规则：{'、'.join(unknown)}（可用：{'、'.join(runner.BATCH_RULES)}）"
            )
        started, timings = time.monotonic(), {}
        done = runner.run(
            region, first, last, rules=chosen, started_by="command",
            progress=not no_progress, timings=timings,
        )  # fmt: skip
        for code, c in done.counts.items():
            self.stdout.write(
                f"{code:<24} 疑点 {c['found']:>7}  新增 {c['new']:>7}  {timings[code]:7.2f} 秒"
            )
        forgotten = realtime.forget_old_answers()
        if not no_score:
            rule_set, _ = runner.rule_set_for(region, first.year)
            for month in scoring.months_between(first, last):
                scoring.score_month(region, month, rule_set)
        self.stdout.write(
            f"审核批次 {done.pk}：{region} {first}至{last}，规则集“{done.rule_set_name}”，"
            f"用时 {time.monotonic() - started:.1f} 秒；清理过期的预结算审核结果 {forgotten} 条"
        )

    def do_score(self, *, region, month, **_):
        region, month = _region(region), _month(month)
        rule_set, _ = runner.rule_set_for(region, int(month[:4]))
        rows = scoring.score_month(region, month, rule_set)
        coloured = sum(1 for r in rows if r.colour)
        self.stdout.write(f"{region} {month}：风险分 {len(rows)} 条，其中预警 {coloured} 条")

    def do_recall(self, *, region, year, **_):
        try:
            table = recall.recall(_region(region), year)
        except recall.NoManifest as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{'规则':<24}{'植入':>6}{'检出':>6}{'查全率':>8}{'疑点':>8}{'查准率':>8}"
        )
        for row in table:
            self.stdout.write(
                f"{row.rule:<24}{row.planted:>6}{row.caught:>6}{row.recall:>8.1%}"
                f"{row.findings:>8}{row.precision:>8.1%}"
            )
        sys.stdout.flush()
