"""Tokens stay out of the admin: DRF registers a token list that would show every user's key
to whoever reaches the admin, whatever their scope. Tokens are issued with `gaoxin user token`
(gaoxin.accounts.services.api_token). This app comes after rest_framework.authtoken in
INSTALLED_APPS so that its registration has happened."""

from django.contrib import admin
from rest_framework.authtoken.models import TokenProxy

if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)
