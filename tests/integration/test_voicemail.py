"""A message after the beep, on the real Asterisk: stored with the call, its file on disk."""

from __future__ import annotations

import wave

from ivr import config as config_mod
from ivr.pbx import embedded
from tests.integration.conftest import Service
from tests.integration.sipp import SippLab


def test_a_citizen_leaves_a_message_and_it_is_kept(
    pbx: config_mod.LoadedConfig, hotline: Service, lab: SippLab
) -> None:
    # 4 for a message; speaks from 4 s; # at 10 s ends the message.
    citizen = lab.citizen(digits=[(800, "4"), (10000, "#")], speaks_at_ms=4000, expect_bye_within_ms=60000)
    assert citizen.wait(90) == 0, citizen.errors()
    [call] = hotline.closed_calls(1)
    assert call["ivr_path"].split(" > ")[-2:] == ["message", "goodbye"]
    [message] = hotline.query("SELECT * FROM voicemails")
    assert (message["call_id"], message["status"]) == (call["id"], "new")
    assert 2.0 <= message["seconds"] <= 9.0, message
    wav = hotline.stored_recording(message["recording"])
    assert wav.name == f"{call['id']}-voicemail.wav"
    with wave.open(str(wav)) as w:
        assert w.getnframes() / w.getframerate() >= 2.0
    # Asterisk's own copy is gone once ours is verified.
    assert not (embedded.instance_for(pbx).recordings / f"{message['recording']}.wav").exists()


def test_a_citizen_who_hangs_up_to_end_their_message_has_it_kept(
    pbx: config_mod.LoadedConfig, hotline: Service, lab: SippLab
) -> None:
    # Many callers end a message by hanging up, not with #: the recording's end
    # and the hangup then reach the service in the same moment.
    citizen = lab.citizen(digits=[(800, "4")], speaks_at_ms=4000, hangup_after_ms=9000)
    assert citizen.wait(60) == 0, citizen.errors()
    [call] = hotline.closed_calls(1)
    assert "message" in call["ivr_path"].split(" > ")
    [message] = hotline.query("SELECT * FROM voicemails")  # kept before the call's record closed
    assert (message["call_id"], message["status"]) == (call["id"], "new")
    assert message["seconds"] >= 2.0, message
    assert hotline.stored_recording(message["recording"]).exists()
