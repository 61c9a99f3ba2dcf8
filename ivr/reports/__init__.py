"""Reports: the call center's figures computed from plain rows (no database, no web).

rows.py (the rows and the ReportSource seam) · visits.py (queue visits and
conversations) · metrics.py (queue figures) · counselors.py (counselor time) ·
topics.py (options, topics, repeats, surveys, callbacks) · erlang.py and
staffing.py (counselors needed) · report.py (tables by group) · output.py
(table, CSV, JSON) · cdr.py (CDR export). docs/metrics.md defines every figure.
"""
