from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


class DashboardsConfig(ProductApp):
    verbose_name = _("Leaders' cockpit")
