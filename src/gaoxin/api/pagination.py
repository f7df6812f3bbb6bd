"""One page of a list: ``?limit=`` (at most 1000) and ``?offset=``; the answer says ``count``
and links ``next`` and ``previous``."""

from rest_framework.pagination import LimitOffsetPagination


class Pages(LimitOffsetPagination):
    default_limit = 100
    max_limit = 1000
