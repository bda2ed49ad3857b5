from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "guanqing.registry"
    label = "registry"
    verbose_name = "基础信息 Registry"
