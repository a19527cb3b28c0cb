from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve

from gongzhi.api.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("gongzhi.core.urls")),
    path("accounts/api-tokens/", include("gongzhi.api.urls")),
    path("accounts/", include("gongzhi.accounts.urls")),
    # The residential-area pages moved under org/ (they show the area's organisation).
    path("places/areas/", RedirectView.as_view(pattern_name="org:area_list", permanent=True)),
    path(
        "places/areas/<int:pk>/",
        RedirectView.as_view(pattern_name="org:area_detail", permanent=True),
    ),
    path("places/", include("gongzhi.places.urls")),
    path("org/", include("gongzhi.org.urls")),
    path("cases/", include("gongzhi.cases.urls")),
    path("report/", RedirectView.as_view(pattern_name="cases:report"), name="report"),
    path("audit/", include("gongzhi.audit.urls")),
    path("stats/", include("gongzhi.cases.stats_urls")),
    path("notifications/", include("gongzhi.notifications.urls")),
    path("duty/", include("gongzhi.duty.urls")),
    path("alliance/", include("gongzhi.alliance.urls")),
    path("sharing/", include("gongzhi.sharing.urls")),
    path("service/", include("gongzhi.servicecentre.urls")),
    path("meetings/", include("gongzhi.meetings.urls")),
    path("triage/", include("gongzhi.triage.urls")),
    path("cockpit/", include("gongzhi.dashboards.urls")),
    path("calendar/", include("gongzhi.worktime.urls")),
    path("open311/v2/", include("gongzhi.open311.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    # Only the public copies of photos (no location data) are served as files; originals go
    # through the permission-checked view. In production nginx serves the same two folders.
    urlpatterns += [
        re_path(
            r"^media/(?P<path>cases/(public|thumbs)/[^/]+)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        ),
    ]

handler403 = "gongzhi.core.views.permission_denied"
handler404 = "gongzhi.core.views.page_not_found"
handler500 = "gongzhi.core.views.server_error"
