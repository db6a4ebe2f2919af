"""gunicorn's access log without personal data (named by gunicorn.conf.py).

A request line is logged as method, path and protocol: never the query string, where a
search box's value travels, nor the referrer's. What is left (paths such as the 1101
lookup's, headers) has ID and phone numbers masked.
"""

from urllib.parse import urlsplit

from gunicorn.glogging import Logger

from huimin.core.redact import mask_personal_numbers


class MaskedAccessLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = mask_personal_numbers(environ.get("PATH_INFO", ""))
        atoms["r"] = f"{environ.get('REQUEST_METHOD')} {path} {environ.get('SERVER_PROTOCOL')}"
        atoms["U"] = path
        atoms["q"] = "-"
        referer = environ.get("HTTP_REFERER")
        atoms["f"] = mask_personal_numbers(urlsplit(referer).path) if referer else "-"
        for key, value in atoms.items():
            if key not in ("r", "U", "q", "f") and isinstance(value, str):
                atoms[key] = mask_personal_numbers(value)
        # Header atoms ({referer}i …) would bring the query back: the referrer's is dropped.
        atoms.pop("{referer}i", None)
        return atoms
