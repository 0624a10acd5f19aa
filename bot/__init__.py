"""快递员工伤保险助手 — the channel-independent core of the courier work-injury insurance bot."""

import os

# Opt in to PTB's timedelta durations now (e.g. RetryAfter.retry_after): the old int form warns.
os.environ.setdefault("PTB_TIMEDELTA", "1")
