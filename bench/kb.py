"""`./hotline bench kb`: how well and how fast the knowledge base's search answers citizens' questions.

Runs every question of bench/kb_questions.yaml against the seed articles in
knowledge/, then against them plus N generated articles (5,000 by default),
with each search method: `kiwi` (morphemes and bigrams, what the desk uses),
`morphemes` (the bigrams left out) and `trigram` (FTS5's trigram tokenizer
alone). Prints top-1 and top-3 hit rates and search time p50/p95 per method,
and writes the figures as JSON. Needs no Asterisk and no root.
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from bench.kb_corpus import generated_articles
from bench.report import save_figures
from bench.stats import summary_ms
from ivr.kb.analyzer import default_analyzer
from ivr.store import engine, kb_articles, kb_files, kb_index, kb_search
from ivr.store.desk_schema import open_file

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "bench" / "kb_questions.yaml"
METHODS = ("kiwi", "morphemes", "trigram")
TODAY = date(2026, 12, 7)


def load_questions(path: Path, slugs: set[str]) -> list[tuple[str, tuple[str, ...]]]:
    """The questions and their answers; an answer naming no seed article is an error, with its line."""
    items = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    out, problems = [], []
    for n, item in enumerate(items):
        missing = [s for s in item["a"] if s not in slugs]
        if missing:
            problems.append(f"{path}:{item.lc.line + 1}: no article {', '.join(missing)} in knowledge/")
        out.append((str(item["q"]), tuple(item["a"])))
        del n
    if problems:
        raise SystemExit("\n".join(problems))
    return out


def measure(db: Any, questions: list[tuple[str, tuple[str, ...]]], method: str) -> dict[str, Any]:
    """Top-1/top-3 hits and search times of one method over every question (each run twice: warm)."""
    top1 = top3 = 0
    seconds, cpu_seconds, misses = [], [], []
    for question, answers in questions:
        kb_search.search(db, question, today=TODAY, method=method, limit=3)  # warm the page cache
        started, cpu = time.perf_counter(), time.process_time()
        result = kb_search.search(db, question, today=TODAY, method=method, limit=3)
        seconds.append(time.perf_counter() - started)
        cpu_seconds.append(time.process_time() - cpu)
        found = [h.slug for h in result.hits]
        top1 += bool(found[:1]) and found[0] in answers
        top3 += any(s in answers for s in found)
        if not any(s in answers for s in found):
            misses.append({"q": question, "want": list(answers), "got": found})
    n = len(questions)
    return {
        "top1": top1 / n,
        "top3": top3 / n,
        "time_ms": summary_ms(seconds),
        # CPU time of this process: what the search costs, whatever else the machine is doing
        "cpu_ms": summary_ms(cpu_seconds),
        "misses": misses,
    }


def run_set(db: Any, questions: list[tuple[str, tuple[str, ...]]], label: str) -> dict[str, Any]:
    figures = {m: measure(db, questions, m) for m in METHODS}
    print(f"\n== {label}: {kb_articles.count(db):,} articles, {len(questions)} questions")
    print(
        f"   {'method':<10} {'top-1':>7} {'top-3':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'cpu p50':>8} {'cpu p95':>8}"
    )
    for m, f in figures.items():
        t, c = f["time_ms"], f["cpu_ms"]
        print(
            f"   {m:<10} {f['top1']:>7.1%} {f['top3']:>7.1%} {t['p50']:>8.1f} {t['p95']:>8.1f} "
            f"{c['p50']:>8.1f} {c['p95']:>8.1f}"
        )
    return figures


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="./hotline bench kb", description=__doc__.split("\n\n")[1])
    p.add_argument(
        "--generated", type=int, default=5000, help="articles generated beside the seed (default 5000)"
    )
    p.add_argument("--questions", type=Path, default=QUESTIONS)
    p.add_argument(
        "--database",
        help="a postgresql:// URL whose schema has no articles yet, to measure that engine "
        "(default: a new SQLite file)",
    )
    p.add_argument("--misses", action="store_true", help="print the questions each method missed")
    p.add_argument("--json", type=Path, help="where the figures go (default var/bench/<time>-kb.json)")
    args = p.parse_args(argv)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    started = time.perf_counter()
    default_analyzer().load()
    result: dict[str, Any] = {
        "date": stamp,
        "command": "./hotline bench kb " + " ".join(argv),
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
        "analyzer": default_analyzer().name,
        "model_load_s": round(time.perf_counter() - started, 1),
    }
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
        db = open_file(args.database or Path(tmp) / "kb.sqlite3")
        result["engine"] = "postgresql" if engine.on_postgres(db) else "sqlite"
        if kb_articles.count(db):
            raise SystemExit(f"{engine.shown(args.database)}: has articles already; give an empty one")
        at = datetime.now(UTC)
        with db.atomic():
            kb_files.import_folder(db, ROOT / "knowledge", who="bench", at=at)
        questions = load_questions(args.questions, {a.slug for a in kb_articles.list_articles(db)})
        result["seed"] = run_set(db, questions, "seed articles")
        started = time.perf_counter()
        with db.atomic():
            for article in generated_articles(args.generated, random.Random(15)):
                kb_articles.save(db, article, who="bench", at=at)
        result["index_s_per_1000"] = round((time.perf_counter() - started) / max(args.generated, 1) * 1000, 2)
        print(f"\n   {args.generated:,} generated articles saved and indexed: "
              f"{result['index_s_per_1000']} s per 1,000")  # fmt: skip
        result["large"] = run_set(db, questions, f"seed + {args.generated:,} generated")
        assert kb_index.built_with(db) == kb_index.signature(default_analyzer())
        db.close()
    if args.misses:
        for label in ("seed", "large"):
            for m in METHODS:
                for miss in result[label][m]["misses"]:
                    print(f"   miss {label}/{m}: {miss['q']} -> want {miss['want']}, got {miss['got']}")
    save_figures(result, args.json, "kb", stamp)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
