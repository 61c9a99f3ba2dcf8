"""Which flow prompts read an article: what an import or a publish must render again."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from ivr import config as config_mod
from ivr.admin import flows, kb, kb_edit
from ivr.kb.article import Article
from ivr.kb.lifecycle import ArticleStatus
from ivr.store import kb_articles
from ivr.store.desk_schema import transaction
from tests.records import point_at

ROOT = Path(__file__).resolve().parents[2]
TAX_INFO = """  tax_info:
    ko: >-
      자동차세와 재산세 등 지방세는 위택스 누리집이나 가상계좌로 납부하실 수 있습니다.
      납부 기한이 지난 경우 가산금이 붙을 수 있습니다.
"""


def test_a_prompt_reading_an_article_is_found_and_says_its_text(
    records_at: Path | str, tmp_path: Path
) -> None:
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    shutil.copytree(ROOT / "callflows", tmp_path / "callflows")
    cfg = config_mod.load(point_at(tmp_path / "config.yaml", records_at))
    kb.import_folder(cfg, ROOT / "knowledge", who="pytest")
    flow = tmp_path / "callflows" / "hotline.yaml"
    assert TAX_INFO in flow.read_text(encoding="utf-8")
    flow.write_text(flow.read_text(encoding="utf-8").replace(TAX_INFO, "  tax_info: {kb: property-tax}\n"))

    assert kb_edit.prompts_reading(cfg, ["property-tax", "car-tax"]) == ["hotline.tax_info"]
    assert kb_edit.prompts_reading(cfg, []) == []
    facts = kb_edit.flow_facts(cfg)
    assert "local_tax" in (facts.topics or ()) and "ko" in facts.languages
    spoken = kb_edit.load_flows(cfg)["hotline"].flow.prompts["tax_info"].text("ko") or ""
    assert spoken.startswith("재산세는 매년 6월 1일에") and "[[" not in spoken and "- " not in spoken


def test_an_expired_article_still_reads_and_a_draft_does_not(records_at: Path | str, tmp_path: Path) -> None:
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    shutil.copytree(ROOT / "callflows", tmp_path / "callflows")
    cfg = config_mod.load(point_at(tmp_path / "config.yaml", records_at))
    at = datetime(2026, 3, 2, tzinfo=UTC)
    expired = Article(
        "old-hours", "예전 시간", "예전 안내입니다.", ("general",), "civil", valid_until=date(2020, 1, 1)
    )
    with transaction(flows.database(cfg)) as db:
        kb_articles.save(db, replace(expired, status=ArticleStatus.PUBLISHED), who="pytest", at=at)
        kb_articles.save(db, replace(expired, slug="draft-hours"), who="pytest", at=at)
    published, unpublished = flows.article_texts(cfg)
    assert published == {"old-hours": {"ko": "예전 안내입니다."}}  # a start must not fail on a date
    assert unpublished == {"draft-hours"}
