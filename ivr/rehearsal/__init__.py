"""`ivr rehearse`: synthetic citizens calling the running hotline on every path (docs/rehearsal.md)."""
