"""config.yaml's `cluster:`: Kamailio's configuration, and the nodes' Asterisk behind it."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from ivr import cli
from ivr import config as config_mod
from ivr.cluster import front, render
from ivr.errors import ConfigError
from ivr.pbx.phones import account, desk_phones

CLUSTER = """
hotline: {number: "2221000"}
asterisk:
  trunk: {match: [192.0.2.7, 198.51.100.0/24]}
counselors:
  - {id: c1, name: 김민지, endpoint: desk01}
  - {id: c2, name: 이서준, endpoint: desk02, contact: "sip:10.20.0.12:5060"}
storage: {state_dir: state}
cluster:
  sip_address: 10.0.0.10
  sip_port: 5060
  probe_seconds: 3
  probe_misses: 2
  nodes:
    - {name: a1, sip: "10.0.0.11:5060", ari_url: "http://10.0.0.11:8088"}
    - {name: a2, sip: "10.0.0.12:5060", ari_url: "http://10.0.0.12:8088/"}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as err:
        config_mod.parse(text, "config.yaml")
    return err.value.problems


def test_given_no_cluster_section_then_the_hotline_is_one_box() -> None:
    assert config_mod.parse("hotline: {number: '2221000'}").cluster is None


def test_given_a_cluster_then_its_nodes_are_read() -> None:
    cluster = config_mod.parse(CLUSTER).cluster
    assert cluster is not None
    assert [(n.name, n.sip_host, n.sip_port, n.ari_url) for n in cluster.nodes] == [
        ("a1", "10.0.0.11", 5060, "http://10.0.0.11:8088"),
        ("a2", "10.0.0.12", 5060, "http://10.0.0.12:8088"),
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ('sip: "10.0.0.12:5060"', 'sip: "10.0.0.12"'),
            "config.yaml:16: cluster.nodes[1].sip: '10.0.0.12' must be",
        ),
        (
            ('sip: "10.0.0.12:5060"', 'sip: "10.0.0.11:5060"'),
            "config.yaml:14: cluster.nodes: [1].sip '10.0.0.11:5060' is [0].sip too",
        ),
        (("name: a2", "name: a1"), "config.yaml:14: cluster.nodes: [1].name 'a1' is [0].name too"),
        (("name: a2", "name: A2"), "config.yaml:16: cluster.nodes[1].name: use lowercase"),
        ((':8088/"', '/"'), "config.yaml:16: cluster.nodes[1].ari_url: 'http://10.0.0.12/' must look like"),
        (
            ("sip_address: 10.0.0.10", "sip_address: 0.0.0.0"),
            "config.yaml:10: cluster.sip_address: '0.0.0.0' means every address",
        ),
        (
            ("sip_address: 10.0.0.10", "sip_address: front.example"),
            "config.yaml:10: cluster.sip_address: 'front.example' is not an IP address",
        ),
        (
            ("probe_misses: 2", "probe_misses: 0"),
            "config.yaml:13: cluster.probe_misses: Input should be greater than or equal to 1",
        ),
        (("  nodes:\n", "  node:\n"), "config.yaml:14: cluster.node: unknown key"),
        (
            ("sip_address: 10.0.0.10", "sip_address: 10.0.0.11"),
            "config.yaml:9: cluster: nodes[0].sip 10.0.0.11:5060 is Kamailio's own",
        ),
    ],
)
def test_given_a_bad_cluster_section_then_the_error_says_what_and_where(
    change: tuple[str, str], expected: str
) -> None:
    found = problems(CLUSTER.replace(*change))
    assert any(p.startswith(expected) for p in found), found


def test_given_no_nodes_then_the_error_asks_for_one() -> None:
    text = CLUSTER.split("  nodes:")[0] + "  nodes: []\n"
    assert problems(text) == [
        "config.yaml:14: cluster.nodes: list at least one Asterisk node (name, sip, ari_url)"
    ]


@pytest.fixture
def loaded(tmp_path: Path) -> config_mod.LoadedConfig:
    (tmp_path / "config.yaml").write_text(CLUSTER, encoding="utf-8")
    return config_mod.load(tmp_path / "config.yaml")


def kamailio_files(cfg: config_mod.LoadedConfig, run_dir: Path) -> dict[str, str]:
    assert cfg.settings.cluster is not None
    return render.render_files(cfg, cfg.settings.cluster, {"desk01": "pw-desk01"}, run_dir)


def test_kamailio_listens_where_the_carrier_and_the_phones_reach_it(
    loaded: config_mod.LoadedConfig, tmp_path: Path
) -> None:
    text = kamailio_files(loaded, tmp_path / "run")["kamailio.cfg"]
    assert "listen=udp:10.0.0.10:5060" in text
    assert f'modparam("ctl", "binrpc", "unix:{tmp_path}/run/kamailio.ctl")' in text
    assert 'modparam("dispatcher", "ds_ping_interval", 3)' in text
    assert 'modparam("dispatcher", "ds_probing_threshold", 2)' in text


def test_only_the_carriers_addresses_reach_the_nodes(loaded: config_mod.LoadedConfig, tmp_path: Path) -> None:
    text = kamailio_files(loaded, tmp_path)["kamailio.cfg"]
    trunk = text.split("route[FROM_TRUNK]")[1].split("\n}")[0]
    assert re.findall(r'is_in_subnet\("\$si", "([^"]+)"\)', trunk) == ["192.0.2.7/32", "198.51.100.0/24"]


def test_every_node_is_in_the_dispatchers_list(loaded: config_mod.LoadedConfig, tmp_path: Path) -> None:
    lines = [
        line
        for line in kamailio_files(loaded, tmp_path)["dispatcher.list"].splitlines()
        if not line.startswith("#")
    ]
    assert lines == ["1 sip:10.0.0.11:5060 0 0 duid=a1", "1 sip:10.0.0.12:5060 0 0 duid=a2"]


def test_registering_phones_and_only_they_have_a_password_at_kamailio(
    loaded: config_mod.LoadedConfig, tmp_path: Path
) -> None:
    text = kamailio_files(loaded, tmp_path)["kamailio.cfg"]
    assert 'case "desk01":\n\t\t\t$var(password) = "pw-desk01";' in text
    assert "desk02" not in text


def test_the_file_with_passwords_is_not_world_readable(
    loaded: config_mod.LoadedConfig, tmp_path: Path
) -> None:
    render.write_files(kamailio_files(loaded, tmp_path), tmp_path)
    assert stat.S_IMODE((tmp_path / "kamailio.cfg").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "dispatcher.list").stat().st_mode) == 0o644


def test_given_a_trunk_host_name_then_kamailio_refuses_it_naming_the_line(tmp_path: Path) -> None:
    text = CLUSTER.replace("match: [192.0.2.7, 198.51.100.0/24]", "match: [192.0.2.7, carrier.example]")
    (tmp_path / "config.yaml").write_text(text, encoding="utf-8")
    cfg = config_mod.load(tmp_path / "config.yaml")
    with pytest.raises(ConfigError) as err:
        kamailio_files(cfg, tmp_path)
    [problem] = err.value.problems
    assert problem.startswith(
        f"{tmp_path / 'config.yaml'}:4: asterisk.trunk.match[1]: 'carrier.example' is not"
    )


def test_a_node_behind_kamailio_takes_its_calls_as_citizens_and_rings_phones_through_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "config.yaml").write_text(CLUSTER, encoding="utf-8")
    assert (
        cli.main(["-c", str(tmp_path / "config.yaml"), "pbx", "render", "--out", str(tmp_path / "out")]) == 0
    )
    pjsip = (tmp_path / "out" / "etc-asterisk" / "pjsip.conf").read_text(encoding="utf-8")
    [identify] = [b for b in pjsip.split("\n[") if b.startswith("citizens]\ntype = identify")]
    assert re.findall(r"^match = (\S+)", identify, re.M) == ["192.0.2.7", "198.51.100.0/24", "10.0.0.10"]
    desk01 = [b for b in pjsip.split("\n[") if b.startswith("desk01]")]
    assert "contact = sip:desk01@10.0.0.10:5060" in "".join(desk01)
    assert "qualify_frequency = 10" in "".join(desk01)
    # It registers with Kamailio, not here: no password here; its calls are known by Kamailio's header.
    assert not any("type = auth" in b for b in desk01)
    assert "identify_by = header" in desk01[0]
    # A phone on a fixed address is rung there, as on one box.
    assert "contact = sip:10.20.0.12:5060" in pjsip


def test_each_node_starts_its_channel_ids_with_its_own_name(tmp_path: Path) -> None:
    for ari_url, name in (("http://10.0.0.12:8088", "a2"), ("http://10.0.0.99:8088", "hotline")):
        text = CLUSTER.replace("asterisk:\n", f"asterisk:\n  ari_url: {ari_url}\n")
        (tmp_path / "config.yaml").write_text(text, encoding="utf-8")
        out = tmp_path / name
        assert cli.main(["-c", str(tmp_path / "config.yaml"), "pbx", "render", "--out", str(out)]) == 0
        conf = (out / "etc-asterisk" / "asterisk.conf").read_text(encoding="utf-8")
        assert re.findall(r"^systemname = (\S+)", conf, re.M) == [name]
    (tmp_path / "config.yaml").write_text(CLUSTER.split("cluster:")[0], encoding="utf-8")
    assert (
        cli.main(["-c", str(tmp_path / "config.yaml"), "pbx", "render", "--out", str(tmp_path / "one")]) == 0
    )
    assert "systemname" not in (tmp_path / "one" / "etc-asterisk" / "asterisk.conf").read_text(
        encoding="utf-8"
    )


def test_behind_kamailio_a_phones_account_names_kamailio_as_its_sip_server(
    loaded: config_mod.LoadedConfig,
) -> None:
    settings = loaded.settings
    [desk01] = [p for p in desk_phones(settings) if p.endpoint == "desk01"]
    acct = account(settings, desk01, "pw", "unused")
    assert (acct.host, acct.port, acct.user) == ("10.0.0.10", 5060, "desk01")
    assert acct.baresip == "<sip:desk01@10.0.0.10:5060;transport=udp>;auth_pass=pw"


# What kamcmd answered Kamailio 5.6 here: node a2 silent (inactive, probing), a1 answering.
DISPATCHER_LIST = """{
\tNRSETS: 1
\tRECORDS: {
\t\tSET: {
\t\t\tID: 1
\t\t\tTARGETS: {
\t\t\t\tDEST: {
\t\t\t\t\tURI: sip:10.0.0.12:5060
\t\t\t\t\tFLAGS: IP
\t\t\t\t\tPRIORITY: 0
\t\t\t\t\tATTRS: {
\t\t\t\t\t\tBODY: duid=a2
\t\t\t\t\t\tDUID: a2
\t\t\t\t\t}
\t\t\t\t}
\t\t\t\tDEST: {
\t\t\t\t\tURI: sip:10.0.0.11:5060
\t\t\t\t\tFLAGS: AP
\t\t\t\t\tPRIORITY: 0
\t\t\t\t\tATTRS: {
\t\t\t\t\t\tBODY: duid=a1
\t\t\t\t\t\tDUID: a1
\t\t\t\t\t}
\t\t\t\t}
\t\t\t}
\t\t}
\t}
}
"""


def test_the_dispatchers_list_says_which_nodes_take_calls() -> None:
    found = {n.name: (n.uri, n.up) for n in front.parse_dispatcher_list(DISPATCHER_LIST)}
    assert found == {"a1": ("sip:10.0.0.11:5060", True), "a2": ("sip:10.0.0.12:5060", False)}


def test_given_no_kamailio_program_then_start_says_which_package_to_install(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = CLUSTER.replace(
        "  probe_seconds: 3\n", f"  probe_seconds: 3\n  kamailio: {tmp_path}/no-kamailio\n"
    )
    text = text.replace("storage: {state_dir: state}", f"storage: {{state_dir: {tmp_path}/state}}")
    (tmp_path / "config.yaml").write_text(text, encoding="utf-8")
    assert cli.main(["-c", str(tmp_path / "config.yaml"), "cluster", "start"]) == 1
    said = capsys.readouterr().err
    assert f"{tmp_path}/no-kamailio not found: install Debian's kamailio package" in said


def test_given_no_cluster_section_then_the_cluster_commands_say_where_to_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "config.yaml").write_text("hotline: {number: '2221000'}\n", encoding="utf-8")
    assert cli.main(["-c", str(tmp_path / "config.yaml"), "cluster", "status"]) == 1
    assert "has no cluster: section (docs/scaling.md" in capsys.readouterr().err


def test_a_desk_phones_own_call_is_known_by_the_header_kamailio_alone_sets(
    loaded: config_mod.LoadedConfig, tmp_path: Path
) -> None:
    text = kamailio_files(loaded, tmp_path)["kamailio.cfg"]
    request_route = text.split("request_route {")[1].split("\n}")[0]
    # Stripped from every request before anything is routed, ...
    assert request_route.index('remove_hf("X-Hotline-Phone");') < request_route.index("route(TO_NODE)")
    # ... and set only once the phone's password is checked and it calls as itself.
    from_phone = text.split("route[FROM_PHONE] {")[1].split("\n}")[0]
    assert from_phone.index("pv_proxy_authenticate") < from_phone.index('append_hf("X-Hotline-Phone: $au')
    assert 'if ($au != $fU) {\n\t\tsl_send_reply("403"' in from_phone
    (tmp_path / "out").mkdir()
    assert cli.main(["-c", str(loaded.path), "pbx", "render", "--out", str(tmp_path / "out")]) == 0
    pjsip = (tmp_path / "out" / "etc-asterisk" / "pjsip.conf").read_text(encoding="utf-8")
    assert "endpoint_identifier_order = header,username,ip" in pjsip
    [identify] = [b for b in pjsip.split("\n[") if b.startswith("desk01]\ntype = identify")]
    assert "match_header = X-Hotline-Phone: desk01" in identify
    assert "endpoint_identifier_order = username,ip" in render_one_box(tmp_path)


def render_one_box(tmp_path: Path) -> str:
    (tmp_path / "one.yaml").write_text(CLUSTER.split("cluster:")[0], encoding="utf-8")
    assert cli.main(["-c", str(tmp_path / "one.yaml"), "pbx", "render", "--out", str(tmp_path / "one")]) == 0
    return (tmp_path / "one" / "etc-asterisk" / "pjsip.conf").read_text(encoding="utf-8")
