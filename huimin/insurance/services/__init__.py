"""Real-time settlement use cases, following the national platform's transactions, one
module per use case (callers import the module they use; this package re-exports
nothing):

    lookup       1101 person lookup; the reads and checks every transaction repeats
    visits       2201/2401 register · 2202/2404 cancel · 2402/2405 discharge and its cancel
    fees         2204/2301 fee-detail upload · 2205/2302 its cancel
    settlement   2206/2303 pre-settle · 2207/2304 settle
    reversal     2208/2305 reverse
    clearing     3201/3202 reconciliation, monthly clearing
    base         the refusal type and run-once per Idempotency-Key

The year-so-far arithmetic is in insurance/ytd.py, the pure engine in insurance/engine.py.

Every transaction that writes (register, cancel, discharge and its cancel, fee upload and
its cancel, settle, reverse) is idempotent per (institution, Idempotency-Key) through
huimin.core.idempotency: the same key and body return the first answer, written nothing
again; the same key with another body is a 409. The `*_once` functions are those
transactions; the `do_*` they wrap are the writes themselves, for callers that need no
retry (the demo's generator, tests).
"""
