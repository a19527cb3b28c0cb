"""A report form sent with nothing in it (an empty POST) is answered with the form and its
errors, like any other bad input; it used to be read as "no form sent" and fail with an error
page (found by the permission matrix, gongzhi/accounts/tests/test_permissions_matrix.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.cases.models import Case


@pytest.mark.parametrize(
    ("persona", "route"),
    [
        ("operator", "cases:intake"),
        ("inspector", "cases:inspector_report"),
        ("resident", "cases:report"),
        (None, "cases:report"),
    ],
)
def test_an_empty_report_form_is_refused_with_its_errors_and_files_nothing(
    client, world, persona, route
):
    if persona:
        client.force_login(world.users[persona])
    response = client.post(reverse(route), {})
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not Case.objects.exists()
