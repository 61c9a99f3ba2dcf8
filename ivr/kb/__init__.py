"""The counselors' knowledge base, as pure rules: articles, their lifecycle, their files, search terms.

`article.py` is the Article value and its validation; `lifecycle.py` the one
transition table of an article's status; `markdown.py` reads and writes an
article as Markdown with YAML front matter (errors as file:line); `analyzer.py`
turns Korean text into search terms (morphemes, and character bigrams for near
misses); `query.py` checks a search string; `ranking.py` orders the hits.
Tables, the full-text index and SQL live in `ivr/store/kb_*.py`.
"""
