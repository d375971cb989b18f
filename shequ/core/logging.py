"""A log filter that masks ID and mobile numbers and neutralises control
characters (log injection), whatever logger the line came from."""

from __future__ import annotations

import logging
import re

ID18 = re.compile(
    r"(?<!\d)([1-9]\d{5})(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}([\dXx])(?!\d)"
)
PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x1b]|\r|\n")


def scrub(text: str) -> str:
    text = ID18.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)
    text = PHONE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    return CONTROL.sub(lambda m: repr(m.group(0))[1:-1], text)


class ScrubPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = scrub(message)
        record.args = None
        return True
