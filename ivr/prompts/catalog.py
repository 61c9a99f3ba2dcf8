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
    # Counselor protection: the four endings of the 2019 행정안전부 guidance
    # (ivr/protection/situations.py), each a warning and a closing, read out to
    # both sides and kept in the recording; and the call-length limit's notice
    # and closing. In every language the flows offer (ko, en, zh, vi).
    "abuse-warning": {
        "ko": "안내 말씀드립니다. 폭언이나 욕설이 계속되면 통화가 종료될 수 있으며, "
        "법적 조치를 받을 수 있습니다. 이 통화는 녹음되고 있습니다.",
        "en": "Please note: if abusive or offensive language continues, this call may be ended "
        "and legal action may be taken. This call is being recorded.",
        "zh": "请注意：如果继续辱骂或使用侮辱性语言，通话可能会被结束，"
        "并可能受到法律追究。本次通话正在录音。",
        "vi": "Xin lưu ý: nếu quý vị tiếp tục có lời lẽ xúc phạm hoặc chửi bới, cuộc gọi có thể bị kết thúc "
        "và quý vị có thể bị xử lý theo pháp luật. Cuộc gọi này đang được ghi âm.",
    },
    "abuse-closing": {
        "ko": "폭언이나 욕설이 계속되어 상담을 종료합니다. 천년전주 콜센터였습니다.",
        "en": "Because the abusive language continued, this call is now ended.",
        "zh": "由于辱骂行为仍在继续，本次通话现在结束。",
        "vi": "Vì lời lẽ xúc phạm vẫn tiếp tục, cuộc gọi này xin được kết thúc.",
    },
    "harassment-warning": {
        "ko": "안내 말씀드립니다. 성적인 발언이나 성희롱이 계속되면 통화가 종료될 수 있으며, "
        "법적 조치를 받을 수 있습니다. 이 통화는 녹음되고 있습니다.",
        "en": "Please note: if sexual remarks or harassment continue, this call may be ended "
        "and legal action may be taken. This call is being recorded.",
        "zh": "请注意：如果继续发表性骚扰言论，通话可能会被结束，并可能受到法律追究。本次通话正在录音。",
        "vi": "Xin lưu ý: nếu quý vị tiếp tục có lời lẽ quấy rối tình dục, cuộc gọi có thể bị kết thúc "
        "và quý vị có thể bị xử lý theo pháp luật. Cuộc gọi này đang được ghi âm.",
    },
    "harassment-closing": {
        "ko": "성희롱 발언이 계속되어 상담을 종료합니다. 천년전주 콜센터였습니다.",
        "en": "Because the harassing remarks continued, this call is now ended.",
        "zh": "由于性骚扰言论仍在继续，本次通话现在结束。",
        "vi": "Vì lời lẽ quấy rối tình dục vẫn tiếp tục, cuộc gọi này xin được kết thúc.",
    },
    "superior-warning": {
        "ko": "안내 말씀드립니다. 지금 상담은 담당 상담사가 책임지고 도와드리고 있습니다. "
        "상급자 연결 요구가 계속되면 통화가 종료될 수 있습니다. 이 통화는 녹음되고 있습니다.",
        "en": "Please note: the counselor on this call is responsible for helping you. "
        "If you keep insisting on a superior, this call may be ended. This call is being recorded.",
        "zh": "请注意：本次咨询由负责的咨询员为您办理。"
        "如果继续要求转接上级，通话可能会被结束。本次通话正在录音。",
        "vi": "Xin lưu ý: tư vấn viên đang trực tiếp chịu trách nhiệm hỗ trợ quý vị. "
        "Nếu quý vị tiếp tục đòi gặp cấp trên, cuộc gọi có thể bị kết thúc. Cuộc gọi này đang được ghi âm.",
    },
    "superior-closing": {
        "ko": "상급자 연결 요구가 계속되어 상담을 종료합니다. 필요하신 사항은 담당 부서로 문의해 주십시오. "
        "천년전주 콜센터였습니다.",
        "en": "Because the demand for a superior continued, this call is now ended. "
        "Please contact the department in charge for anything further.",
        "zh": "由于您一直要求转接上级，本次通话现在结束。如有其他需要，请联系相关负责部门。",
        "vi": "Vì yêu cầu gặp cấp trên vẫn tiếp tục, cuộc gọi này xin được kết thúc. "
        "Nếu cần thêm, xin quý vị liên hệ bộ phận phụ trách.",
    },
    "repeated-warning": {
        "ko": "안내 말씀드립니다. 같은 내용의 요구가 되풀이되어 더 이상 안내해 드리기 어렵습니다. "
        "계속되면 통화가 종료될 수 있습니다. 이 통화는 녹음되고 있습니다.",
        "en": "Please note: the same demand has been repeated and we cannot help further with it. "
        "If it continues, this call may be ended. This call is being recorded.",
        "zh": "请注意：同样的要求已多次重复，我们无法再作进一步说明。"
        "如果继续，通话可能会被结束。本次通话正在录音。",
        "vi": "Xin lưu ý: cùng một yêu cầu đã được lặp lại nhiều lần và chúng tôi không thể hỗ trợ thêm. "
        "Nếu tiếp tục, cuộc gọi có thể bị kết thúc. Cuộc gọi này đang được ghi âm.",
    },
    "repeated-closing": {
        "ko": "같은 내용의 요구가 되풀이되어 상담을 종료합니다. 천년전주 콜센터였습니다.",
        "en": "Because the same demand continued to be repeated, this call is now ended.",
        "zh": "由于同样的要求一再重复，本次通话现在结束。",
        "vi": "Vì cùng một yêu cầu vẫn bị lặp lại, cuộc gọi này xin được kết thúc.",
    },
    "length-notice": {
        "ko": "안내 말씀드립니다. 더 많은 시민을 도와드리기 위해 상담 시간을 정해 두고 있습니다. "
        "잠시 후 통화가 종료되오니 양해해 주시기 바랍니다.",
        "en": "Please note: to help as many citizens as possible, calls have a time limit. "
        "This call will end shortly. Thank you for your understanding.",
        "zh": "请注意：为了帮助更多市民，咨询时间有所限制。本次通话即将结束，敬请谅解。",
        "vi": "Xin lưu ý: để hỗ trợ được nhiều người dân hơn, thời gian mỗi cuộc gọi có giới hạn. "
        "Cuộc gọi này sắp kết thúc. Xin cảm ơn sự thông cảm của quý vị.",
    },
    "length-closing": {
        "ko": "정해진 상담 시간이 지나 통화를 종료합니다. 더 필요하신 사항은 다시 전화해 주십시오. "
        "천년전주 콜센터였습니다.",
        "en": "The time for this call is over, and the call is now ended. "
        "Please call again for anything further.",
        "zh": "本次咨询时间已到，通话现在结束。如有其他需要，请再次来电。",
        "vi": "Đã hết thời gian tư vấn, cuộc gọi này xin được kết thúc. Nếu cần thêm, xin quý vị gọi lại.",
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
    "desk-not-on-call": {
        "ko": "통화 중에만 쓸 수 있는 번호입니다. 지금은 통화 중이 아닙니다.",
        "en": "That code works only during a call. You are not on a call.",
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
    # A case's number read to the citizen during the conversation (the desk's
    # "접수번호 읽어 주기"): the intro, then one prompt per digit and "에" for each
    # hyphen, as Koreans read phone numbers (ivr/prompts/case_number.py), twice.
    "case-number-intro": {
        "ko": "민원 접수번호를 알려 드리겠습니다. 접수번호는",
        "en": "Your case number is",
    },
    "case-number-again": {"ko": "번입니다. 다시 한 번 알려 드리겠습니다.", "en": "Once again,"},
    "case-number-end": {
        "ko": "번입니다. 처리 결과는 담당 부서에서 답변드리겠습니다.",
        "en": "The department will answer you.",
    },
    "case-number-dash": {"ko": "에", "en": "dash"},
    **{
        f"digit-{d}": {"ko": ko, "en": en}
        for d, ko, en in zip(
            "0123456789",
            ("공", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구"),
            ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
            strict=True,
        )
    },
}

# Most system prompts exist in Korean and English; the protection prompts also
# in Chinese and Vietnamese, the other languages of the foreign-language line.
LANGUAGES = ("ko", "en", "zh", "vi")


def language_for(prompt_id: str, language: str) -> str:
    """The language to play a system prompt in for a caller speaking `language`:
    theirs if the prompt has it, else English for a foreign-language caller."""
    texts = PROMPTS[prompt_id]
    if language in texts:
        return language
    return "ko" if language == "ko" else "en"
