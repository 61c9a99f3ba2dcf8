"""`ivr`: serve the hotline, run its Asterisk, check its config."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

# `import ivr.cli.x as x`, not `from ivr.cli import x`: the package's __init__ imports this module.
import ivr.cli.recordings as recordings
from ivr import config as config_mod
from ivr.admin.problems import InvalidInput
from ivr.errors import ConfigError, HotlineError
from ivr.store.users import ROLES


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
    import ivr.cli.phones as phones

    phones.add_parser(pbx_sub)
    render = pbx_sub.add_parser("render", help="write the Asterisk configuration")
    render.add_argument("--out", help="write into this folder (for your own Asterisk)")
    flows = sub.add_parser("flows", help="the call flows in callflows/")
    flows_sub = flows.add_subparsers(dest="flows_command", required=True)
    check = flows_sub.add_parser("check", help="validate flows (all by default) and render their prompts")
    check.add_argument("files", nargs="*")
    sim = flows_sub.add_parser("simulate", help="walk a flow with no phone and print what happens")
    sim.add_argument("flow", nargs="?", default=None)
    sim.add_argument("--at", help="date and time of the call, e.g. '2026-09-25 10:00' (default: now)")
    sim.add_argument("--caller", default="01012345678")
    sim.add_argument("--digits", default="", help="keys, e.g. '1,2,timeout' (timeout = silence)")
    sim.add_argument("--counselor", choices=("answer", "none"), default="answer")
    sim.add_argument("--repeat-caller", action="store_true", help="the caller called recently")
    sim.add_argument("--strikes", type=int, default=0, help="abuse strikes on the caller's number")
    sim.add_argument("--case", choices=("open", "answered"), help="the caller has a 민원 in this state")
    pub = flows_sub.add_parser("publish", help="validate, render prompts, keep a version, go live")
    pub.add_argument("--by", help="who publishes (default: your user name)")
    pub.add_argument("--note", default="")
    hist = flows_sub.add_parser("history", help="published versions of a flow")
    hist.add_argument("flow")
    hist.add_argument("--diff", type=int, help="show what version N changed")
    graph = flows_sub.add_parser("graph", help="draw a flow (Graphviz): -o flow.svg, .png or .dot")
    graph.add_argument("flow")
    graph.add_argument("-o", "--out", default=None)
    back = flows_sub.add_parser("rollback", help="go back to the previous published version")
    back.add_argument("flow")
    back.add_argument("--by")
    users = sub.add_parser("users", help="people who log in to the web desk")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    add = users_sub.add_parser("add", help="add a user (asks for the password)")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="display name, e.g. 김민지")
    add.add_argument("--role", required=True, choices=tuple(ROLES))
    add.add_argument("--counselor", help="the counselor id in config.yaml (role counselor)")
    add.add_argument("--department", help="an editor's articles or a department user's cases, e.g. road")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    pw = users_sub.add_parser("passwd", help="set a user's password (asks for it)")
    pw.add_argument("username")
    pw.add_argument("--password-stdin", action="store_true")
    for verb in ("disable", "enable"):
        users_sub.add_parser(verb, help=f"{verb} a user's log-in").add_argument("username")
    users_sub.add_parser("list", help="list users")
    recordings.add_parsers(sub)
    import ivr.cli.reports as reports

    reports.add_parsers(sub)
    import ivr.cli.kb as kb

    kb.add_parsers(sub)
    import ivr.cli.evidence as evidence

    evidence.add_parsers(sub)
    import ivr.cli.rehearse as rehearsing

    rehearsing.add_parser(sub)
    import ivr.cli.cases as case_commands

    case_commands.add_parsers(sub)
    import ivr.cli.case_followups as case_followups

    case_followups.add_parsers(sub)
    import ivr.cli.store as store

    store.add_parsers(sub)
    import ivr.cli.cluster as cluster

    cluster.add_parsers(sub)
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except InvalidInput as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        return 2
    except ConfigError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        outcome = "nothing was started" if args.command in ("serve", "pbx", "cluster") else "refused"
        print(f"ivr: {len(exc.problems)} problem(s); {outcome}", file=sys.stderr)
        return 2
    except HotlineError as exc:
        print(f"ivr: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _run(args: argparse.Namespace) -> int:
    import ivr.cli.pbx as pbx

    if args.command == "pbx" and args.pbx_command == "install":
        pbx.install(_config_path(args))
        return 0
    import ivr.cli.evidence as evidence

    if args.command == "evidence" and args.evidence_command == "verify":
        return evidence.run(args)  # checked without config.yaml: anyone may hold a package
    if args.command == "store":
        import ivr.cli.store as store

        return store.run(args)  # both stores named on the command line
    cfg = config_mod.load(_config_path(args))
    if args.command == "evidence":
        return evidence.key(cfg)
    if args.command == "check":
        print(f"{cfg.path}: OK ({len(cfg.settings.counselors)} counselors)")
        return 0
    if args.command == "flows":
        import ivr.cli.flows as flow_commands

        c = args.flows_command
        if c == "check":
            return flow_commands.check(cfg, args.files)
        if c == "simulate":
            return flow_commands.run_simulation(
                cfg,
                args.flow or cfg.settings.hotline.flow,
                args.at,
                args.caller,
                args.digits,
                counselor=args.counselor,
                repeat=args.repeat_caller,
                strikes=args.strikes,
                case=args.case,
            )
        if c == "publish":
            return flow_commands.publish(cfg, args.by, args.note)
        if c == "graph":
            return flow_commands.graph(cfg, args.flow, args.out or f"{args.flow}.svg")
        if c == "history":
            return flow_commands.history(cfg, args.flow, args.diff)
        return flow_commands.rollback(cfg, args.flow, args.by)
    if args.command == "users":
        import ivr.cli.users as users

        return users.run(cfg, args)
    if args.command == "kb":
        import ivr.cli.kb as kb

        return kb.run(cfg, args)
    if args.command == "recordings":
        return recordings.run_recordings(cfg, args)
    if args.command in ("voicemails", "callbacks"):
        return recordings.run_followups(cfg, args)
    if args.command in ("case-followups", "outbox"):
        import ivr.cli.case_followups as case_followups

        return case_followups.run(cfg, args)
    if args.command in ("report", "cdr"):
        import ivr.cli.reports as reports

        return reports.report(cfg, args) if args.command == "report" else reports.cdr_export(cfg, args)
    if args.command == "pbx" and args.pbx_command == "phones":
        import ivr.cli.phones as phones

        return phones.run(cfg, args)
    if args.command == "cases":
        import ivr.cli.cases as case_commands

        return case_commands.run(cfg, args)
    if args.command == "cluster":
        import ivr.cli.cluster as cluster

        return cluster.run(cfg, args)
    if args.command == "rehearse":
        import ivr.cli.rehearse as rehearsing

        return rehearsing.run(cfg, args)
    if args.command == "serve":
        import ivr.cli.serve as serving

        return serving.serve(cfg.path)
    if args.pbx_command == "render":
        pbx.render(cfg, Path(args.out) if args.out else None)
    elif args.pbx_command == "start":
        pbx.start(cfg)
    elif args.pbx_command == "stop":
        pbx.stop(cfg)
    elif args.pbx_command == "status":
        return asyncio.run(pbx.status(cfg))
    return 0
