"""Enrollment use cases, one module each: access (who may read, write, manage periods),
periods, enroll (household enrollment and its cancel), payments (cash payments, refunds,
the fund-ledger entry), coverage, progress.

`check_*` validate and check access; `do_*` write inside one `transaction.atomic()`,
lock the rows they decide on with `select_for_update()`, post the fund-ledger entry and
write the audit record in the same transaction. Every function takes the acting user.

Coverage — the contract the settlement service calls
-----------------------------------------------------

    coverage_on(person_id: int, on: datetime.date) -> Coverage | None

One query. Returns `Coverage(enrollment_id, year, benefits_from, categories,
person_category)` when the person is insured on `on`: an enrollment for `on.year` whose
contribution is paid (status "paid") and whose `benefits_from <= on`. `categories` are
the special categories in force on `on` (sorted, e.g. ["dibao", "disabled"]);
`person_category` is "tekun" if tekun is among them, else "dibao" if dibao, else
"ordinary" — the engine's `person_category`. None when not insured on that date: not
enrolled, not paid, refunded, cancelled, or before benefits start (a late enrollment's
waiting period). Death is not considered here; the caller checks it.

Ledger entries (pooling region of the period, year of the enrollment), one balanced
fund entry per payment, source ("enrollment.payment", payment id):

    purpose "contribution":  Dr 1101 / Cr 4101  personal part paid
                             Dr 1203 / Cr 4103  share paid by medical assistance
                             Dr 1202 / Cr 4102  government subsidy, per insured person
    purpose "refund":        the same lines with debit and credit swapped
"""

# The package's namespace is the app's use-case interface: the API, the pages, the bank
# import and other apps call `services.<name>`, so a function moving between these modules
# churns no caller. Each module imports what it uses from its siblings explicitly.
from huimin.insurance.enrollment.services.access import (
    LEDGER_SOURCE,
    PERIOD_PERMISSION,
    can_manage_periods,
    can_read,
    can_write,
    check_can_read,
    check_period_manager,
    today,
)
from huimin.insurance.enrollment.services.coverage import (
    Coverage,
    check_coverage_lookup,
    coverage_on,
)
from huimin.insurance.enrollment.services.enroll import (
    EnrollResult,
    categories_in_force,
    do_cancel_enrollment,
    do_enroll_household,
    get_household,
)
from huimin.insurance.enrollment.services.payments import (
    do_record_cash_payment,
    do_refund,
    too_late_to_pay,
)
from huimin.insurance.enrollment.services.periods import (
    PeriodData,
    PeriodValues,
    check_period,
    do_create_period,
    do_update_period,
    period_for,
    plan_contribution,
)
from huimin.insurance.enrollment.services.progress import ProgressRow, progress

__all__ = [
    "LEDGER_SOURCE",
    "PERIOD_PERMISSION",
    "Coverage",
    "EnrollResult",
    "PeriodData",
    "PeriodValues",
    "ProgressRow",
    "can_manage_periods",
    "can_read",
    "can_write",
    "categories_in_force",
    "check_can_read",
    "check_coverage_lookup",
    "check_period",
    "check_period_manager",
    "coverage_on",
    "do_cancel_enrollment",
    "do_create_period",
    "do_enroll_household",
    "do_record_cash_payment",
    "do_refund",
    "do_update_period",
    "get_household",
    "period_for",
    "plan_contribution",
    "progress",
    "today",
    "too_late_to_pay",
]
