from django.apps import AppConfig


class PairingConfig(AppConfig):
    name = "guanqing.pairing"
    label = "pairing"
    verbose_name = "结对帮困 Pairing"

    def ready(self):
        from guanqing.pairing import selectors

        selectors.register_household_scope()

        from guanqing.core.ui.sections import register_section
        from guanqing.pairing.views import household_visits_section

        register_section("household_detail", household_visits_section)

        from guanqing.core import daily
        from guanqing.pairing.compliance import compliance_remind

        daily.register(
            "pairing.compliance_remind",
            compliance_remind,
            describe=lambda n: f"新提醒 {n} 条 / {n} new reminder(s)",
        )
