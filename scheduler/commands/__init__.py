"""The subcommands of ``scheduler``, one module per group, registered on the group in
``scheduler.cli``. Each imports its heavy modules (CP-SAT, Jinja, iCalendar, ...) inside the
command, so that importing them, and ``scheduler --help``, stays fast."""
