from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


class Open311Config(ProductApp):
    verbose_name = _("Open311 interface")
