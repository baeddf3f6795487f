"""scheduler: plans the events of international cooperation projects.

Conferences, study visits, workshops, trainings and steering committees are placed across partner
countries under budget and availability limits with a CP-SAT model; output formats are plugins.
Heavy modules (OR-Tools, icalendar, jinja2) are imported lazily so ``scheduler --help`` stays fast.
"""

__version__ = "0.1.0"
