"""This app's counts for `manage.py summary --json` (see gongzhi.core.summary)."""

from __future__ import annotations
