"""`ivr pbx render --out`: the Asterisk configuration an admin installs on their own PBX."""

from __future__ import annotations

import re
import stat
import wave
from pathlib import Path

import pytest

from ivr import cli
from ivr.pbx.install import debian_mirror, parse_version

CONFIG = """
hotline: {number: "2221000"}
asterisk: {ari_user: hotline, app: hotline}
counselors:
  - {id: c1, name: 김민지, endpoint: desk01}
  - {id: c2, name: 이서준, endpoint: desk02, contact: "sip:127.0.0.1:5072"}
  - {id: c3, name: 박지현, endpoint: desk03, contact: "sip:desk03@10.20.0.13:5060;transport=udp"}
storage: {state_dir: state}
"""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("render")
    (base / "config.yaml").write_text(CONFIG, encoding="utf-8")
    assert cli.main(["-c", str(base / "config.yaml"), "pbx", "render", "--out", str(base / "out")]) == 0
    return base


def conf(rendered: Path, name: str) -> str:
    return (rendered / "out" / "etc-asterisk" / name).read_text(encoding="utf-8")


def test_secrets_are_generated_strong_and_private(rendered: Path) -> None:
    secrets = rendered / "state" / "secrets.json"
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    password = re.search(r"^password = (\S+)$", conf(rendered, "ari.conf"), re.M)
    assert password and len(password.group(1)) >= 32
    assert password.group(1) in secrets.read_text()
    assert stat.S_IMODE((rendered / "out" / "etc-asterisk" / "ari.conf").stat().st_mode) == 0o640


def test_ari_and_ami_listen_on_loopback_only(rendered: Path) -> None:
    assert "bindaddr = 127.0.0.1" in conf(rendered, "http.conf")
    assert "bindaddr = 127.0.0.1" in conf(rendered, "manager.conf")


def test_citizens_reach_the_hotline_and_nothing_else(rendered: Path) -> None:
    ext = conf(rendered, "extensions.conf")
    citizens = ext.split("[from-citizens]")[1].split("\n[")[0]
    assert "exten => 2221000,1," in citizens
    assert "Stasis(hotline,citizen,${EXTEN},${PJSIP_HEADER(read,X-Rehearsal-At)})" in citizens
    assert 'GotoIf($["${STASISSTATUS}" = "FAILED"]?hotline-fallback,s,1)' in citizens
    assert "Dial(" not in ext
    assert re.findall(r"^exten => ([^,]+),", citizens, re.M) == ["2221000"]
    fallback = ext.split("[hotline-fallback]")[1].split("\n[")[0]
    assert "Playback(jeonju/fallback-sorry)" in fallback


def test_each_counselor_gets_an_endpoint_registering_or_fixed(rendered: Path) -> None:
    pjsip = conf(rendered, "pjsip.conf")
    desk01 = pjsip.split("; 김민지 (c1)")[1].split("; 이서준")[0]
    assert "auth = desk01" in desk01 and "type = auth" in desk01 and "max_contacts = 1" in desk01
    desk02 = pjsip.split("; 이서준 (c2)")[1]
    assert "contact = sip:127.0.0.1:5072" in desk02 and "type = auth" not in desk02
    assert "match = 127.0.0.1" in pjsip


def test_only_the_needed_modules_are_loaded(rendered: Path) -> None:
    modules = conf(rendered, "modules.conf")
    assert "autoload = no" in modules
    assert "load => app_stasis.so" in modules and "load => chan_pjsip.so" in modules
    assert "app_dial" not in modules and "chan_iax2" not in modules


def test_every_prompt_is_telephone_audio(rendered: Path) -> None:
    prompts = sorted((rendered / "out" / "sounds" / "ko" / "jeonju").glob("*.wav"))
    assert {p.stem for p in prompts} >= {
        "greeting",
        "menu",
        "invalid",
        "no-input",
        "goodbye",
        "fallback-sorry",
    }
    for p in prompts:
        with wave.open(str(p)) as w:
            assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2)
            # A case number's pieces (digit-N, "에") are single syllables by design.
            syllable = p.stem.startswith("digit-") or p.stem == "case-number-dash"
            assert w.getnframes() > (800 if syllable else 8000)  # else more than a second of speech


def test_the_mirror_comes_from_the_hosts_apt_sources(tmp_path: Path) -> None:
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list.d" / "debian.sources").write_text(
        "Types: deb\nURIs: http://apt.example.invalid/debian-security\nSuites: bookworm-security\n\n"
        "Types: deb\nURIs: http://apt.example.invalid/debian\nSuites: bookworm bookworm-updates\n"
    )
    assert debian_mirror(tmp_path) == "http://apt.example.invalid/debian"
    (tmp_path / "sources.list.d" / "debian.sources").unlink()
    (tmp_path / "sources.list").write_text(
        "# old style\ndeb [arch=amd64] http://apt.example.invalid/debian bookworm main\n"
    )
    assert debian_mirror(tmp_path) == "http://apt.example.invalid/debian"


def test_versions_older_than_22_10_1_are_recognised() -> None:
    assert parse_version("Asterisk 22.10.1+dfsg+~cs6.17.60671434-1") == (22, 10, 1)
    assert parse_version("Asterisk 22.9.0") < (22, 10, 1)
    assert parse_version("Asterisk 23.0.0") > (22, 10, 1)


def test_a_desk_phone_on_its_own_address_is_known_by_it_for_feature_codes(rendered: Path) -> None:
    pjsip = conf(rendered, "pjsip.conf")
    assert "type = identify\nendpoint = desk03\nmatch = 10.20.0.13\n" in pjsip
    # desk02 shares the trunk's address: it cannot be told apart, and the file says so.
    assert "match = 127.0.0.1\n" in pjsip.split("[citizens]\ntype = identify")[1].split("\n\n")[0] + "\n"
    assert "endpoint = desk02\nmatch" not in pjsip
    assert "its feature codes cannot work" in pjsip


def test_counselor_phones_reach_only_their_feature_codes(rendered: Path) -> None:
    ext = conf(rendered, "extensions.conf")
    desk = ext.split("[counselor-phones]")[1].split("\n[")[0]
    assert re.findall(r"^exten => ([^,]+),", desk, re.M) == ["_*2X", "_*2XX", "*9", "_*8[1-3]", "_X."]
    assert "Stasis(hotline,feature,${EXTEN})" in desk
    assert "Dial(" not in desk


def test_audio_is_bound_to_the_sip_address_so_no_call_asks_dns_who_we_are(rendered: Path) -> None:
    # Bound to every address, Asterisk resolves its host name and
    # A.ROOT-SERVERS.NET for each call's RTCP.
    pjsip = conf(rendered, "pjsip.conf")
    endpoints = [block for block in pjsip.split("\n[") if "type = endpoint" in block]
    assert len(endpoints) == 4  # the citizens' trunk and three counselors
    for block in endpoints:
        assert "media_address = 127.0.0.1" in block and "bind_rtp_to_media_address = yes" in block, block


def test_listening_on_every_address_leaves_the_audio_address_to_asterisk(tmp_path: Path) -> None:
    config = CONFIG.replace("asterisk: {", 'asterisk: {sip_address: "0.0.0.0", ')
    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["-c", str(tmp_path / "config.yaml"), "pbx", "render", "--out", str(out)]) == 0
    pjsip = (tmp_path / "out" / "etc-asterisk" / "pjsip.conf").read_text(encoding="utf-8")
    assert "bind = 0.0.0.0:5060" in pjsip and "media_address" not in pjsip
