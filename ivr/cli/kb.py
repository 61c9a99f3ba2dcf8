"""`ivr kb import | export | list | show | search`: the counselors' knowledge base from the command line."""

from __future__ import annotations

import argparse
import sys
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

from ivr.admin import kb, kb_edit
from ivr.config import LoadedConfig
from ivr.kb.codec import ArticleVersion
from ivr.kb.errors import KbError
from ivr.kb.lifecycle import ArticleStatus
from ivr.store.audit import os_user

STATUS_KO = {"draft": "초안", "published": "게시", "archived": "보관"}


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("kb", help="the counselors' knowledge base: import, export, list, show, search")
    kb_sub = p.add_subparsers(dest="kb_command", required=True)
    imp = kb_sub.add_parser("import", help="import a folder of Markdown articles (all or nothing)")
    imp.add_argument("folder")
    imp.add_argument("--by", help="who imports (default: your user name)")
    imp.add_argument("--note", default="", help="kept with each new version")
    imp.add_argument("--if-empty", action="store_true", help="only into a base with no article yet")
    exp = kb_sub.add_parser("export", help="write every article to FOLDER/<id>.md")
    exp.add_argument("folder")
    exp.add_argument("--by")
    ls = kb_sub.add_parser("list", help="articles by title")
    ls.add_argument("--topic", help="a flow topic tag, e.g. local_tax")
    ls.add_argument("--department")
    ls.add_argument("--status", choices=[s.value for s in ArticleStatus])
    show = kb_sub.add_parser("show", help="an article and its history")
    show.add_argument("slug")
    show.add_argument("--lang", choices=("ko", "en", "zh", "vi"), default="ko")
    search = kb_sub.add_parser("search", help="search as the desk does: published, valid today")
    search.add_argument("question")
    search.add_argument("--topic", help="rank the call's topic first, e.g. local_tax")
    search.add_argument("--all", action="store_true", help="drafts, archived and expired articles too")
    search.add_argument("--method", choices=("kiwi", "morphemes", "trigram"), default="kiwi")
    search.add_argument("--limit", type=int, default=5)


def run(cfg: LoadedConfig, args: argparse.Namespace) -> int:
    try:
        return _COMMANDS[args.kb_command](cfg, args)
    except KbError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        if args.kb_command == "import":
            print(f"ivr kb import: {len(exc.problems)}개 문제 · problem(s); 아무것도 가져오지 않았습니다 · "
                  "nothing was imported", file=sys.stderr)  # fmt: skip
        return 2


def _import(cfg: LoadedConfig, args: argparse.Namespace) -> int:
    report = kb.import_folder(
        cfg, Path(args.folder), who=args.by or os_user(), note=args.note, if_empty=args.if_empty
    )
    if report is None:
        print(
            "상담 DB에 이미 문서가 있어 가져오지 않았습니다 · the base has articles already: nothing imported"
        )
        return 0
    print(
        f"가져왔습니다 · imported: 새 문서 {len(report.added)}, 바뀐 문서 {len(report.changed)}, "
        f"그대로 {len(report.unchanged)} · added, changed, unchanged"
    )
    read = kb_edit.prompts_reading(cfg, report.changed)
    if read:
        # One truth for the IVR: the prompts that read a changed article say its new text to new calls.
        pid = kb_edit.retake_prompts(cfg)
        told = (
            f"서비스(pid {pid})가 새 전화부터 씁니다 · the service takes them"
            if pid
            else "서비스가 꺼져 있습니다"
        )
        print(f"ARS 안내를 새로 만들었습니다 · prompts re-rendered: {', '.join(read)}; {told}")
    return 0


def _export(cfg: LoadedConfig, args: argparse.Namespace) -> int:
    written = kb.export_folder(cfg, Path(args.folder), who=args.by or os_user())
    print(f"{len(written)}개 문서를 {args.folder}에 썼습니다 · {len(written)} articles written")
    return 0


def _list(cfg: LoadedConfig, args: argparse.Namespace) -> int:
    rows = kb.listing(cfg, topic=args.topic, department=args.department, status=args.status)
    for v in rows:
        print(_row(v))
    print(f"({len(rows)}개 · articles)")
    return 0


def _row(v: ArticleVersion) -> str:
    a = v.article
    valid = f"~{a.valid_until}" if a.valid_until else ""
    return (
        f"{_pad(a.slug, 28)} {_pad(STATUS_KO[a.status], 4)} {_pad(a.department, 16)} "
        f"{_pad(','.join(a.topics), 18)} v{v.version:<3} {a.title} {valid}".rstrip()
    )


def _show(cfg: LoadedConfig, args: argparse.Namespace) -> int:
    current, history = kb.show(cfg, args.slug)
    a = current.article
    title, body = a.title, a.body
    if args.lang != "ko":
        tr = a.translations.get(args.lang)
        if tr is None:
            print(f"({args.lang} 번역이 없어 한국어로 보여 드립니다 · no {args.lang} translation)")
        else:
            title, body = tr.title, tr.body
    print(f"# {title}\n")
    print(f"id: {a.slug} · 상태 status: {STATUS_KO[a.status]} ({a.status}) · 부서 department: {a.department}")
    print(f"주제 topics: {', '.join(a.topics)} · 검색어 keywords: {', '.join(a.keywords) or '-'}")
    print(f"유효 기간 valid: {a.valid_from or '…'} ~ {a.valid_until or '…'}")
    print(f"번역 translations: {', '.join(sorted(a.translations)) or '-'}\n")
    print(body)
    print("\n이력 history:")
    zone = ZoneInfo(cfg.settings.hotline.timezone)
    for v in history:
        at = v.at.astimezone(zone)
        print(f"  v{v.version:<3} {at:%Y-%m-%d %H:%M} {_pad(v.who, 12)} {_pad(v.event, 8)} {v.note}".rstrip())
    return 0


def _pad(text: str, width: int) -> str:
    # Korean takes two columns in a terminal.
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - shown)


def _search(cfg: LoadedConfig, args: argparse.Namespace) -> int:
    if not 1 <= args.limit <= 50:
        print("--limit: 1부터 50까지 · from 1 to 50", file=sys.stderr)
        return 2
    result = kb.search(
        cfg, args.question, topic=args.topic, offered_only=not args.all, method=args.method, limit=args.limit
    )
    print(f"검색어 query: {result.query}")
    print(f"분석 terms: {' '.join(result.words) or '-'}  ({result.method}, {result.elapsed_ms:.1f} ms)")
    if result.found_nothing:
        scope = "" if args.all else " (게시되어 오늘 유효한 문서 중 · published and valid today)"
        print(f"찾은 문서가 없습니다 · nothing found{scope}")
        return 1
    for n, hit in enumerate(result.hits, 1):
        print(f"{n:>2}. {_pad(hit.slug, 28)} {hit.score:6.1f}  {hit.title}")
    return 0


_COMMANDS = {"import": _import, "export": _export, "list": _list, "show": _show, "search": _search}
