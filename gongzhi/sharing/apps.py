from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


class SharingConfig(ProductApp):
    verbose_name = _("Shared resources")
