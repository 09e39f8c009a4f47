"""A frozen copy of the slot engine as it was before issue 23 (availability, intervals, slots).

Only the comparison property test uses it: the faster engine must give identical output. It
shares the office workday calendars (scheduler.domain.workdays) with the live engine.
"""
