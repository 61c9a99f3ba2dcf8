"""민원 (cases): a matter a counselor could not settle on the phone, handed to a department.

Pure rules, no I/O: the case's value and number (`case.py`), its status
lifecycle (`states.py`, one transition table), the processing period a case
type sets and the deadline it gives in working days (`deadlines.py`), and the
types and departments a city configures (`rules.py`). Its tables are
`store/case_*.py`; docs/cases.md cites the law the default periods come from.
"""
