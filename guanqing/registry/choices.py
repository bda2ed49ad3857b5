from django.db import models
from django.utils.translation import gettext_lazy as _


class DivisionLevel(models.TextChoices):
    DISTRICT = "district", _("区/县(市)")
    STREET = "street", _("街道/乡镇")
    COMMUNITY = "community", _("社区/村")


class DivisionKind(models.TextChoices):
    DISTRICT = "district", _("区")
    COUNTY = "county", _("县")
    COUNTY_CITY = "county_city", _("县级市")
    STREET = "street", _("街道")
    TOWN = "town", _("镇")
    TOWNSHIP = "township", _("乡")
    COMMUNITY = "community", _("社区")
    VILLAGE = "village", _("村")


LEVEL_OF_KIND = {
    DivisionKind.DISTRICT: DivisionLevel.DISTRICT,
    DivisionKind.COUNTY: DivisionLevel.DISTRICT,
    DivisionKind.COUNTY_CITY: DivisionLevel.DISTRICT,
    DivisionKind.STREET: DivisionLevel.STREET,
    DivisionKind.TOWN: DivisionLevel.STREET,
    DivisionKind.TOWNSHIP: DivisionLevel.STREET,
    DivisionKind.COMMUNITY: DivisionLevel.COMMUNITY,
    DivisionKind.VILLAGE: DivisionLevel.COMMUNITY,
}


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", _("党委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Rank(models.TextChoices):
    BUREAU = "bureau", _("局级")
    DIVISION = "division", _("处级")
    SECTION = "section", _("科级")
    OTHER = "other", _("其他")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("在职")
    TRANSFERRED = "transferred", _("调离")
    RETIRED = "retired", _("退休")
    DECEASED = "deceased", _("去世")


class HardshipCategory(models.TextChoices):
    MINIMUM_LIVING = "minimum_living", _("低保户")
    MARGINAL = "marginal", _("低保边缘户")
    EXTREME = "extreme", _("特困供养")
    ILLNESS = "illness", _("因病致困")
    DISABILITY = "disability", _("因残致困")
    DISASTER = "disaster", _("因灾致困")
    UNEMPLOYMENT = "unemployment", _("失业致困")
    OTHER = "other", _("其他")


class HouseholdStatus(models.TextChoices):
    ACTIVE = "active", _("帮扶中")
    LIFTED = "lifted", _("已脱困")
    MOVED = "moved", _("已迁出")
    CLOSED = "closed", _("已注销")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙辈")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("健康")
    CHRONIC = "chronic", _("慢性病")
    SERIOUS = "serious", _("重大疾病")
    DISABLED = "disabled", _("残疾")
