from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "guanqing.accounts"
    label = "accounts"
    verbose_name = "账号 Accounts"

    def ready(self):
        from guanqing.accounts import signals  # noqa: F401
