"""`ivr kb`: import the seed, list, show, search, export; a broken folder is refused whole, file:line each."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ivr.cli.main import main
from tests.records import point_at

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def config(tmp_path: Path, records_at: Path | str) -> Path:
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    shutil.copytree(ROOT / "callflows", tmp_path / "callflows")
    return point_at(tmp_path / "config.yaml", records_at)


def ivr(config: Path, *args: str) -> int:
    return main(["-c", str(config), "kb", *args])


def test_seed_list_show_search_and_export(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ivr(config, "import", str(ROOT / "knowledge"), "--by", "kim") == 0
    assert "새 문서 34" in capsys.readouterr().out
    assert ivr(config, "import", "--if-empty", str(ROOT / "knowledge")) == 0
    assert "이미 문서가 있어" in capsys.readouterr().out
    assert ivr(config, "list", "--topic", "local_tax") == 0
    listed = capsys.readouterr().out
    assert "property-tax" in listed and "passport-new" not in listed and "게시" in listed
    assert ivr(config, "show", "city-hall-location", "--lang", "vi") == 0
    shown = capsys.readouterr().out
    assert "# Vị trí Tòa thị chính Jeonju" in shown and "kim" in shown and "publish" in shown
    assert ivr(config, "search", "재산세 언제 내요") == 0
    found = capsys.readouterr().out
    assert found.splitlines()[2].split()[:2] == ["1.", "property-tax"]
    assert ivr(config, "export", str(config.parent / "out")) == 0
    assert len(list((config.parent / "out").glob("*.md"))) == 34


def test_a_folder_with_one_broken_file_imports_nothing(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = config.parent / "manual"
    shutil.copytree(ROOT / "knowledge", folder)
    broken = folder / "car-tax.md"
    broken.write_text(broken.read_text(encoding="utf-8").replace("topics: [local_tax]", "topics: [local_tax"))
    assert ivr(config, "import", str(folder)) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{broken}:6: the front matter is not valid YAML")
    assert err[0].endswith("(while parsing a flow sequence that starts at line 5)")
    assert err[-1].endswith("nothing was imported")
    assert ivr(config, "list") == 0
    assert "(0개 · articles)" in capsys.readouterr().out


def test_searches_that_are_no_question_are_refused_plainly(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ivr(config, "search", "가" * 10_000) == 2
    assert "10,000자" in capsys.readouterr().err
    assert ivr(config, "search", "재산세\x07") == 2
    assert "U+0007" in capsys.readouterr().err
    assert ivr(config, "show", "no-such") == 2
    assert "no such article" in capsys.readouterr().err
