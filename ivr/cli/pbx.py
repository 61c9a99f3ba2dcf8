"""What `ivr pbx ...` prints and does."""

from __future__ import annotations

import time
from pathlib import Path

from ivr import config as config_mod
from ivr.config import LoadedConfig
from ivr.errors import PbxError
from ivr.pbx import embedded
from ivr.pbx import install as installer
from ivr.pbx import render as renderer


def install(config_path: Path) -> None:
    root = None
    if config_path.is_file():
        cfg = config_mod.load(config_path)
        root = embedded.instance_for(cfg).root
    installer.install(root)


def render(cfg: LoadedConfig, out: Path | None) -> None:
    if out is None:
        if not cfg.settings.asterisk.embedded:
            raise PbxError("asterisk.embedded is false: use `ivr pbx render --out DIR`")
        inst = embedded.instance_for(cfg)
        embedded.render_instance(cfg, inst)
        print(f"rendered into {inst.host(inst.dirs.etc)}; `ivr pbx stop && ivr pbx start` applies it")
        return
    files = renderer.render_files(cfg.settings, embedded.load_secrets(cfg), renderer.Dirs.debian())
    renderer.write_files(files, out / "etc-asterisk")
    count = renderer.write_prompts(out / "sounds")
    print(f"wrote {len(files)} files to {out / 'etc-asterisk'} and {count} prompts to {out / 'sounds'}")
    print("install them as /etc/asterisk and /usr/share/asterisk/sounds on your Asterisk,")
    print("then set asterisk.embedded: false, ari_url, ari_user and ari_password(_file) in config.yaml.")
    print(f"the ARI and AMI passwords are in {cfg.resolve(cfg.settings.storage.state_dir) / 'secrets.json'}")


def start(cfg: LoadedConfig) -> None:
    inst = _embedded(cfg)
    if embedded.pid(inst):
        print(f"Asterisk is already running (pid {embedded.pid(inst)})")
        return
    started = time.monotonic()
    pid = embedded.start(cfg, inst)
    a = cfg.settings.asterisk
    print(f"Asterisk started (pid {pid}) in {time.monotonic() - started:.1f} s")
    print(f"  SIP:  {a.sip_address}:{a.sip_port}   ARI: {a.ari_url}   log: {inst.console_log}")


def stop(cfg: LoadedConfig) -> None:
    inst = _embedded(cfg)
    print("Asterisk stopped" if embedded.stop(inst) else "Asterisk was not running")


async def status(cfg: LoadedConfig) -> int:
    """Print what an admin checks first; exit 1 when something is down."""
    from ivr.ari.rest import REQUEST_ERRORS, AriRest
    from ivr.pbx.credentials import ari_password

    a = cfg.settings.asterisk
    ok = True
    if a.embedded:
        inst = embedded.instance_for(cfg)
        pid = embedded.pid(inst)
        print(f"embedded Asterisk ({inst.name}): {'running, pid ' + str(pid) if pid else 'not running'}")
    rest = AriRest(a.ari_url, a.ari_user, ari_password(cfg), timeout=5)
    try:
        info = await rest.get("asterisk/info")
        system = info.get("system") or {}
        st = info.get("status") or {}
        print(f"Asterisk {system.get('version', '?')}, up since {st.get('startup_time', '?')}")
        print(f"ARI at {a.ari_url}: answers")
        try:
            await rest.get(f"applications/{a.app}")
            print(f"Stasis app {a.app!r}: registered (the hotline service is connected)")
        except REQUEST_ERRORS:
            ok = False
            print(f"Stasis app {a.app!r}: NOT registered (is `ivr serve` running?)")
        print("counselor phones:")
        for c in cfg.settings.counselors:
            try:
                ep = await rest.get(f"endpoints/PJSIP/{c.endpoint}")
                state = ep.get("state", "?")
            except REQUEST_ERRORS as exc:
                state = f"unknown ({exc})"
            kind = f"fixed contact {c.contact}" if c.contact else "registers"
            print(f"  {c.id} {c.name:<6} {c.endpoint:<14} {state:<10} {kind}")
    except REQUEST_ERRORS as exc:
        print(f"ARI at {a.ari_url}: does not answer ({exc})")
        ok = False
    finally:
        await rest.close()
    return 0 if ok else 1


def _embedded(cfg: LoadedConfig) -> embedded.Instance:
    if not cfg.settings.asterisk.embedded:
        raise PbxError("asterisk.embedded is false: this Asterisk is yours to start and stop")
    return embedded.instance_for(cfg)
