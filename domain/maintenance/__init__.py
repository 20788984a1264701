"""Maintenance bounded context: equipment, technicians, interventions and their planning.

Pure domain (standard library only, no I/O, no clock): every timestamp comes in as an
argument and must be timezone-aware; stored timestamps are normalised to UTC.

Modules:

- ``enums``: status, priority, type and experience-level enumerations.
- ``validation``: ``Checker`` (collects ``FieldError`` and raises ``ValidationFailed``), skills
  and serial-number normalisation, aware-datetime checks.
- ``equipment``: the ``Equipment`` aggregate.
- ``technician``: the ``Technician`` aggregate and ``WorkingWindow`` (weekly working hours).
- ``lifecycle``: the intervention transition table.
- ``intervention``: the ``Intervention`` aggregate.
- ``events``: domain events for notifications and the audit trail.
- ``timeslots``: ``TimeWindow``, half-open ``overlaps``, concrete working intervals.
- ``scheduling``: ``ScheduleEntry``, ``ScheduleConflict``, clash detection, availability and
  free windows.
- ``assignment``: ranking technicians for an intervention.
- ``preventive``: the weekly preventive plan.
- ``escalation``: when an unassigned critical intervention must be escalated.
- ``kpi``: the dashboard KPI formulas.
"""
