from guanqing.registry.models import Household, Member


def test_each_role_sees_its_own_households(world):
    u = world.users
    assert set(Household.objects.visible_to(u.committee)) == {
        world.household,
        world.other_household,
    }
    assert list(Household.objects.visible_to(u.community_worker)) == [world.household]
    assert list(Household.objects.visible_to(u.unit_admin)) == []
    assert list(Household.objects.visible_to(u.audit_admin)) == []
    assert list(Member.objects.visible_to(u.unit_admin)) == [world.member]
    assert list(Member.objects.visible_to(u.member)) == [world.member]
