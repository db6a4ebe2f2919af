"""The insurance app's pages, one module per use case (urls.py and officer_urls.py import
each module; this package re-exports nothing).

The cashier's counter (收费结算: counter, counter_visit) and the settlement receipt
(结算单: receipt) act for the user's own institution (cashier, doctor, village doctor): a
refused step re-renders its part of the page with the service's reasons next to the
fields and the refusal's status (422, 409, …), keeping what was typed. Every display of
a person is an audited read; the services audit the writes.

The insurance officer's pages (plans, settlements, ledger, clearing; shared helpers in
officer) are thin: every read starts from `visible_to(request.user)` (another county's
rows are not there: 404 or an empty list); every write calls one service, which checks
the permission and four eyes again. A refused write re-renders its page with the reasons
and the status of the refusal (422, 409, 403, …) and changes nothing.
"""
