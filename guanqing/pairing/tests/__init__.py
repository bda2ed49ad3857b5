"""Tests of the pairing module. `pair_world(world)` adds pairings to the shared `world`."""

from __future__ import annotations

import datetime

from django.utils import timezone

from guanqing.testing import factories as f


def pair_world(world):
    """`world` plus: 张三 (world.member, 市纪委) holds a pairing with 张国宝户 that began 120 days
    ago; 李四 (市发改委) holds one with 邵国樑户; 王五 is 张三's colleague, a possible successor;
    a whole-unit pairing of 市纪委 with a third household; a partnership for each unit."""
    today = timezone.localdate()
    world.today = today
    world.start = today - datetime.timedelta(days=120)
    world.colleague = f.MemberFactory(unit=world.unit, branch=world.org, name="王五")
    world.pairing = f.PairingFactory(
        household=world.household, unit=world.unit, member=world.member, started_on=world.start
    )
    world.other_pairing = f.PairingFactory(
        household=world.other_household,
        unit=world.other_unit,
        member=world.other_member,
        started_on=world.start,
    )
    world.unit_household = f.HouseholdFactory(community=world.other_community, head_name="周大伯")
    world.unit_pairing = f.PairingFactory(
        household=world.unit_household, unit=world.unit, member=None, started_on=world.start
    )
    world.visit = f.VisitFactory(
        pairing=world.pairing,
        date=world.start + datetime.timedelta(days=10),
        participants=[world.member],
        recorded_by=world.users.member,
    )
    world.other_visit = f.VisitFactory(
        pairing=world.other_pairing,
        date=world.start + datetime.timedelta(days=10),
        participants=[world.other_member],
        recorded_by=world.users.committee,
    )
    world.village = f.CommunityFactory(parent=world.street, kind="village", name="横溪村")
    world.village_org = f.PartyOrgFactory(
        unit=None, division=world.village, name="横溪村党支部", kind="branch"
    )
    world.partnership = f.PartnershipFactory(unit_org=world.org, village_org=world.village_org)
    world.other_partnership = f.PartnershipFactory(unit_org=world.other_org)
    world.project = f.PartnershipProjectFactory(partnership=world.partnership, title="饮水工程")
    world.other_project = f.PartnershipProjectFactory(partnership=world.other_partnership)
    return world


# Smallest valid images: the checks read the first bytes, not the whole picture.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 64
