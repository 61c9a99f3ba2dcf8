"""`ivr cases`: list with the desks' filters, show and export audited, assign and reassign, clear refusals."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ivr.cases.case import NewCase
from ivr.cases.states import CaseEvent
from ivr.cli.main import main
from ivr.config import CaseSettings, case_rules
from ivr.store import case_rows
from ivr.store.case_changes import CaseChange, change
from ivr.store.desk_schema import transaction
from ivr.store.sql import query
from tests.records import point_at, records_in

KST = timezone(timedelta(hours=9))
RULES = case_rules(CaseSettings())
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def config(tmp_path: Path, records_at: Path | str) -> Path:
    """The project's config.yaml and flows, copied, the records on each engine in turn."""
    for name in ("config.yaml", "callflows"):
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, tmp_path / name)
    return point_at(tmp_path / "config.yaml", records_at)


def ivr(config: Path, *args: str) -> int:
    return main(["-c", str(config), "cases", *args])


def seed(config: Path) -> tuple[str, str]:
    db_path = records_in(config)
    received = datetime(2026, 9, 22, 10, tzinfo=KST)
    with transaction(db_path) as db:
        late = case_rows.register(
            db,
            NewCase("01012345678", "가로등 고장", "other", "road", "kim", topic="streetlight"),
            RULES,
            received,
            KST,
        ).number
        other = case_rows.register(
            db, NewCase("0632221000", "재산세 이의", "query", "tax", "lee"), RULES, received, KST
        ).number
        change(
            db,
            CaseChange(other, CaseEvent.RETURN, "tax1", "세정과 소관 아님", department="tax"),
            received,
            RULES,
        )
    return late, other


def audit(config: Path) -> list[tuple[str, str]]:
    with transaction(records_in(config)) as db:
        return [(r["action"], r["target"]) for r in query(db, "SELECT * FROM audit ORDER BY id")]


def test_list_filters_show_and_export_are_audited(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    late, other = seed(config)
    assert ivr(config, "list", "--overdue", "--department", "road") == 0
    listed = capsys.readouterr().out
    assert late in listed and other not in listed and "010-****-5678" in listed and "기한 경과" in listed
    assert ivr(config, "list", "--status", "returned", "--from", "2026-09-22", "--to", "2026-09-22") == 0
    assert capsys.readouterr().out.split()[0] == other
    assert ivr(config, "show", late) == 0
    shown = capsys.readouterr().out
    assert "01012345678" in shown and "가로등 고장" in shown and "이관" in shown
    out = config.parent / "cases.csv"
    assert ivr(config, "export", "--department", "road", "-o", str(out)) == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["number", "status", "received_at"] and [r[0] for r in rows[1:]] == [late]
    assert rows[1][4] == "Y" and rows[1][6] == "도로과"
    actions = audit(config)
    assert ("case_open", late) in actions and ("case_export", "") in actions


def test_assign_hands_a_returned_case_on_and_refusals_are_plain(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    late, other = seed(config)
    assert ivr(config, "assign", other, "parks") == 1
    assert "부서 'parks'" in capsys.readouterr().err
    assert ivr(config, "assign", other, "civil-affairs", "--reason", "민원여권과 소관") == 0
    assert "재이관 → 민원여권과" in capsys.readouterr().out
    assert ivr(config, "assign", late, "tax") == 1
    assert "'이관' 상태여서 '이관'할 수 없습니다" in capsys.readouterr().err
    assert ivr(config, "show", "2026-999999") == 1
    assert "찾을 수 없습니다" in capsys.readouterr().err
    assert ivr(config, "list", "--status", "lost") == 1
    assert "상태 'lost'" in capsys.readouterr().err
    assert ivr(config, "list", "--from", "22/09/2026") == 1
    assert "2026-09-22처럼" in capsys.readouterr().err


def test_report_cases_prints_open_overdue_and_average_days_per_department(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    late, _ = seed(config)
    with transaction(records_in(config)) as db:
        answered = datetime(2026, 9, 24, 22, tzinfo=KST)  # 2.5 days after receipt
        change(
            db, CaseChange(late, CaseEvent.ANSWER, "road1", "교체 완료", department="road"), answered, RULES
        )
    args = [
        "-c",
        str(config),
        "report",
        "--from",
        "2026-09-01",
        "--to",
        "2026-09-30",
        "--cases",
        "--format",
        "csv",
    ]
    assert main(args) == 0
    rows = {r["department"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert (rows["road"]["open"], rows["road"]["answered"], rows["road"]["average_days"]) == ("0", "1", "2.5")
    assert (rows["tax"]["open"], rows["tax"]["overdue"]) == ("1", "1")  # returned, still open, long past
    assert rows["total"]["name"] == "전체"
    assert main([*args[:-2], "--by", "day"]) == 2


def test_a_department_user_needs_a_department_the_config_knows(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def add(*extra: str) -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password-1\n"))
        base = ["-c", str(config), "users", "add", "road1", "--name", "도로과", "--role", "department"]
        return main([*base, *extra, "--password-stdin"])

    assert add() == 2
    assert "부서 민원 담당자는 담당 부서가 필요합니다" in capsys.readouterr().err
    assert add("--department", "parks") == 2
    assert "cases.departments에 없습니다" in capsys.readouterr().err
    assert add("--department", "road") == 0
