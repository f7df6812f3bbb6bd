"""The API (/api/v1/): Django REST framework views, thin faces over the same services and
scoping functions as the pages (decision 034; docs/api.md)."""
