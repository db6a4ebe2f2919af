import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huimin.settings")
people = get_wsgi_application()  # sets Django up before the second handler is built

from huimin.core.handlers import dispatch  # noqa: E402

application = dispatch(people)
