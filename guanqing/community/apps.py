from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "guanqing.community"
    label = "community"
    verbose_name = "党员进社区 Members at their home community"
