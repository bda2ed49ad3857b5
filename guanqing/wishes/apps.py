from django.apps import AppConfig


class WishesConfig(AppConfig):
    name = "guanqing.wishes"
    label = "wishes"
    verbose_name = "微心愿 Micro-wishes"

    def ready(self):
        from guanqing.core import daily
        from guanqing.wishes.services import claims_lapse, describe_lapse

        daily.register("wishes.claims_lapse", claims_lapse, describe=describe_lapse)
