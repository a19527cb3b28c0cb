"""Log filters. `ExpectedRefusals`: a refusal the product answers on purpose (403: not allowed,
404: not found or out of scope, 405) is logged by Django with the exception's traceback; that is
noise in the log of a site where every out-of-scope link ends so. It keeps the one line (who
asked for what, the status) and drops the traceback. Errors (5xx) keep theirs."""

from __future__ import annotations

import logging

EXPECTED = {400, 403, 404, 405, 409, 429}


class ExpectedRefusals(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in EXPECTED:
            record.exc_info = None
            record.exc_text = None
        return True
