from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


class TriageConfig(ProductApp):
    verbose_name = _("Work-order triage")
