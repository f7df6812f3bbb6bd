import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gaoxin.web.settings")
application = get_wsgi_application()

from gaoxin.web.startup import settle  # noqa: E402 (after the settings are set up)

settle()
