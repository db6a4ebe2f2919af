"""Demo data for settlement: the county's plan (plan.py), and a year of settlements
(settlements.py, drawing on scenarios.py). Callers import the module they use.

`huimin seed-plan` uploads the demo plan (demo_plan.yaml, a copy of the shared example
with the county as its region) as the demo officer and activates it as a second
officer, through `plans.do_upload_plan` / `plans.do_activate_plan`: the demo shows the
four-eyes rule kept, not bypassed.

`huimin seed-settlements` walks the days of a year up to today and, for each, settles a
deterministic handful of visits of insured residents through the real transactions —
`do_register_visit` (2201/2401), `do_upload_fees` (2204/2301), `do_discharge` (2402),
`do_settle` (2207/2304) and now and then `do_reverse` (2208/2305) — so what the demo
shows (settlements, fund-ledger entries, accumulators, audit records) is what the
counter would have written. Each day is one transaction and each visit a savepoint in
it, so a refused visit leaves nothing behind and an interrupted run leaves whole days.

The services stamp settlements and ledger entries with the time they run. A year
seeded in a minute would then sit in one day of every list and one month of clearing
(which selects settlements by `settled_at`), so after each day the seed moves
`Settlement.settled_at` (and a reversed settlement's `reversed_at`) and the entries'
`JournalEntry.posted_at` to a time on the day the visit ended (never later than now).
Amounts, accumulators and the ledger's balances do not depend on those stamps. The
audit records keep the real time (the chain cannot be rewritten), which shows that the
data was seeded.
"""
