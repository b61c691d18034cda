"""Reports: metrics and their counters, leaderboards, civilized-unit points, the dashboard.

Floors: reports sit above orders (and people) and read what they did from their events;
nothing below imports reports. Counters move in the same transaction as the events that
move them (:mod:`wenming.reports.counters`), and ``wenming stats rebuild`` recomputes
them from the event log with the same fold, so the two can be compared.
"""
