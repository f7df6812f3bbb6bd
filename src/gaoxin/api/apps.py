from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "gaoxin.api"
    label = "gx_api"
    verbose_name = "接口"
