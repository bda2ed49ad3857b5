"""Guanqing has no all-powerful user: `createsuperuser` is refused and points to `createadmins`."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "已停用：关情没有超级用户，请用 createadmins 创建三员账号"  # argparse needs a str; commands speak the site language

    def add_arguments(self, parser):
        # Accept whatever Django's own command accepts, so scripts get the refusal, not a usage error.
        parser.add_argument("args", nargs="*")
        parser.add_argument("--username")
        parser.add_argument("--email")
        parser.add_argument("--database")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def handle(self, *args, **options):
        raise CommandError(
            "关情不设超级用户：等保三级要求三员分立，任何账号都不拥有全部权限。"
            "请运行 `guanqing createadmins` 创建系统管理员、安全管理员和审计管理员。\n"
            "Guanqing has no superuser (separation of duties). "
            "Run `guanqing createadmins` to create the system, security and audit administrators."
        )
