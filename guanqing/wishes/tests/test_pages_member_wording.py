"""我的认领 names its main action as an action (登记实现), not a status (已实现)."""

from __future__ import annotations

import re

from guanqing.conftest import client_for
from guanqing.wishes.tests.factories import make_wish


def test_my_claims_offers_to_record_the_fulfilment(ww):
    wish = make_wish(ww, "published", claimants=[ww.member])
    html = client_for(ww.users.member).get("/wishes/mine/").content.decode()
    button = re.search(
        rf'<a class="btn btn--primary[^"]*" href="/wishes/{wish.pk}/#fulfil">([^<]*)</a>', html
    )
    assert button and button.group(1) == "登记实现"
    page = client_for(ww.users.member).get(f"/wishes/{wish.pk}/").content.decode()
    fulfil_form = page.split('id="fulfil"')[1].split("</form>")[0]
    assert ">登记实现</button>" in fulfil_form
