"""The project's one exception tree.

The classes defined here:

    HotlineError
    ├── ConfigError          config.yaml is wrong; carries one line per problem
    ├── PbxError             the embedded Asterisk cannot be installed, rendered or run
    ├── AlreadyServing       another `ivr serve` holds the same Stasis app
    ├── CallError            a request about a call could not be carried out
    │   ├── CallGone         the caller or counselor hung up before the request reached
    │   │                    their line: expected, handled quietly, never a traceback
    │   ├── PbxUnreachable   the PBX cannot be reached right now
    │   └── RecordingRefused the PBX would not record (full disk, no folder): the call goes on
    └── StoreError           the call record database refused a write

Branches defined beside the code that raises them, each under its full name:

    HotlineError
    ├── ConfigError
    │   └── ivr.flows.loader.FlowError                 a flow file is wrong (file:line:col)
    ├── ivr.acd.counselor_states.IllegalCounselorTransition
    │                                                  a state change the table forbids
    ├── ivr.calls.followup_states.IllegalFollowupTransition
    │                                                  a callback's or voicemail's status
    │                                                  change its table forbids
    ├── ivr.prompts.takes.IllegalTakeTransition        a prompt take's state change its
    │                                                  table forbids
    ├── ivr.pbx.prompt_audio.PromptAudioRefused        a recording that cannot be a prompt
    │                                                  (not audio, too long, silent, clipped)
    ├── ivr.kb.errors.KbError                          an article refused, one line per problem:
    │   ├── InvalidArticle                             a rule broken (no title, unknown topic)
    │   ├── ArticleFileError                           a Markdown file, file:line each
    │   ├── IllegalArticleTransition                   a status change the table forbids
    │   ├── QueryRefused                               a search string too long or with
    │   │                                              control characters
    │   ├── ivr.store.kb_articles.NoSuchArticle        no such article or version
    │   └── ivr.store.kb_files.ImportRefused           a folder import, nothing applied
    ├── ivr.ari.rest.AriError                          Asterisk's REST interface answered
    │                                                  with an error (its HTTP status)
    ├── ivr.store.queue_log.MalformedLine              a line of Asterisk's queue_log that
    │                                                  cannot be read (logged, skipped)
    └── ivr.admin.problems.DeskError                   the desk refuses a request: an HTTP
                                                       status and a kebab-case code; its
                                                       refusals are drawn in that module

The core (flows, acd, calls) never catches an edge's class. An edge re-raises
what went wrong below it (aiohttp, sqlite3, OSError, its own protocol's errors)
as one of the classes here, `raise CallGone(...) from exc`, so callers handle
our words: the ARI edge's AriError, with Asterisk's status, stays the cause.
"""

from __future__ import annotations


class HotlineError(Exception):
    """Base of every error the service raises on purpose."""


class ConfigError(HotlineError):
    """config.yaml (or a flow file) has problems; `problems` has one line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class AlreadyServing(HotlineError):
    """Another service already serves this Stasis application (see runtime/service_lock.py)."""


class PbxError(HotlineError):
    """The embedded Asterisk cannot be installed, configured or run."""


class CallError(HotlineError):
    """A request about a call (a prompt, a ring, a bridge, a recording) could not be carried out."""


class CallGone(CallError):
    """The caller's or a counselor's line went away between what we heard and our request."""


class PbxUnreachable(CallError):
    """The PBX cannot be reached: the request never got there."""


class RecordingRefused(CallError):
    """The PBX answered a request to record with a refusal (a full disk, no folder)."""

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        super().__init__(message)


class StoreError(HotlineError):
    """The call record database refused a write."""
