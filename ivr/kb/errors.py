"""The knowledge base's refusals: each carries one line per problem, with file:line where there is a file."""

from __future__ import annotations

from ivr.errors import HotlineError


class KbError(HotlineError):
    """Something about articles was refused; `problems` has one line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class InvalidArticle(KbError):
    """An article that breaks a rule (no title, an unknown topic, dates the wrong way round)."""


class ArticleFileError(KbError):
    """A Markdown file that cannot be read as an article: each line is file:line: what is wrong."""


class IllegalArticleTransition(KbError):
    """A status change the lifecycle table forbids (an archived article edited, say)."""


class QueryRefused(KbError):
    """A search string the desk does not run: too long, control characters, nothing to look for."""
