from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


class MeetingsConfig(ProductApp):
    verbose_name = _("Meetings and consultation")
