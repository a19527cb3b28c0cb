"""Django's own messages that the product words better in Chinese. Their msgids are written
here exactly as Django writes them, so that `makemessages` puts them in the product's catalogue,
which is read before Django's (LOCALE_PATHS): Django's zh_Hans says "确保该变量…", which reads
like a programmer's note to the people filling in a form. Nothing imports this module."""

from __future__ import annotations

from django.utils.translation import ngettext_lazy

WORDED = (
    ngettext_lazy(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
)
