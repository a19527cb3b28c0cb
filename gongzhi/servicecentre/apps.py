"""The Party-building service network ("two stations, one centre", 两站一中心): service points,
the service catalogue and its brand programmes, the monthly menu ordered by the stations and
scheduled by the centre, events with registration and check-in, and volunteers."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


class ServiceCentreConfig(ProductApp):
    verbose_name = _("Service network")

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers the policies)
