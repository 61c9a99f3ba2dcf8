"""The baseline: the benchmark's call shape done by plain dialplan and app_queue.

Answer, Playback of the same greeting, Read of the same two menus (one digit
each), Queue() into an app_queue queue of the same counselor phones with
MixMonitor recording, the same goodbye. Its records are its queue_log lines
(BENCHSTART / BENCHEND from a hangup handler, as the product's fallback
writes FALLBACK / FALLBACKEND), since this Asterisk keeps no CDR.

The files are included by `#tryinclude` from extensions.conf and queues.conf
and are written only into the benchmark's own Asterisk instance.
"""

from __future__ import annotations

from ivr.config import Settings
from ivr.flows.promptbook import PromptBook

NUMBER = "2229000"  # what a baseline caller dials; the service's calls dial hotline.number
QUEUE = "bench-baseline"
EXTENSIONS_FILE = "bench-baseline-extensions.conf"
QUEUES_FILE = "bench-baseline-queues.conf"


def extensions(book: PromptBook, language: str, spool: str, menu_timeout: float) -> str:
    """The baseline's dialplan: the same prompts as the service's bench flow."""

    def sound(prompt_id: str) -> str:
        return book.sound(prompt_id, language).name

    t = f"{menu_timeout:g}"
    return f"""; Written by the load benchmark (bench/baseline.py): the plain-dialplan baseline.
[from-citizens]
exten => {NUMBER},1,Goto(bench-baseline,s,1)

[bench-baseline]
exten => s,1,Answer()
 same => n,Set(CHANNEL(language)={language})
 same => n,Set(CHANNEL(hangup_handler_push)=bench-baseline-end,s,1)
 same => n,QueueLog({QUEUE},${{UNIQUEID}},NONE,BENCHSTART,${{CALLERID(num)}})
 same => n,Playback({sound("greeting")})
 same => n,Read(D1,{sound("menu")},1,,1,{t})
 same => n,GotoIf($["${{D1}}" != "1"]?bye)
 same => n,Read(D2,{sound("topic")},1,,1,{t})
 same => n,GotoIf($["${{D2}}" != "0"]?bye)
 same => n,Set(MONITOR_FILENAME={spool}/recording/bench-${{UNIQUEID}})
 same => n,Playback({sound("connecting")})
 same => n,Queue({QUEUE})
 same => n(bye),Playback({sound("goodbye")})
 same => n,Hangup(16)

[bench-baseline-end]
exten => s,1,QueueLog({QUEUE},${{UNIQUEID}},NONE,BENCHEND,${{CALLERID(num)}}|${{HANGUPCAUSE}})
 same => n,Return()
"""


def queues(settings: Settings) -> str:
    """The baseline's queue: the same counselor phones, one rung at a time like the service."""
    members = "\n".join(f"member => PJSIP/{c.endpoint},0,{c.id}" for c in settings.counselors)
    return f"""; Written by the load benchmark (bench/baseline.py): the baseline's app_queue.
[{QUEUE}]
; The service offers a caller to the counselor idle longest; leastrecent is app_queue's match.
strategy = leastrecent
timeout = {settings.ivr.ring_timeout_seconds:g}
retry = 1
ringinuse = no
wrapuptime = {settings.acd.wrap_up_seconds:g}
autofill = yes
autopause = no
joinempty = yes
leavewhenempty = no
announce-frequency = 0
announce-holdtime = no
announce-position = no
periodic-announce-frequency = 0
musicclass = default
monitor-format = wav
{members}
"""
