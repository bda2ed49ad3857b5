from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "guanqing.accounts"
    label = "accounts"
    verbose_name = "账号 Accounts"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from guanqing.accounts import access, signals  # noqa: F401 - the table, the signals
        from guanqing.accounts.home import SECTIONS
        from guanqing.core.ui import home, nav
        from guanqing.core.ui.nav import NavEntry

        # The group "admin" (系统管理) is registered by core.
        nav.register(
            NavEntry(
                group="admin",
                label=_("账号管理"),
                url_name="accounts:user_list",
                rule="accounts.users",
                order=10,
                active=tuple(
                    f"accounts:{name}"
                    for name in (
                        "user_list",
                        "user_create",
                        "member_search",
                        "user_edit",
                        "user_password",
                        "user_request_withdraw",
                    )
                ),
            ),
            NavEntry(
                group="admin",
                label=_("安全策略"),
                url_name="accounts:security_policy",
                rule="accounts.security",
                order=20,
                active=tuple(
                    f"accounts:{name}"
                    for name in (
                        "security_policy",
                        "security_grants",
                        "security_grant_toggle",
                        "security_locked",
                        "security_requests",
                        "security_request_approve",
                        "security_request_reject",
                    )
                ),
            ),
        )
        home.register(*SECTIONS)
