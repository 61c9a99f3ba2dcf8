"""`ivr`: serve the hotline, run its Asterisk, check its config."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from ivr import config as config_mod
from ivr.errors import ConfigError, HotlineError


def _config_path(args: argparse.Namespace) -> Path:
    return Path(args.config or os.environ.get("HOTLINE_CONFIG") or "config.yaml")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="ivr", description="천년전주 콜센터 222-1000: the hotline service and its Asterisk"
    )
    parser.add_argument("-c", "--config", help="config file (default: ./config.yaml or $HOTLINE_CONFIG)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the hotline service (ARI and web) until SIGTERM")
    sub.add_parser("check", help="validate config.yaml and report every problem")
    pbx = sub.add_parser("pbx", help="the embedded Asterisk")
    pbx_sub = pbx.add_subparsers(dest="pbx_command", required=True)
    pbx_sub.add_parser("install", help="install Asterisk into its own root (cached; instant the second time)")
    pbx_sub.add_parser("start", help="render the configuration and start Asterisk")
    pbx_sub.add_parser("stop", help="stop Asterisk")
    pbx_sub.add_parser("status", help="version, uptime, ARI, and counselor phones")
    render = pbx_sub.add_parser("render", help="write the Asterisk configuration")
    render.add_argument("--out", help="write into this folder (for your own Asterisk)")
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except ConfigError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        print(f"ivr: {len(exc.problems)} problem(s); nothing was started", file=sys.stderr)
        return 2
    except HotlineError as exc:
        print(f"ivr: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _run(args: argparse.Namespace) -> int:
    from ivr.pbx import commands

    if args.command == "pbx" and args.pbx_command == "install":
        commands.install(_config_path(args))
        return 0
    cfg = config_mod.load(_config_path(args))
    if args.command == "check":
        print(f"{cfg.path}: OK ({len(cfg.settings.counselors)} counselors)")
        return 0
    if args.command == "serve":
        from ivr import app

        return app.serve(cfg.path)
    if args.pbx_command == "render":
        commands.render(cfg, Path(args.out) if args.out else None)
    elif args.pbx_command == "start":
        commands.start(cfg)
    elif args.pbx_command == "stop":
        commands.stop(cfg)
    elif args.pbx_command == "status":
        return asyncio.run(commands.status(cfg))
    return 0


if __name__ == "__main__":
    sys.exit(main())
