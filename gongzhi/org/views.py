from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def chart(request: HttpRequest) -> HttpResponse:
    return render(request, "org/chart.html", {"active_nav": "org"})


@login_required
def people(request: HttpRequest) -> HttpResponse:
    return render(request, "org/people.html", {"active_nav": "people"})
