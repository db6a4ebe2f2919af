"""An institution system's over-long request line gets the JSON 414 as well: bearer
requests take the short middleware chain (huimin/core/handlers.py), which has the limit
too (tests/core/test_request_limits_in_error_shape.py for the rest)."""


def test_an_institution_request_line_over_4_kb_is_414_too(insured, his):
    # Bearer requests take the short middleware chain (huimin/core/handlers.py).
    r = his.get("/persons/" + "1" * 5000)
    assert r.status_code == 414
    assert r.json()["error"]["code"] == "uri_too_long"
