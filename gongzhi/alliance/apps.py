from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


class AllianceConfig(ProductApp):
    verbose_name = _("Regional alliance")
