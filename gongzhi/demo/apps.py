from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "gongzhi.demo"
    label = "demo"
    verbose_name = _("Demo data")

    def ready(self) -> None:
        # Later apps' demo data, as stages of seed_demo (see gongzhi/demo/seed/runner.py).
        from gongzhi.cases.demo import seed_stage as cases_stage
        from gongzhi.demo.seed import Stage, register_stage
        from gongzhi.duty.demo import seed_stage as duty_stage

        register_stage(
            Stage("duty", duty_stage, "duty roster, shift log, handovers"), after="accounts"
        )
        register_stage(
            Stage("cases", cases_stage, "category catalogue, a year of cases, open work"),
            after="duty",
        )
