"""Flows on the real Asterisk: the recorded path, simulate == real, publishing live."""

from __future__ import annotations

import signal

from tests.integration.conftest import Service
from tests.integration.sipp import SippLab

INFO_PATH = "greeting > menu > topic_info > info > after_info > goodbye"


def test_the_record_holds_the_path_walked_and_simulate_agrees(hotline: Service, lab: SippLab) -> None:
    citizen = lab.citizen(digits=[(1000, "1")], expect_bye_within_ms=60000)
    assert citizen.wait(90) == 0, citizen.errors()
    [call] = hotline.closed_calls(1)
    assert call["ivr_path"] == INFO_PATH
    assert call["topic"] == "office_hours"
    assert call["disposition"] == "ivr_ended"

    simulated = hotline.ivr("flows", "simulate", "itest", "--digits", "1")
    assert simulated.returncode == 0, simulated.stderr
    assert f"path: {INFO_PATH}" in simulated.stdout.splitlines()


def test_a_publish_during_a_call_changes_only_later_calls(hotline: Service, lab: SippLab) -> None:
    first = lab.citizen(digits=[(4500, "1")], expect_bye_within_ms=60000)
    hotline.wait_for_event("answered")
    flow = hotline.flows_dir / "itest.yaml"
    after_info = '    on: {"0": counselor, "*": menu, timeout: goodbye, invalid: goodbye}'
    assert after_info in flow.read_text()
    flow.write_text(
        flow.read_text().replace(after_info, after_info.replace("timeout: goodbye", "timeout: all_busy"))
    )
    published = hotline.ivr("flows", "publish", "--by", "test")
    assert published.returncode == 0, published.stdout + published.stderr
    hotline.wait_log("flows reloaded")
    second = lab.citizen(digits=[(1000, "1")], caller="01022223333", expect_bye_within_ms=60000)

    assert first.wait(90) == 0, first.errors()
    assert second.wait(90) == 0, second.errors()
    calls = {c["caller"]: c for c in hotline.closed_calls(2)}
    assert calls["01012345678"]["ivr_path"] == INFO_PATH  # started before: the old version
    assert calls["01022223333"]["ivr_path"] == INFO_PATH.replace("goodbye", "all_busy")


def test_a_rejected_publish_leaves_the_old_flow_serving(hotline: Service, lab: SippLab) -> None:
    flow = hotline.flows_dir / "itest.yaml"
    flow.write_text(flow.read_text().replace("type: set", "type: sett"))
    refused = hotline.ivr("flows", "publish")
    assert refused.returncode == 2
    assert "unknown node type 'sett' (did you mean 'set'?)" in refused.stderr
    # Even told to reload by hand, the service refuses the broken file.
    assert hotline.proc is not None
    hotline.proc.send_signal(signal.SIGHUP)
    hotline.wait_log("the new flows were refused; the running ones keep serving")

    citizen = lab.citizen(digits=[(1000, "1")], expect_bye_within_ms=60000)
    assert citizen.wait(90) == 0, citizen.errors()
    [call] = hotline.closed_calls(1)
    assert call["ivr_path"] == INFO_PATH
