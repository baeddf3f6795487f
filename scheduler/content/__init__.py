"""What output formats share: the content they write and the standard objects that carry it.

The built-in formats import this package and the public ``scheduler`` API, never one another;
a third-party format may use it the same way (docs/plugins.md, "The helper API"). It is named for
what it holds, the content of the outputs: what a participant is told about an occurrence
(``briefing``), in which words and conventions (``languages``, with the translators' tool
``catalogs``), what each kind of event is called and its usual programme (``kinds``), the budget
by category (``budget``), what a re-plan withdraws (``withdrawals``), and the iCalendar events,
calendars and time zones (``events``, ``calendars``, ``timezones``) and iMIP e-mails
(``messages``) that carry it, built with the icalendar and ``email`` packages' own objects.

What several formats compute for the same render is kept in ``context.memo``, so it is computed
once (per process) and shared, and nothing outlives the render.
"""
