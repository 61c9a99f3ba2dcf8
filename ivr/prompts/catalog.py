"""What callers hear, in polite public-service Korean first and English second.

A prompt id maps to its text per language. The text is rendered to telephone
audio ahead of time (never while a caller waits); a recorded file with the same
id placed in `prompts/recorded/<lang>/<id>.wav` replaces the synthetic voice.
"""

from __future__ import annotations

PROMPTS: dict[str, dict[str, str]] = {
    "greeting": {
        "ko": "안녕하십니까. 천년전주 콜센터입니다. 빠르고 정확하고 친절하게 상담해 드리겠습니다.",
        "en": "Welcome to the Jeonju City Hall call center.",
    },
    "menu": {
        "ko": "상담사와 통화를 원하시면 0번을, 안내를 다시 들으시려면 별표를 눌러 주십시오.",
        "en": "To speak with a counselor, press 0. To hear this again, press star.",
    },
    "invalid": {
        "ko": "잘못 누르셨습니다. 다시 선택해 주십시오.",
        "en": "Sorry, that is not an option. Please try again.",
    },
    "no-input": {
        "ko": "입력하신 번호가 없습니다. 다시 안내해 드리겠습니다.",
        "en": "We did not receive your choice. Here are the options again.",
    },
    "connecting": {
        "ko": "상담사를 연결해 드리겠습니다. 잠시만 기다려 주십시오.",
        "en": "Connecting you to a counselor. Please hold.",
    },
    "all-busy": {
        "ko": "죄송합니다. 지금은 모든 상담사가 통화 중입니다. 잠시 후 다시 걸어 주십시오.",
        "en": "Sorry, all counselors are busy. Please call again later.",
    },
    "goodbye": {
        "ko": "천년전주 콜센터에 전화해 주셔서 감사합니다. 안녕히 계십시오.",
        "en": "Thank you for calling the Jeonju City Hall call center. Goodbye.",
    },
    "fallback-sorry": {
        "ko": "죄송합니다. 지금은 상담 연결이 어렵습니다. 잠시 후 다시 걸어 주십시오. 천년전주 콜센터입니다.",
        "en": "Sorry, we cannot connect your call right now. Please call again later.",
    },
    # The counselor's phone went silent or off the network mid-conversation.
    "line-lost": {
        "ko": "상담사와의 통화가 끊어졌습니다. 불편을 드려 죄송합니다. "
        "다른 상담사에게 먼저 연결해 드리겠습니다. 잠시만 기다려 주십시오.",
        "en": "We are sorry, your call with the counselor was cut off. "
        "We will connect you to the next counselor first. Please hold.",
    },
    # Counselor protection (*9): read out to both sides and kept in the recording.
    "abuse-warning": {
        "ko": "안내 말씀드립니다. 폭언이나 욕설이 계속되면 통화가 종료될 수 있으며, "
        "법적 조치를 받을 수 있습니다. 이 통화는 녹음되고 있습니다.",
        "en": "Please note: if abusive or offensive language continues, this call may be ended "
        "and legal action may be taken. This call is being recorded.",
    },
    "abuse-closing": {
        "ko": "폭언이나 욕설이 계속되어 상담을 종료합니다. 천년전주 콜센터였습니다.",
        "en": "Because the abusive language continued, this call is now ended.",
    },
    # What a counselor hears after a feature code on their desk phone (*21 ...).
    "desk-logged-in": {
        "ko": "로그인되었습니다. 지금부터 상담 전화가 연결됩니다.",
        "en": "You are logged in. Calls will now be offered to you.",
    },
    "desk-logged-out": {"ko": "로그아웃되었습니다. 수고하셨습니다.", "en": "You are logged out."},
    "desk-paused": {
        "ko": "휴식 상태입니다. 상담 전화가 연결되지 않습니다.",
        "en": "You are paused. No calls will be offered to you.",
    },
    "desk-unpaused": {
        "ko": "대기 상태로 돌아왔습니다. 상담 전화가 연결됩니다.",
        "en": "You are available again. Calls will be offered to you.",
    },
    "desk-wrap-up-extended": {"ko": "후처리 시간이 연장되었습니다.", "en": "Your wrap-up time is extended."},
    "desk-pending": {
        "ko": "요청이 접수되었습니다. 지금 통화가 끝나면 적용됩니다.",
        "en": "Noted. It will apply when your current call ends.",
    },
    "desk-refused": {
        "ko": "지금 상태에서는 처리할 수 없는 요청입니다.",
        "en": "That is not possible in your current state.",
    },
    "desk-unknown": {"ko": "없는 기능 번호입니다.", "en": "There is no such feature code."},
    # Recording a prompt on a desk phone (*5 and the prompt's number).
    "studio-record": {
        "ko": "삐 소리가 나면 안내 문구를 말씀하시고, 끝나면 우물 정자를 눌러 주십시오.",
        "en": "After the beep, say the prompt, then press the pound key.",
    },
    "studio-choose": {
        "ko": "저장하시려면 1번, 다시 녹음하시려면 2번을 눌러 주십시오.",
        "en": "To keep it, press 1. To record again, press 2.",
    },
    "studio-saved": {
        "ko": "저장되었습니다. 새로 걸려 오는 전화부터 이 녹음이 나갑니다.",
        "en": "Saved. New calls will hear this recording.",
    },
    "studio-refused": {
        "ko": "이 녹음은 쓸 수 없습니다. 너무 작거나 크게 녹음되었습니다. 다시 녹음해 주십시오.",
        "en": "This recording cannot be used. Please record again.",
    },
    "supervise-none": {
        "ko": "그 상담사는 지금 통화 중이 아닙니다.",
        "en": "That counselor is not on a call right now.",
    },
}

LANGUAGES = ("ko", "en")
