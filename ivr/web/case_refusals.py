"""The core's refusals of a case change, as the desk's: 400, 404, 409 with the core's Korean words."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from ivr.admin.problems import CaseRefused, InvalidInput, NoSuchCase
from ivr.cases.case import CaseConflict, CaseInputError, CaseNotFound
from ivr.cases.states import IllegalCaseTransition


@contextlib.contextmanager
def case_refusals() -> Iterator[None]:
    """Around a case's read or write (Database.run hands a rule's refusal back as it is)."""
    try:
        yield
    except CaseInputError as exc:
        raise InvalidInput([str(exc)]) from None
    except CaseNotFound:
        raise NoSuchCase() from None
    except (IllegalCaseTransition, CaseConflict) as exc:
        raise CaseRefused(str(exc)) from None
