"""Signatures, mobile footers, list footers and disclaimers at the end of a reply.

The rule for signatures without a `-- ` line: the last paragraph (at most ten lines) is a
signature when every line is a name / role / organisation / contact line (phones,
addresses, e-mail, web, image placeholders), it starts with a name, it holds at least one
contact or role line, and the member wrote something above it. The member's closing and
name stay: when the block follows a closing ("Warm wishes,", "Liebe Grüße", "Saludos"),
the closing and the one name line under it are kept, everything after is the signature.
A paragraph of names only, or a list the member introduced with a colon, is never a
signature; when in doubt the lines stay.
"""

from __future__ import annotations

import re

from circle.parsing.attribution import clean

_SEND = (
    r"sent|gesendet|envoyé|envoye|enviado|inviato|verzonden|verstuurd|skickat|sendt|wysłane|"
    r"wysłano|отправлено|надіслано|lähetetty|odesláno|gönderildi|στάλθηκε|נשלח|أرسلت|"
    r"送信|发自|發自|傳送|보냄|get|download|von\s+meinem|from\s+my|depuis|desde|vanaf|"
    r"från|fra|z\s+mojego|с\s+моего|з\s+мого"
)
# Brand names only: "my mobile phone" in a sentence is not a footer.
_DEVICE = (
    r"iphone|ipad|android|galaxy|samsung|outlook|blackberry|huawei|xiaomi|pixel|yahoo\s+mail|"
    r"aol|gmx|web\.de|proton\s?mail|mail\s+(?:for|für|pour)\s+windows|apple\s+watch|"
    r"fastmail|tuta|spark|blue\s?mail|airmail|携帯|手机|手機|휴대폰"
)
_MOBILE_SEND = re.compile(r"(?:" + _SEND + r")", re.IGNORECASE)
_MOBILE_DEVICE = re.compile(r"(?:" + _DEVICE + r")", re.IGNORECASE)
_MOBILE = re.compile(
    r"^\s*(?:sent\s+(?:from|with|via|using)\s|get\s+outlook\s+for\s|envoyé\s+de\s|"
    r"von\s+meinem\s.{0,60}gesendet|gesendet\s+von\s|enviado\s+desde\s|enviado\s+do\s+meu\s|"
    r"inviato\s+da(?:l)?\s|verzonden\s+(?:vanaf|met)\s|verstuurd\s+vanaf\s|skickat\s+från\s|"
    r"sendt\s+fra\s|wysłane\s+z\s|отправлено\s+с\s|lähetetty\s|odesláno\s+z\s)",
    re.IGNORECASE,
)
_DISCLAIMER = re.compile(
    r"^\s*\**\s*(?:confidentiality\s+notice|disclaimer|this\s+e-?mail\s+(?:and|message|is|"
    r"may|contains)|this\s+message\s+(?:and|is|may|contains|\(including)|"
    r"the\s+information\s+(?:contained|in\s+this)|please\s+consider\s+the\s+environment|"
    r"diese\s+e-?mail\s+(?:enthält|ist|kann)|diese\s+nachricht\s+(?:enthält|ist|kann)|"
    r"ce\s+message\s+(?:et|est|peut)|este\s+(?:correo|mensaje)\s+(?:y|es|puede|contiene)|"
    r"questo\s+messaggio|dit\s+(?:e-?mail)?bericht\s+(?:is|kan|bevat)|"
    r"esta\s+mensagem|denna\s+e-?post|ta\s+wiadomość|это\s+сообщение)",
    re.IGNORECASE,
)
_LIST_FOOTER = re.compile(r"mailing\s+list|unsubscribe|abmelden|désinscri", re.IGNORECASE)
_MAX_TAIL = 12  # lines a `-- ` signature / footer block may have
_MAX_BLOCK = 10  # lines a signature block without `-- ` may have

_PHONE = re.compile(r"(?:\+|\(|\b)\d[\d\s().\-/]{5,}\d")
_EMAIL = re.compile(r"[^\s@<>]{1,64}@[^\s@<>]{1,200}\.\w{2,}")
_URL = re.compile(r"https?://|\bwww\.|\b[\w-]{2,}\.(?:com|org|net|de|fr|es|it|nl|pl|ru|uk|io|"
                  r"eu|ch|at|be|se|no|dk|fi|pt|br|jp|info|coop|edu)\b", re.IGNORECASE)
_LABEL = re.compile(
    r"^(?:t|tel|phone|mobile|mob|m|cell|fax|f|e|email|e-mail|w|web|website|skype|linkedin|"
    r"twitter|telefon|tél|tél\.|handy|móvil|cel|cellulare|téléphone|portable|telefoon|"
    r"mobil|tlf|тел|моб|電話|携帯)\s*\.?\s*[:.]", re.IGNORECASE)
_ADDRESS = re.compile(
    r"\b(?:street|st\.|road|rd\.?|avenue|ave\.?|lane|square|straße|strasse|str\.|weg|gasse|"
    r"platz|rue|avenue|bd|boulevard|calle|c/|avda|via|viale|piazza|laan|straat|plein|gracht|"
    r"ulica|ul\.|улица|ул\.|rua|avenida|gatan|vägen|vej|gade|suite|floor|p\.?o\.?\s*box)\b"
    r"|\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b|\b\d{4,5}\s+[A-ZÄÖÜ][a-zäöüß]+", re.IGNORECASE)
_ROLE = re.compile(
    r"\b(?:coordinator|co-?ordinator|manager|director|officer|lead|head\s+of|founder|ceo|cto|"
    r"coo|cfo|president|chair|secretary|assistant|consultant|engineer|developer|designer|"
    r"analyst|advis[eo]r|specialist|teacher|professor|lecturer|nurse|researcher|facilitator|"
    r"volunteer|trustee|department|dept|university|universität|université|universidad|"
    r"università|universiteit|uniwersytet|school|college|institute|institut|foundation|"
    r"stiftung|association|verein|society|council|ltd|llc|gmbh|inc|plc|s\.a\.|b\.v\.|e\.v\.|"
    r"charity|trust|company|corp|pronouns|she/her|he/him|they/them|geschäftsführer(?:in)?|"
    r"leiter(?:in)?|referent(?:in)?|koordinator(?:in)?|responsable|directeur|directrice|"
    r"chargée?|coordinatrice|coordinador[a]?|directora?|gerente|coordinatore|coordinatrice|"
    r"responsabile|coördinator|medewerker|projectleider|coordenador[a]?|diretor[a]?|"
    r"samordnare|koordynator(?:ka)?|kierownik|координатор|директор|менеджер|"
    r"community\s+manager|programme|program|project|team)\b", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"^\[(?:cid:|image:|logo|bild|imagen|immagine|afbeelding)", re.I)
_CLOSING = re.compile(
    r"^(?:best|best\s+wishes|best\s+regards|kind\s+regards|regards|warm\s+(?:wishes|regards)|"
    r"warmly|cheers|thanks|thank\s+you|many\s+thanks|all\s+the\s+best|love|sincerely|yours|"
    r"take\s+care|hugs|cordialement|bien\s+à\s+vous|amicalement|bises|merci|à\s+bientôt|"
    r"mit\s+freundlichen\s+grüßen|viele\s+grüße|liebe\s+grüße|beste\s+grüße|herzliche\s+grüße|"
    r"lg|vg|grüße|gruß|danke|saludos|un\s+saludo|un\s+abrazo|atentamente|saludos\s+cordiales|"
    r"cordiali\s+saluti|saluti|un\s+abbraccio|grazie|a\s+presto|met\s+vriendelijke\s+groet(?:en)?|"
    r"groetjes|groeten|hartelijke\s+groet(?:en)?|groet|atenciosamente|abraços|cumprimentos|"
    r"obrigad[oa]|beijos|med\s+vänliga\s+hälsningar|vänliga\s+hälsningar|hälsningar|mvh|"
    r"hilsen|pozdrawiam|z\s+poważaniem|с\s+уважением|всего\s+доброго|спасибо|з\s+повагою|"
    r"дякую|よろしくお願いします|敬具)\b[\s,.!]*(?:\w+[,!]?)?$",
    re.IGNORECASE)
_NAME = re.compile(r"^(?:[A-ZÀ-ÖØ-ÞĀ-ſА-ЯЁІЇЄ][\w'’.-]{0,30}|de|van|von|da|der|den|la|le|del|"
                   r"di|du|y|e|und|&)(?:\s+(?:[A-ZÀ-ÖØ-ÞĀ-ſА-ЯЁІЇЄ][\w'’.-]{0,30}|de|van|"
                   r"von|da|der|den|la|le|del|di|du|y|e)){0,4}$")
_UNDERSCORES = re.compile(r"_{2,}")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]\s|\d{1,2}[.)]\s)")


def is_mobile_footer(line: str) -> bool:
    """'Sent from my iPhone', 'iPhoneから送信', 'Von meinem Galaxy gesendet' and friends."""
    s = clean(line).strip().strip("_*")
    if not s or len(s) > 120 or s.endswith(("?", ":")):
        return False
    words = len(s.split())
    if _MOBILE.match(s) and words <= 8 and "," not in s:
        return True
    if "," in s or "，" in s or words > 14:
        return False
    return bool(_MOBILE_SEND.search(s)) and bool(_MOBILE_DEVICE.search(s))


def _contact(s: str) -> bool:
    digits = sum(map(str.isdigit, s))
    return bool(_EMAIL.search(s) or _URL.search(s) or _LABEL.match(s) or _PLACEHOLDER.match(s)
                or (_PHONE.search(s) and digits >= 7) or _ADDRESS.search(s))


def _personal_contact(s: str) -> bool:
    """A phone number, an e-mail address or a labelled contact line."""
    digits = sum(map(str.isdigit, s))
    return bool(_EMAIL.search(s) or _LABEL.match(s) or (_PHONE.search(s) and digits >= 7))


def _signature_line(s: str) -> bool:
    """Could this line belong to a signature block (name, role, org, contact)?"""
    if len(s) > 90 or _LIST_ITEM.match(s) or s.startswith(">") or s.endswith(":"):
        return False
    if _contact(s):
        return True
    if len(s.split()) > 8 or s.endswith(("!", "?")) or (s.endswith(".") and not _ROLE.search(s)):
        return False
    return bool(_ROLE.search(s) or _NAME.match(s) or "|" in s)


def _name_line(s: str) -> bool:
    return bool(_NAME.match(s)) and len(s) <= 50


def _block_start(lines: list[str], end: int) -> int:
    """Where a signature block that is the last paragraph (ending at `end`) starts, or -1.

    The paragraph must be all signature lines, start with a name (or follow a closing and
    a name), and hold a contact or role line."""
    top = end
    while top > 0 and lines[top - 1].strip() and end - top < _MAX_BLOCK + 2:
        top -= 1
    if top > 0 and lines[top - 1].strip():
        return -1  # longer than any signature
    para = [clean(x).strip() for x in lines[top:end]]
    above = top - 1
    while above >= 0 and not lines[above].strip():
        above -= 1
    before = clean(lines[above]).strip() if above >= 0 else ""
    skip = 0
    if len(para) >= 3 and _CLOSING.match(para[0]) and _name_line(para[1]):
        skip = 2  # "Warm wishes,\nAna" stays; what follows her name is the signature
    elif _CLOSING.match(before) and _name_line(para[0]) and len(para) >= 2:
        skip = 1  # the closing is the paragraph above: the name under it stays
    body = para[skip:]
    if not body or len(body) > _MAX_BLOCK or not all(_signature_line(x) for x in body):
        return -1
    strong = sum(1 for x in body if _personal_contact(x) or _ROLE.search(x))
    weak = sum(1 for x in body if _contact(x))
    if not strong and weak < 2:
        return -1  # an address or a link alone may be the member's own words
    if not skip and not (_name_line(body[0]) or "|" in body[0]):
        return -1
    if not skip and ((len(body) < 2 and "|" not in body[0]) or before.endswith(":") or not before):
        return -1  # one bare line, a list the member introduced, or nothing above it
    return top + skip


def strip_tail(lines: list[str]) -> int:
    """How many leading lines remain once signatures, mobile footers, list footers and
    disclaimers are removed from the end."""
    end = len(lines)
    while True:
        while end and not lines[end - 1].strip():
            end -= 1
        if not end:
            return 0
        start = max(0, end - _MAX_TAIL)
        cut = -1
        for k in range(end - 1, start - 1, -1):
            s = clean(lines[k]).strip()
            if s in ("--", "—-"):
                cut = k
                break
            if _UNDERSCORES.fullmatch(s) and any(
                    _LIST_FOOTER.search(x) for x in lines[k + 1 : min(k + 4, end)]):
                cut = k
                break
        last = clean(lines[end - 1]).strip()
        if cut < 0 and is_mobile_footer(last):
            cut = end - 1
        if cut < 0:
            para = end - 1
            while para > 0 and lines[para - 1].strip():
                para -= 1
            if para > 0 and _DISCLAIMER.match(clean(lines[para])):
                cut = para
        if cut < 0:
            cut = _block_start(lines, end)
        if cut < 0:
            return end
        end = cut
