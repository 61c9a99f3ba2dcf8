"""The checker's messages in Korean, for the flow page of a Korean-speaking admin.

The loader and its checks speak English (`start: there is no node 'greetin'
(did you mean 'greeting'?)`), as the command line prints them; the desk shows
an admin who reads Korean the same finding in Korean, the English kept beside it
for the English toggle. A message with no Korean form here is shown as it is.
"""

from __future__ import annotations

import re

_MEAN = re.compile(r" \(did you mean '([^']+)'\?\)")
# (pattern over the English message, Korean with the pattern's groups)
_SAID: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^start: there is no node '([^']+)'$"), r"start: '\1' 노드가 없습니다"),
    (
        re.compile(r"^(nodes\.\w+): prompt '([^']+)' is not defined under prompts:$"),
        r"\1: 안내 문구 '\2'이(가) prompts:에 없습니다",
    ),
    (re.compile(r"^(\S+): unknown key$"), r"\1: 알 수 없는 키입니다"),
    (re.compile(r"^(\S+): required key is missing$"), r"\1: 꼭 있어야 하는 키가 없습니다"),
    (
        re.compile(r"^(nodes\.\w+): outcome '([^']+)' leads to '([^']+)', which is not a node$"),
        r"\1: 결과 '\2'이(가) 가리키는 '\3' 노드가 없습니다",
    ),
    (
        re.compile(r"^(nodes\.\w+): outcome '([^']+)' is not handled \(add it under on:\)$"),
        r"\1: 결과 '\2'을(를) 처리하지 않습니다(on: 아래에 넣어 주십시오)",
    ),
    (
        re.compile(r"^(nodes\.\w+): a (\w+) node never ends with '([^']+)'; it ends with: (.+)$"),
        r"\1: \2 노드는 '\3'(으)로 끝나지 않습니다. 가능한 결과: \4",
    ),
    (re.compile(r"^(nodes\.\w+): hangs up without a goodbye prompt$"), r"\1: 끝인사 없이 전화를 끊습니다"),
    (
        re.compile(r"^(nodes\.\w+): unreachable \(no outcome leads here from '([^']+)'\)$"),
        r"\1: '\2'에서 시작해 이 노드로 오는 길이 없습니다",
    ),
    (re.compile(r"^(prompts\.\w+): never used$"), r"\1: 어디에서도 쓰이지 않는 안내 문구입니다"),
    (
        re.compile(r"^(prompts\.\w+): no text in ([\w, ]+), a language this flow offers$"),
        r"\1: 이 흐름이 제공하는 언어(\2)의 문구가 없습니다",
    ),
    (
        re.compile(r"^(\S+): a flow name: lowercase letters, digits and '_'$"),
        r"\1: 흐름 이름은 영문 소문자, 숫자, '_'로 씁니다",
    ),
    (
        re.compile(r"^flow: the name '([^']+)' must match the file name$"),
        r"flow: 이름 '\1'이(가) 파일 이름과 같아야 합니다",
    ),
]


def korean(message: str) -> str | None:
    """The message in Korean, or None when there is no Korean form of it."""
    mean = _MEAN.search(message)
    core = _MEAN.sub("", message)
    for pattern, said in _SAID:
        if pattern.match(core):
            ko = pattern.sub(said, core)
            return ko + (f" ('{mean[1]}'을(를) 쓰시려던 것입니까?)" if mean else "")
    return None
