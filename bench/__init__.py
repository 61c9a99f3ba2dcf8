"""Load benchmark: the hotline service against plain dialplan with app_queue, side by side.

Run it with `./hotline bench [scenario] [--calls N --rate R --concurrent C]`
(see bench/README.md). The pure parts (percentiles, packet parsing, SIPp's
statistics) are unit-tested; the rest drives the real embedded Asterisk,
`ivr serve` and SIPp phones.
"""
