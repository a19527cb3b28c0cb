"""The banner that tells the people whose deadlines it moves that a year's holidays are missing
(from November for the next year): operators, duty chiefs and administrators."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.core.banners import Banner
from gongzhi.core.roles import Access, Role

from . import selectors

CONCERNED = (Role.OPERATOR, Role.DUTY_CHIEF, Role.ADMIN)


def missing_holidays(access: Access) -> list[Banner]:
    if not access.has(*CONCERNED):
        return []
    out = []
    for year in selectors.years_to_enter():
        message = _(
            "The holidays and make-up working days of %(year)s are not entered yet: until they "
            "are, %(year)s's working days are counted Monday to Friday and deadlines that run "
            "into its holidays will be wrong."
        ) % {"year": year}
        if access.has(Role.ADMIN):
            url, link = reverse("worktime:notice", args=[year]), _("Enter the holiday notice")
        else:
            message += " " + _("Ask an administrator to enter the State Council's notice.")
            url, link = reverse("worktime:year", args=[year]), _("Working calendar")
        out.append(Banner(message, url=url, link_text=link))
    return out
