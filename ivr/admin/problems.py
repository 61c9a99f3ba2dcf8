"""What the desk refuses, as classes: an HTTP status, a kebab-case id, a message.

    HotlineError
    └── DeskError            a request or `ivr users` command the desk refuses
        ├── InvalidInput     400 a form or command argument is wrong; one line per problem
        ├── NotLoggedIn      401 no valid session
        ├── Forbidden        403 logged in, but the role does not allow this
        ├── CsrfRejected     403 a state-changing request without the session's token
        ├── PageNotFound     404 no page at this address (the desk's own 404 page)
        ├── NoSuchUser       404 the username does not exist
        ├── NoSuchCounselor  404 no counselor with this id in config.yaml
        ├── NoSuchCall       404 no call record with this id
        ├── NoSuchArticle    404 no knowledge-base article with this id (or none the role may read)
        ├── NoSuchFlow       404 no flow file of this name in the flows folder
        ├── NoSuchVersion    404 the flow was never published with this version
        ├── NoSuchPhone      404 no desk phone with this id or endpoint in config.yaml
        ├── NoSuchCase       404 no 민원 with this number (or none the department may read)
        ├── CaseRefused      409 a case change the lifecycle or a newer version does not allow
        ├── UserExists       409 the username is taken
        ├── NoPhonePassword  409 the phone has a fixed address: it never registers
        ├── PbxNotOurs       409 a change only the embedded Asterisk can take
        └── TooManyAttempts  429 log-ins refused for a while after repeated failures

Messages are Korean first, then English, joined by " · ". They live in admin/, below
the desk and the command lines that both raise them. Pages and the JSON
API render them at the HTTP edge (auth.py); the CLI prints them.
"""

from __future__ import annotations

from ivr.errors import HotlineError


class DeskError(HotlineError):
    """Base of the desk's refusals; `status` and `code` say how HTTP shows it."""

    status = 400
    code = "bad-request"

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class InvalidInput(DeskError):
    """Wrong form fields or command arguments; `problems` has one line each."""

    status = 400
    code = "invalid-input"

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class NotLoggedIn(DeskError):
    status = 401
    code = "not-logged-in"

    def __init__(self) -> None:
        super().__init__("로그인이 필요합니다. · Please log in.")


class Forbidden(DeskError):
    status = 403
    code = "forbidden"

    def __init__(self) -> None:
        super().__init__(
            "이 화면은 현재 계정의 권한으로 이용하실 수 없습니다. 필요하시면 관리자에게 문의해 주십시오. · "
            "Your role does not allow this page; please ask an administrator if you need it."
        )


class CsrfRejected(DeskError):
    status = 403
    code = "csrf-token-invalid"

    def __init__(self) -> None:
        super().__init__(
            "보안 확인 정보(CSRF 토큰)가 없거나 맞지 않아 요청을 처리하지 않았습니다. "
            "페이지를 새로 고친 뒤 다시 시도해 주십시오. · "
            "The request was refused: its security token (CSRF) is missing or wrong. "
            "Please reload the page and try again."
        )


class NoSuchUser(DeskError):
    status = 404
    code = "no-such-user"

    def __init__(self, username: str) -> None:
        self.username = username
        super().__init__(f"'{username}' 사용자가 없습니다. · There is no user '{username}'.")


class NoSuchCounselor(DeskError):
    status = 404
    code = "no-such-counselor"

    def __init__(self, counselor_id: str) -> None:
        super().__init__(f"'{counselor_id}' 상담사가 없습니다. · There is no counselor '{counselor_id}'.")


class PageNotFound(DeskError):
    status = 404
    code = "not-found"

    def __init__(self) -> None:
        super().__init__(
            "찾으시는 화면이 없습니다. 주소를 확인하시거나 첫 화면에서 다시 찾아 주십시오. · "
            "There is no such page: check the address, or start again from the home page."
        )


class NoSuchCall(DeskError):
    status = 404
    code = "no-such-call"

    def __init__(self) -> None:
        super().__init__("그런 통화 기록이 없습니다. · There is no such call.")


class NoSuchArticle(DeskError):
    status = 404
    code = "no-such-article"

    def __init__(self) -> None:
        super().__init__("그런 문서가 없습니다. · There is no such article.")


class NoSuchFlow(DeskError):
    status = 404
    code = "no-such-flow"

    def __init__(self) -> None:
        super().__init__(
            "그런 이름의 콜 흐름이 없습니다. 콜 흐름 목록에서 골라 주십시오. · "
            "There is no call flow of that name; please choose one from the list of flows."
        )


class NoSuchVersion(DeskError):
    status = 404
    code = "no-such-version"

    def __init__(self, flow: str, version: str) -> None:
        super().__init__(
            f"{flow} 콜 흐름에는 {version} 버전이 없습니다. · The flow {flow} has no version {version}."
        )


class NoSuchPhone(DeskError):
    status = 404
    code = "no-such-phone"

    def __init__(self, key: str) -> None:
        super().__init__(
            f"'{key}' 전화기가 없습니다. config.yaml에 있는 상담사·감독자·부서의 id나 내선(endpoint) 이름을 "
            f"넣어 주십시오. · There is no phone '{key}': give the id of a counselor, supervisor or "
            "department in config.yaml, or its endpoint."
        )


class NoSuchCase(DeskError):
    status = 404
    code = "no-such-case"

    def __init__(self) -> None:
        super().__init__("그런 민원이 없습니다. · There is no such case.")


class CaseRefused(DeskError):
    """The message is the core's (IllegalCaseTransition, CaseConflict), Korean first."""

    status = 409
    code = "case-refused"


class NoPhonePassword(DeskError):
    status = 409
    code = "phone-does-not-register"

    def __init__(self, phone_id: str, contact: str) -> None:
        super().__init__(
            f"{phone_id} 전화기는 고정 주소({contact})로 연결되며 등록하지 않으므로 비밀번호가 없습니다. · "
            f"Phone {phone_id} is called at its fixed address ({contact}) and never registers: "
            "it has no password."
        )


class PbxNotOurs(DeskError):
    status = 409
    code = "pbx-not-embedded"

    def __init__(self) -> None:
        super().__init__(
            "asterisk.embedded가 false이므로 이 Asterisk의 설정은 직접 관리하십니다. 전화기 비밀번호는 "
            "그 Asterisk의 pjsip.conf에서 바꿔 주십시오. · asterisk.embedded is false: this Asterisk's "
            "configuration is yours; change the phone's password in its pjsip.conf."
        )


class UserExists(DeskError):
    status = 409
    code = "user-exists"

    def __init__(self, username: str) -> None:
        self.username = username
        super().__init__(
            f"'{username}' 아이디는 이미 사용 중입니다. 다른 아이디를 정해 주십시오. · "
            f"The username '{username}' is taken; please choose another."
        )


class TooManyAttempts(DeskError):
    status = 429
    code = "too-many-attempts"

    def __init__(self, minutes: int, at: str = "") -> None:
        self.minutes = minutes
        when_ko = f"{at}에 풀립니다(약 {minutes}분 뒤)" if at else f"약 {minutes}분 뒤에 풀립니다"
        when_en = f"at {at} (in about {minutes} minute(s))" if at else f"in about {minutes} minute(s)"
        super().__init__(
            f"로그인에 여러 번 실패하여 잠시 로그인을 막았습니다. {when_ko}. "
            "급하시면 관리자에게 잠금 해제를 요청해 주십시오. · "
            f"Too many failed log-ins: log-in opens again {when_en}, or ask an administrator to unlock it."
        )


class NoSuchRecording(DeskError):
    status = 404
    code = "no-such-recording"

    def __init__(self) -> None:
        super().__init__("그런 녹음 파일이 없습니다. · There is no such recording.")


class RecordingGone(DeskError):
    """The recording's row is there but its file is not (purged, or it failed)."""

    status = 410
    code = "recording-gone"

    def __init__(self, why: str) -> None:
        super().__init__(f"이 녹음은 들으실 수 없습니다({why}). · This recording cannot be played ({why}).")
