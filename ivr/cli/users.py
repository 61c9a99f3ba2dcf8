"""`ivr users add | passwd | disable | enable | list`: who may log in to the desk."""

from __future__ import annotations

import argparse
import getpass
import sys

from ivr.admin import users
from ivr.config import LoadedConfig
from ivr.errors import HotlineError


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("비밀번호 · Password: ")
    second = getpass.getpass("비밀번호 확인 · Password again: ")
    if first != second:
        raise HotlineError("비밀번호가 서로 다릅니다 · the two passwords differ")
    return first


def run(cfg: LoadedConfig, args: argparse.Namespace) -> int:
    db = cfg.database()
    known = [c.id for c in cfg.settings.counselors]
    c = args.users_command
    if c == "add":
        user = users.add_user(
            db,
            args.username,
            args.name,
            args.role,
            _password(args.password_stdin),
            counselor_id=args.counselor,
            known_counselors=known,
            department=args.department,
            known_departments=list(cfg.settings.cases.departments),
        )
        print(f"added {user.username} ({user.display_name}, {user.role_name})")
    elif c == "passwd":
        users.set_password(db, args.username, _password(args.password_stdin))
        print(f"password changed for {args.username}; their open sessions were ended")
    elif c == "disable":
        users.disable_user(db, args.username)
        print(f"{args.username} can no longer log in")
    elif c == "enable":
        users.enable_user(db, args.username)
        print(f"{args.username} can log in again")
    else:
        for u in users.list_users(db):
            state = "disabled" if u.disabled else "active"
            print(
                f"{u.username:<16} {u.display_name:<10} {u.role:<10} {u.counselor_id or '-':<6} "
                f"{state:<8} last login {u.last_login_at or '-'}"
                + (f"  department {u.department}" if u.department else "")
            )
    return 0
