"""A worker process for test_permission_freshness_across_processes.py, standing in for
one gunicorn worker: commands on stdin, one answer line each on stdout.

    get <username> <path>          a real request through the middleware (a new
                                   request.user each time, as in production) → status
    revoke <actor> <role> <perm>   the security administrator's grant service → ok
"""

import sys

import django


def main() -> None:
    django.setup()
    # Django's own test set-up (ALLOWED_HOSTS for the test client, in-memory mail).
    from django.test.utils import setup_test_environment

    setup_test_environment()
    # After django.setup(): these import models.
    from django.contrib.auth import get_user_model

    from huimin.accounts import administration
    from huimin.accounts.testing import VerifiedClient

    users = get_user_model().objects
    clients = {}
    for line in sys.stdin:
        command, *args = line.split()
        if command == "get":
            username, path = args
            if username not in clients:
                clients[username] = VerifiedClient()
                clients[username].force_login(users.get(username=username))
            print(clients[username].get(path).status_code, flush=True)
        elif command == "revoke":
            actor, role, perm = args
            wanted = administration.role_matrix() - {(role, perm)}
            administration.do_set_role_permissions(users.get(username=actor), wanted)
            print("ok", flush=True)
        else:
            print(f"unknown command {command}", flush=True)


if __name__ == "__main__":
    main()
