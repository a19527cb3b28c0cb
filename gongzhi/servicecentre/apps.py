from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


class ServiceCentreConfig(ProductApp):
    verbose_name = _("Service network")
