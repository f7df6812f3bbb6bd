import pytest


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Hashing a password the production way takes about a second each on a busy machine."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
