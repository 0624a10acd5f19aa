"""快递员工伤保险助手 — the channel-independent core of the courier work-injury insurance bot."""
