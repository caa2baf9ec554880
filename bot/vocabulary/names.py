"""How customers give their name, and the polite form of address we use for them.

"我姓李" → 李先生/女士 (no gender said: both), "我姓李，女士" / "李女士" → 李女士, "我叫王小明" / "王小明" → 王小明.
Found inside a longer message after a cue (我姓, 我叫, 寄件人…), or as a whole short answer that starts with a
common surname. A time or a place is never a name ("明天下午" starts with the surname 明, and is a time).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.vocabulary import geography
from bot.vocabulary.script import to_simplified
from bot.vocabulary.time_windows import find_time_window

# The most common single-character surnames (about 98% of the population) and the compound ones still met.
SINGLE_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
    "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷"
    "盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷"
    "晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠"
    "荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国"
    "狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢"
    "嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "令狐",
    "独孤", "南宫", "西门", "轩辕", "端木", "百里", "呼延", "澹台", "万俟", "申屠", "钟离", "太史", "司空",
})
TITLES = ("先生", "女士", "小姐", "老师", "阿姨", "师傅")
NEUTRAL_TITLE = "先生/女士"

_HAN = r"[\u4e00-\u9fff]"
_TITLE = "|".join(TITLES)
# "我姓李" "免贵姓李" "姓李，女士" "我姓欧阳"
_SURNAME_CUE = re.compile(rf"(?:免贵|我)?姓\s*(?={_HAN})")
_GENDER_AFTER = re.compile(r"^[，,\s]*(?:是)?(先生|女士|小姐)")
# "我叫王小明" "寄件人：王小明" "联系人张三" "称呼李女士"
_NAME_CUE = re.compile(rf"(?:我叫|我是|叫我|本人|姓名[是为]?|名字[是叫为]?|寄件人[是为]?|联系人[是为]?|称呼[是为]?)[:：\s]*({_HAN}{{2,5}})")
# "李女士" "王先生" "欧阳小姐" anywhere in a message
_TITLED = re.compile(rf"(?:(?<=^)|(?<=[^\u4e00-\u9fff])|(?<=[是叫找我人姓]))({_HAN}{{1,2}}?)({_TITLE})")
# Words after which a name stops ("王小明寄到北京"): what follows a name in a message, never part of it.
_NAME_STOP = re.compile(r"寄|要|想|电话|手机|号码|地址|住|在|从|去|到|的|，|。|来|上门|明天|今天|后天|下午|上午|晚上")
_BARE_ANSWER = re.compile(rf"^(?:我是|我叫)?({_HAN}{{2,6}})$")


@dataclass(frozen=True)
class PersonName:
    """A name as the customer gave it: the surname, the given name or a title when said, and where it stood."""

    surname: str
    given: str = ""
    title: str = ""
    start: int = 0
    end: int = 0

    @property
    def polite(self) -> str:
        """How the waybill and the courier address the customer: 王小明, 李女士, or 李先生/女士."""
        if self.given:
            return self.surname + self.given
        return self.surname + (self.title or NEUTRAL_TITLE)


def surname_of(name: str) -> str | None:
    """The surname a name starts with (compound first), None when it starts with no common surname."""
    if name[:2] in COMPOUND_SURNAMES:
        return name[:2]
    return name[:1] if name[:1] in SINGLE_SURNAMES else None


def _not_a_name(candidate: str) -> bool:
    return bool(find_time_window(candidate) or geography.normalize_place(candidate)
                or geography.normalize_place(candidate[:2]))


def _split(candidate: str, start: int, title: str = "") -> PersonName | None:
    stop = _NAME_STOP.search(candidate, 1)
    if stop:
        candidate = candidate[:stop.start()]
    for known in TITLES:
        if candidate.endswith(known) and len(candidate) > len(known):
            candidate, title = candidate[: -len(known)], known
            break
    surname = surname_of(candidate)
    if not surname or len(candidate) > 4 or _not_a_name(candidate):
        return None
    return PersonName(surname, candidate[len(surname):], title if not candidate[len(surname):] else "",
                      start, start + len(candidate))


def find_name(text: str, *, bare: bool = False) -> PersonName | None:
    """The customer's name in `text`; with `bare`, a whole short answer ("王小明") counts too (the name was asked)."""
    simplified = to_simplified(text or "").strip()
    for match in _SURNAME_CUE.finditer(simplified):
        surname = surname_of(simplified[match.end():match.end() + 2])
        if surname:
            gender = _GENDER_AFTER.match(simplified[match.end() + len(surname):])
            return PersonName(surname, "", gender.group(1) if gender else "", match.end(),
                              match.end() + len(surname))
    match = _NAME_CUE.search(simplified)
    if match:
        found = _split(match.group(1), match.start(1))
        if found:
            return found
    for match in _TITLED.finditer(simplified):
        candidate = match.group(1)
        surname = candidate if candidate in COMPOUND_SURNAMES else candidate[-1:]
        if surname in SINGLE_SURNAMES or surname in COMPOUND_SURNAMES:
            start = match.end(1) - len(surname)
            return PersonName(surname, "", match.group(2), start, match.end())
    if bare:
        match = _BARE_ANSWER.match(simplified.strip(" ，,。.!！~～"))
        if match:
            return _split(match.group(1), simplified.find(match.group(1)))
    return None
