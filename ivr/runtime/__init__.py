"""Around the call center, for the running process: log lines with their call, timings, the service lock."""
