"""Browser softphones in the embedded configuration: rendered beside the desk phones, rung with them."""

from __future__ import annotations

import re
import stat
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ivr import cli
from ivr import config as config_mod
from ivr.ari.phone_targets import dial_target, endpoints, owners, ring, supervisor_rings
from ivr.errors import ConfigError
from ivr.pbx import tls

CONFIG = """
hotline: {number: "2221000"}
counselors:
  - {id: c1, name: 김민지, endpoint: desk01}
  - {id: c2, name: 이서준, endpoint: desk02, phones: [browser]}
  - {id: c3, name: 박지현, endpoint: desk03, phones: [desk, browser]}
storage: {state_dir: state}
"""


def render(tmp_path: Path, text: str) -> dict[str, str]:
    (tmp_path / "config.yaml").write_text(text, encoding="utf-8")
    assert (
        cli.main(["-c", str(tmp_path / "config.yaml"), "pbx", "render", "--out", str(tmp_path / "out")]) == 0
    )
    folder = tmp_path / "out" / "etc-asterisk"
    return {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()}


def section(conf: str, name: str, kind: str) -> str:
    found = re.search(rf"^\[{re.escape(name)}\]\ntype = {kind}\n(.*?)(?=^\[|\Z)", conf, re.M | re.S)
    assert found, f"no [{name}] {kind}"
    return found.group(1)


def test_given_browser_phones_then_webrtc_endpoints_and_a_secure_websocket(tmp_path: Path) -> None:
    files = render(tmp_path, CONFIG)
    pjsip = files["pjsip.conf"]
    web = section(pjsip, "desk02-web", "endpoint")
    for line in ("webrtc = yes", "transport = transport-wss", "allow = opus,ulaw,alaw", "auth = desk02-web"):
        assert line in web
    assert "protocol = wss" in section(pjsip, "transport-wss", "transport")
    assert "[desk01-web]" not in pjsip  # desk only: as before
    assert "tlsenable = yes" in files["http.conf"] and "tlsbindaddr = 127.0.0.1:8089" in files["http.conf"]
    for module in ("res_pjsip_transport_websocket.so", "res_srtp.so", "codec_opus_open_source.so"):
        assert f"load => {module}" in files["modules.conf"]
    # Both phones: Dial() rings them together; browser only or desk only: not in that context.
    assert "exten => desk03,1,Dial(PJSIP/desk03&PJSIP/desk03-web)" in files["extensions.conf"]
    assert "exten => desk02," not in files["extensions.conf"]
    secrets = (tmp_path / "state" / "secrets.json").read_text()
    assert "desk02-web" in secrets and "desk01-web" not in secrets


def test_given_desk_phones_only_then_nothing_of_the_browser_is_served(tmp_path: Path) -> None:
    files = render(tmp_path, "counselors:\n  - {id: c1, name: 김민지, endpoint: desk01}\n")
    assert "wss" not in files["pjsip.conf"] and "tls" not in files["http.conf"]
    assert "websocket.so\nload => res_srtp" not in files["modules.conf"]
    assert "counselor-both-phones" not in files["extensions.conf"]


def test_the_ringing_edge_dials_each_kind_of_phone() -> None:
    rings = {
        ep: endpoints(ep, phones)
        for ep, phones in (("d1", ["desk"]), ("d2", ["browser"]), ("d3", ["desk", "browser"]))
    }
    assert dial_target("d1", rings) == "PJSIP/d1"
    assert dial_target("d2", rings) == "PJSIP/d2-web"
    assert dial_target("d3", rings) == "Local/d3@counselor-both-phones/n"
    assert dial_target("unknown", rings) == "PJSIP/unknown"


@pytest.mark.parametrize(
    ("phones", "expected"),
    [("[]", "list desk, browser or both"), ("[desk, desk]", "each once"), ("[phone]", "phones")],
)
def test_a_wrong_phones_list_is_refused_with_its_place(tmp_path: Path, phones: str, expected: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(f"counselors:\n  - {{id: c1, name: 김민지, endpoint: desk01, phones: {phones}}}\n")
    with pytest.raises(ConfigError) as caught:
        config_mod.load(path)
    assert expected in str(caught.value) and "config.yaml:2" in str(caught.value)


def test_a_browser_endpoint_may_not_take_another_phones_name(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(
        "counselors:\n  - {id: c1, name: 김민지, endpoint: desk01, phones: [browser]}\n"
        "  - {id: c2, name: 이서준, endpoint: desk01-web}\n"
    )
    with pytest.raises(ConfigError, match="desk01-web"):
        config_mod.load(path)


def test_the_certificate_is_made_once_signed_by_the_local_ca_with_private_keys(tmp_path: Path) -> None:
    made = tls.ensure(tmp_path, ["127.0.0.1", "localhost"])
    for key in (made.ca_key, made.key):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    first = made.cert.read_bytes()
    assert tls.ensure(tmp_path, ["127.0.0.1"]).cert.read_bytes() == first  # kept, not replaced
    checked = subprocess.run(
        ["openssl", "verify", "-CAfile", str(made.ca_cert), str(made.cert)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    shown = subprocess.run(
        ["openssl", "x509", "-in", str(made.cert), "-noout", "-ext", "subjectAltName"],
        capture_output=True,
        text=True,
    ).stdout
    assert "IP Address:127.0.0.1" in shown and "DNS:localhost" in shown


def test_a_supervisors_browser_phone_is_rendered_and_is_the_one_the_wallboard_rings(tmp_path: Path) -> None:
    with_supervisor = CONFIG.replace(
        "storage:",
        "supervisors:\n  - {id: s1, name: 박감독, endpoint: desk-s1, user: super1, phones: [desk, browser]}"
        "\nstorage:",
    )
    pjsip = render(tmp_path, with_supervisor)["pjsip.conf"]
    assert "webrtc = yes" in section(pjsip, "desk-s1-web", "endpoint")
    assert supervisor_rings("desk-s1", ["desk", "browser"]) == "desk-s1-web"  # the page pressed on
    assert supervisor_rings("desk-s1", ["browser"]) == "desk-s1-web"
    assert supervisor_rings("desk-s1", ["desk"]) == "desk-s1"  # as before
    [s1] = config_mod.parse(with_supervisor).supervisors
    assert ring(s1) == "desk-s1-web"
    # A code keyed on either of the supervisor's phones names them.
    assert owners([s1]) == {"desk-s1": "s1", "desk-s1-web": "s1"}


def test_two_starts_at_once_sharing_a_state_folder_make_one_authority_and_a_key_that_fits(
    tmp_path: Path,
) -> None:
    """Two nodes started at once on one machine (tests/integration/test_cluster.py) share the
    state folder: one CA is made, and the server key fits the certificate the CA signed."""
    with ThreadPoolExecutor(4) as pool:
        made = list(pool.map(lambda _: tls.ensure(tmp_path, ["127.0.0.1"]), range(4)))
    files = made[0]

    def public(*args: str) -> str:
        return subprocess.run(["openssl", *args], capture_output=True, text=True, check=True).stdout

    assert public("x509", "-in", str(files.cert), "-noout", "-pubkey") == public(
        "pkey", "-in", str(files.key), "-pubout"
    )
    verified = subprocess.run(
        ["openssl", "verify", "-CAfile", str(files.ca_cert), str(files.cert)], capture_output=True, text=True
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
