"""Which flow prompts read an article: what an import or a publish must render again."""

from __future__ import annotations

import shutil
from pathlib import Path

from ivr import config as config_mod
from ivr.admin import kb, kb_edit

ROOT = Path(__file__).resolve().parents[2]
TAX_INFO = """  tax_info:
    ko: >-
      자동차세와 재산세 등 지방세는 위택스 누리집이나 가상계좌로 납부하실 수 있습니다.
      납부 기한이 지난 경우 가산금이 붙을 수 있습니다.
"""


def test_a_prompt_reading_an_article_is_found_and_says_its_text(tmp_path: Path) -> None:
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    shutil.copytree(ROOT / "callflows", tmp_path / "callflows")
    cfg = config_mod.load(tmp_path / "config.yaml")
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
