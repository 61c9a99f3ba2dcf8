"""`ivr pbx phones [--show-secrets ID]` and `ivr pbx phones rotate ID`: the desk phones' SIP accounts."""

from __future__ import annotations

import argparse
import asyncio

from ivr.admin import phones
from ivr.ari.rest import AriRest
from ivr.config import LoadedConfig
from ivr.pbx.credentials import ari_password
from ivr.pbx.phones import Account


def add_parser(pbx_sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`phones` under `ivr pbx`."""
    p = pbx_sub.add_parser(
        "phones", help="desk phones: registration states; an account for a softphone; a new password"
    )
    p.add_argument(
        "--show-secrets",
        metavar="ID",
        help="print one phone's SIP account, password included (audited); ID: c01, or its endpoint",
    )
    sub = p.add_subparsers(dest="phones_command")
    rotate = sub.add_parser("rotate", help="give a phone a new random password and reload PJSIP (audited)")
    rotate.add_argument("id", metavar="ID")


def run(cfg: LoadedConfig, args: argparse.Namespace) -> int:
    if args.phones_command == "rotate":
        return rotate(cfg, args.id)
    if args.show_secrets:
        print_account(phones.show_account(cfg, args.show_secrets))
        return 0
    return asyncio.run(list_phones(cfg))


async def list_phones(cfg: LoadedConfig) -> int:
    """Every phone with its registration state; exit 1 when Asterisk could not tell."""
    a = cfg.settings.asterisk
    rest = AriRest(a.ari_url, a.ari_user, ari_password(cfg), timeout=5)
    try:
        listed = await phones.listing(cfg.settings, phones.ari_states(cfg, rest))
    finally:
        await rest.close()
    if listed.problem:
        print(listed.problem)
    print(f"{'id':<8} {'name':<8} {'endpoint':<16} {'kind':<26} state")
    for row in listed.phones:
        p = row.phone
        kind = "registers" if p.registers else f"fixed contact {p.contact}"
        print(f"{p.id:<8} {p.name:<8} {p.endpoint:<16} {kind:<26} {row.words[1]}")
    if any(r.phone.registers for r in listed.phones):
        print("a phone's account, for its settings: ivr pbx phones --show-secrets ID")
    return 1 if listed.problem else 0


def print_account(acct: Account) -> None:
    p = acct.phone
    ko, en = phones.KIND_WORDS[p.kind]
    print(f"전화기 계정 · Phone account: {p.id} {p.name} ({ko} · {en})")
    print(f"  SIP 서버 · SIP server    {acct.host}")
    print(f"  포트 · Port              {acct.port}")
    print(f"  사용자 이름 · User name   {acct.user}")
    print(f"  인증 ID · Auth user      {acct.user}")
    print(f"  비밀번호 · Password       {acct.password}")
    print(f"  전송 · Transport         {acct.transport}")
    if acct.host_note:
        print(f"  {acct.host_note}")
    print(f"baresip accounts: {acct.baresip}")
    print("(showing this password is in the audit log)")


def rotate(cfg: LoadedConfig, key: str) -> int:
    done = phones.rotate_password(cfg, key)
    p = done.phone
    print(f"{p.id} {p.name} ({p.endpoint}): a new password is saved")
    if done.failure:
        print(f"but Asterisk still has the old one: {done.failure}")
        print("`ivr pbx stop && ivr pbx start` applies it (and ends calls in progress)")
        return 1
    if done.reloaded:
        print("Asterisk took it (PJSIP reloaded; calls in progress go on).")
        print("The phone stays registered until it renews its registration; then it needs the new password.")
    else:
        print("Asterisk is not running: it takes the new password when it starts.")
    print(f"the phone's account: ivr pbx phones --show-secrets {key}")
    return 0
