"""Signatures, mobile footers, list footers and disclaimers at the end of a reply.

Decisions, in the order `strip_tail` applies them to the end of the reply, again and again
until nothing more goes:

- A `-- ` line (trailing spaces or not) starts a signature: everything under it goes.
- A separator line of dashes, underscores, equals signs or stars (`----------------`,
  `――――――`, `━━━━`, also a second one framing the block from below) starts a signature
  only when every line under it is a signature line (below) and one
  of them is a contact or role line: a member's section break above more story stays.
- A mobile or webmail footer as the last line ("Sent from my iPhone", "iPhoneから送信",
  "Get Outlook for Android<https://aka.ms/...>", "Sent with Proton Mail secure email.")
  goes; a sentence that happens to name a phone stays. Carrier footers may hold a comma
  ("Sent from my Verizon, Samsung Galaxy smartphone", "Sent via the Samsung Galaxy S23, an
  AT&T 5G smartphone") when they open like a footer and name a device. Arabic harakat and
  tatweel, Hebrew niqqud are ignored ("أُرسلت من الـ iPhone"). The localized "Get Outlook
  for Android" lines count ("Skaffa/Hent/Obtenha/Ottieni/Holen Sie sich ... Outlook",
  "Outlook for Android の入手"), a link glued to them or not.
- A last line framed by dashes ("-------- Orijinal mesaj --------", any language, any
  dash character) is the title of quoted history that was cut under it: it goes.
- A last paragraph that opens like a legal disclaimer, in any of the common languages,
  goes (a two-language disclaimer goes paragraph by paragraph); so does a short last
  paragraph of company register lines ("Sitz: Hamburg, Amtsgericht Hamburg HRB 123456",
  "Registered in England and Wales No. 1234567", "RCS Paris", "P.IVA", "KvK").
- A signature block without a `-- ` line is a short last paragraph (at most ten lines)
  whose lines are all name / role / organisation / contact lines (phones, addresses,
  e-mail, web, `|`-separated Outlook lines, image placeholders). It is a signature when:
  (a) it starts with a name and holds a contact or role line, with the member's words
  above it; or (b) it comes right after the member signed off (a closing and a name,
  "Warm wishes,\nAna") — then any block of such lines of two lines or more (or one role
  or `|` line) goes, because the member's words ended at her name; or (c) its first
  line repeats the name the member signed with ("Katarzyna" then "Katarzyna Nowak /
  Nauczycielka / ..."), or is the sender's display name from the From header
  (`sender_name`, optional).
  (d) Structural, whatever the role words ("jednatel", "Lærer, dansk og musik",
  "Εκπαιδευτικός", "Mestra"): after the closing and name, a block of two to eight short
  lines, none a sentence (no end punctuation, few small words, no colon/question), that
  holds at least one contact line (phone, e-mail, URL, street address) is the signature.
  Blocks written one line per paragraph (Word's blank lines) are read as one block.
- With no closing, a signature block that opens with a name line ("Gary Hunt\nIT
  Manager\nOldCorp Inc.") keeps that name line (his sign-off) and elides what follows;
  when a name already stands above the block (she signed there), the whole block goes.
- Closings include Swedish "Med vänlig hälsning", "Vänligen", Greek "Με εκτίμηση",
  Japanese "よろしくお願いいたします。"/"宜しくお願い致します", Chinese "此致"/"祝好",
  Korean "감사합니다"; a CJK name (up to eight Han/Katakana/Hangul characters, one space:
  "山田 花子") and Greek capitals count as a name line.
- The member's closing and name stay: when the block follows a closing ("Warm wishes,",
  "Liebe Grüße", "Saludos", "Kh", or any short line ending in a comma that is not the
  reply's first line, which is a greeting) and a name ("Ana", "Dr. med. Klaus Richter",
  "Sam (they/them)"; a one-word sentence such as "Historia." is no name), the closing
  and the one name line under it are kept, everything after them is the signature
  (restorable: the trimmer puts it in `elided`). A first name alone heading a block of
  role or contact lines ("Ana\nProgramme Coordinator\n+44 ...") is how she signed: it
  stays too.
- A paragraph the member wrote (sentences: end punctuation, many small words), a P.S.,
  links alone (even after her name), a list the member introduced with a colon, names
  alone with no cue, an address or a link alone ("We met at Hauptstraße 5, Berlin") are
  never a signature; when in doubt lines stay.
"""

from __future__ import annotations

import re

from circle.parsing.attribution import clean

_SEND = (
    r"sent|gesendet|envoyé|envoye|enviado|inviato|verzonden|verstuurd|skickat|sendt|wysłane|"
    r"wysłano|отправлено|надіслано|lähetetty|odesláno|gönderildi|στάλθηκε|נשלח|أرسلت|"
    r"送信|发自|發自|傳送|发送|보냄|get|download|von\s+meinem|from\s+my|depuis|desde|vanaf|"
    r"från|fra|z\s+mojego|с\s+моего|з\s+мого|obtenir|obtener|obter|baixe|scarica|"
    r"herunterladen|downloaden|pobierz|получить|hämta|hent|küldve|trimis|poslano|poslato|"
    r"odoslané|gửi|dikirim|enviat|ส่งจาก|भेजा|تم\s+الإرسال|ارسلت|مرسل\s+من|skaffa|obtenha|"
    r"ottieni|holen\s+sie\s+sich|télécharger|telecharger|получите|hanki|stáhněte|stáhnout|"
    r"edinin|letöltése|descarga|descargar|få|pobierz\s+aplikację"
)
# Brand names only: "my mobile phone" in a sentence is not a footer.
_DEVICE = (
    r"iphone|ipad|android|galaxy|samsung|outlook|blackberry|huawei|xiaomi|pixel|yahoo\s+mail|"
    r"aol|gmx|web\.de|proton\s?mail|mail\s+(?:for|für|pour)\s+windows|apple\s+watch|"
    r"fastmail|tuta|spark|blue\s?mail|airmail|libero|virgilio|yandex|mail\.ru|t-online|"
    r"freenet|seznam|onet|interia|zoho|携帯|手机|手機|휴대폰"
)
# Whole words for alphabetic scripts ("downloaded" is no footer word); CJK/Thai/Hindi
# words sit inside the run of letters ("iPhoneから送信").
_MOBILE_SEND = re.compile(
    r"(?<!\w)(?:" + _SEND + r")(?!\w)|送信|发自|發自|傳送|发送|보냄|ส่งจาก|भेजा|入手|获取|取得|"
    r"다운로드|받기", re.IGNORECASE)
_SENTENCE_START = re.compile(
    r"^(?:i|i'm|i've|i'll|we|you|my|our|it|this|that|ich|wir|mein|je|nous|j'ai|yo|io|ik|"
    r"wij|jag|vi|я|мы)\b", re.IGNORECASE)
_MOBILE_DEVICE = re.compile(r"(?:" + _DEVICE + r")", re.IGNORECASE)
_MOBILE = re.compile(
    r"^\s*(?:sent\s+(?:from|with|via|using)\s|get\s+outlook\s+for\s|envoyé\s+de\s|"
    r"von\s+meinem\s.{0,60}gesendet|gesendet\s+von\s|enviado\s+desde\s|enviado\s+do\s+meu\s|"
    r"inviato\s+da(?:l)?\s|verzonden\s+(?:vanaf|met)\s|verstuurd\s+vanaf\s|skickat\s+från\s|"
    r"sendt\s+fra\s|wysłane\s+z\s|отправлено\s+с\s|lähetetty\s|odesláno\s+z\s)",
    re.IGNORECASE,
)
_DISCLAIMER = re.compile(
    r"^\s*[*\[(]*\s*(?:confidentiality\s+notice|confidential(?:ity)?\s*:|disclaimer|"
    r"important\s*:|legal\s+notice|privacy\s+notice|"
    r"this\s+(?:e-?mail|message|communication|electronic\s+mail|transmission)\s+"
    r"(?:and|message|is|may|contains|\(including|together|including)|"
    r"the\s+(?:information|content|contents)\s+(?:contained|in\s+this|of\s+this)|"
    r"any\s+views\s+or\s+opinions|please\s+consider\s+the\s+environment|"
    r"diese[sr]?\s+(?:e-?mail|nachricht)\s+(?:enthält|ist|kann|und|wurde|könnte)|"
    r"der\s+inhalt\s+dieser|die\s+informationen?\s+in\s+dieser|vertraulichkeitshinweis|"
    r"haftungsausschluss|rechtlicher\s+hinweis|bitte\s+denken\s+sie\s+an\s+die\s+umwelt|"
    r"ce\s+(?:message|courriel|e-?mail)\s+(?:et|est|peut|électronique|contient)|"
    r"le\s+contenu\s+de\s+ce|les\s+informations\s+contenues|avis\s+de\s+confidentialité|"
    r"avertissement\s*:|pensez\s+à\s+l'environnement|"
    r"este\s+(?:correo|mensaje|e-?mail)(?:\s+electr[oó]nico)?\s+(?:y|es|puede|contiene|va|se)|"
    r"la\s+información\s+contenida|aviso\s+(?:legal|de\s+confidencialidad(?:e)?)|"
    r"questo\s+messaggio|questa\s+e-?mail|il\s+presente\s+messaggio|le\s+informazioni\s+contenute|"
    r"dit\s+(?:e-?mail)?bericht\s+(?:is|kan|bevat)|deze\s+e-?mail\s+(?:is|kan|bevat)|"
    r"de\s+informatie\s+(?:in|verzonden)|"
    r"esta\s+mensagem|este\s+e-?mail\s+(?:e|é|pode|contém)|as\s+informações\s+contidas|"
    r"denna\s+e-?post|detta\s+e-?postmeddelande|informationen\s+i\s+detta|"
    r"ta\s+wiadomość|niniejsza\s+wiadomość|treść\s+tej\s+wiadomości|klauzula\s+poufności|"
    r"это\s+сообщение|данное\s+(?:сообщение|письмо)|информация,?\s+содержащаяся|"
    r"уведомление\s+о\s+конфиденциальности)",
    re.IGNORECASE,
)
# Company register lines under business signatures (German Pflichtangaben, UK company and
# charity numbers, French RCS/SIRET, Italian P.IVA, Dutch KvK, Polish NIP/KRS...).
_LEGAL = re.compile(
    r"\b(?:sitz(?:\s+der\s+gesellschaft)?\s*:|amtsgericht|registergericht|handelsregister|"
    r"hr[ab]\s*\d|ust-?id|steuer-?nr|steuernummer|geschäftsführ(?:ung|er|erin)\s*:|"
    r"vorstand\s*:|aufsichtsrat|registered\s+(?:in|office|charity|company)|"
    r"company\s+(?:no|number|registration)|charity\s+(?:no|number)|vat\s+(?:no|number|reg)|"
    r"rcs\s|siret|siren\b|capital\s+(?:social\s+)?de\s+\d|p\.\s?iva|partita\s+iva|"
    r"codice\s+fiscale|cif\s*:|nif\s*:|kvk|nip\s*:|krs\s*:|regon|org\.?\s?nr|cvr-?nr)",
    re.IGNORECASE)
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
    r"community\s+manager|programme|program|project|team|worker|club|centre|center|network|"
    r"hub|collective|alliance|partnership|initiative|services?|church|parish|ward)\b",
    re.IGNORECASE)
# Professions and institutions as word stems (any inflection): "Nauczycielka", "Grundschule".
_ORG = re.compile(
    r"(?:\b(?:schul|gymnas|lehrer|lehrkraft|lycée|collège|école|ecole|escuela|colegio|"
    r"institut|istitut|scuol|liceo|szkoł|szkol|przedszkol|skola|skolan|escola|hospital|"
    r"hôpital|ospedal|krankenh|klinik|clinic|ziekenhuis|szpital|sjukhus|bibliot|library|"
    r"enseignant|professeu|profes|insegnant|docent|maestr|leerkracht|leraar|lerares|"
    r"nauczyciel|lärare|pflege|infirmi|enfermer|infermier|verpleeg|pielęgniar|sjukskötersk|"
    r"krankenschwester|gemeinde|mairie|municipal|gemeente|comune|ayuntamiento|prefeitura|"
    r"kommun|gmina|urząd|verband|stichting|fundaci|fondazion|fundaç|associa|asociaci|"
    r"vereniging|stowarzysz|förening|cooperativ|genossenschaft|kita|kindergarten|"
    r"bürgermeister|educat|éducat|edukac|ausbild|formation|formador|coach|trainer|"
    r"sozialarbeit|travailleu|assistente|asystent|bibliothekar|gärtner|jardinier|jardiner|"
    r"ogrodnik|tuinier|giardinier)\w*"
    r"|\b(?:ph\.?d|m\.?d|rn|mba|msc|bsc|dipl\.?-?\w*|dr\.|mag\.|ing\.|prof\.))"
    r"|\w(?:schule|schulen|verein|zentrum|centrum|amt|arzt|ärztin|praxis)\b"
    r"|\b(?:arzt|ärztin|praxis|médecin|medico|médico|arts|lekarz|läkare)\b", re.IGNORECASE)
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
    r"hilsen|venlig\s+hilsen|med\s+venlig\s+hilsen|med\s+vennlig\s+hilsen|kh|mfg|glg|bg|"
    r"rgds|br|terveisin|ystävällisin\s+terveisin|s\s+pozdravem|saygılarımla|üdvözlettel|"
    r"φιλικά|un\s+caro\s+saluto|cari\s+saluti|un\s+saluto|saluti\s+cordiali|beijinhos|"
    r"abraço|um\s+abraço|besos|groetjes|hartelijke\s+groeten|liebe\s+grüsse|viele\s+grüsse|"
    r"pozdrawiam|z\s+poważaniem|с\s+уважением|всего\s+доброго|спасибо|з\s+повагою|"
    r"дякую|med\s+vänlig\s+hälsning|vänlig\s+hälsning|vänligen|bästa\s+hälsningar|"
    r"με\s+εκτίμηση|salutacions|cordialment|pozdrav|s\s+přáním|"
    r"よろしくお願いします|よろしくお願いいたします|よろしくお願い致します|宜しくお願いします|"
    r"宜しくお願い致します|宜しくお願いいたします|敬具|此致|祝好|顺祝商祺|谢谢|謝謝|"
    r"감사합니다|감사드립니다|고맙습니다)\b[\s,.!。！、]*(?:\w+[,!]?)?$",
    re.IGNORECASE)
_NAME = re.compile(r"^(?:[A-ZÀ-ÖØ-ÞĀ-ſА-ЯЁІЇЄΆΈ-ΏΑ-Ω][\w'’.-]{0,30}|de|van|von|da|der|den|la|"
                   r"le|del|di|du|y|e|i|und|&)(?:\s+(?:[A-ZÀ-ÖØ-ÞĀ-ſА-ЯЁІЇЄΆΈ-ΏΑ-Ω][\w'’.-]{0,30}|"
                   r"de|van|von|da|der|den|la|le|del|di|du|y|e|i)){0,4}$")
# A CJK name (no capitals to go by): "山田 花子", "李明", "김민준" — at most eight characters.
_CJK_NAME = re.compile(r"^[\u4e00-\u9fff\u3400-\u4dbf\u30a0-\u30ff\uac00-\ud7af]{1,5}"
                       r"(?:[\s\u3000][\u4e00-\u9fff\u30a0-\u30ff\uac00-\ud7af]{1,4})?$")
_UNDERSCORES = re.compile(r"_{2,}")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]\s|\d{1,2}[.)]\s)")


# Arabic harakat, superscript alef and tatweel, Hebrew niqqud and cantillation: marks a
# footer may carry ("أُرسلت من الـ iPhone") that must not break the word match.
_MARKS = re.compile(r"[\u064B-\u065F\u0670\u0640\u0591-\u05C7]")


def is_mobile_footer(line: str) -> bool:
    """'Sent from my iPhone', 'iPhoneから送信', 'Von meinem Galaxy gesendet' and friends."""
    s = _MARKS.sub("", clean(line)).strip().strip("_*")
    if not s or len(s) > 120 or s.endswith(("?", ":")):
        return False
    words = len(s.split())
    if _MOBILE.match(s) and words <= 8 and "," not in s:
        return True
    if _MOBILE.match(s) and words <= 12 and _MOBILE_DEVICE.search(s):
        return True  # "Sent from my Verizon, Samsung Galaxy smartphone" (carrier footers)
    if "," in s or "，" in s or words > 14 or _SENTENCE_START.match(s):
        return False
    return bool(_MOBILE_SEND.search(s)) and bool(_MOBILE_DEVICE.search(s))


_SEPARATOR = re.compile(
    r"(?:-{2,}|_{2,}|={2,}|\*{3,}|~{2,}|[—–―─━═＝＊＿]{1,}|[-=~*]( [-=~*]){2,})")
# "-------- Orijinal mesaj --------", "‐‐‐‐‐‐‐ Original Message ‐‐‐‐‐‐‐" (any language, any dash)
# A hyphen inside a word of the title is the title's ("Původní e-mail").
_FRAMED_TITLE = re.compile(
    r"[-‐‑‒–—_=*~]{3,}(?:[^-‐‑‒–—_=*~\d]|(?<=\w)-(?=\w)){2,60}[-‐‑‒–—_=*~]{3,}")
_POSTSCRIPT = re.compile(r"^(?:p\.?\s?p?\.?\s?s\b|n\.?\s?b\b|追伸|追記|附言|附注|补充|추신)",
                         re.IGNORECASE)
_BARE_URL = re.compile(r"(?:https?://|www\.)\S{1,500}")
_PIPE = re.compile(r"\s[|/·•]\s|\|")
_SENTENCE_END = re.compile(r"[.!?。！？]$")
_ABBREVIATION_END = re.compile(r"(?:^|[\s.])\w{1,4}\.$")
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")


def _legal(para: list[str]) -> bool:
    """A short paragraph of company register lines ("Sitz: Hamburg, Amtsgericht HRB 1234"):
    a register word on a line with a number, and no line of prose."""
    return (len(para) <= 8 and all(len(x) <= 160 for x in para)
            and any(_LEGAL.search(x) and any(c.isdigit() for c in x) for x in para)
            and not any(_sentence(x) for x in para))


def _sentence(s: str) -> bool:
    """Many small lower-case words: prose, not a register or contact line."""
    return sum(1 for w in _WORD.findall(s) if w[0].islower()) > 4


def _contact(s: str) -> bool:
    digits = sum(map(str.isdigit, s))
    return bool(_EMAIL.search(s) or _URL.search(s) or _LABEL.match(s) or _PLACEHOLDER.match(s)
                or (_PHONE.search(s) and digits >= 7) or _ADDRESS.search(s))


def _personal_contact(s: str) -> bool:
    """A phone number, an e-mail address or a labelled contact line."""
    digits = sum(map(str.isdigit, s))
    return bool(_EMAIL.search(s) or _LABEL.match(s) or (_PHONE.search(s) and digits >= 7))


def _role(s: str) -> bool:
    return bool(_ROLE.search(s) or _ORG.search(s))


def _signature_line(s: str) -> bool:
    """Could this line belong to a signature block (name, role, org, contact)?"""
    if len(s) > 90 or _LIST_ITEM.match(s) or s.startswith(">") or s.endswith(":"):
        return False
    if _sentence(s):
        return False  # "Call me on 07700 900123 if you want to join" is the member's
    if _contact(s):
        return True
    if len(s.split()) > 8 or s.endswith(("!", "?")) or (s.endswith(".") and not _role(s)):
        return False
    return bool(_role(s) or _NAME.match(s) or "|" in s)


def _loose_signature_line(s: str) -> bool:
    """A line that is no sentence: short, no end punctuation (but 'Ph.D.'), mostly
    capitalised words, digits or separators. Used only after a cue (a sign-off, the
    signed name repeated, the sender's name)."""
    if _signature_line(s):
        return True
    if len(s) > 90 or _LIST_ITEM.match(s) or s.startswith(">") or s.endswith((":", "!", "?", ",")):
        return False
    if _SENTENCE_END.search(s) and not _ABBREVIATION_END.search(s):
        return False
    words = _WORD.findall(s)
    if len(words) > (16 if _PIPE.search(s) else 8):
        return False
    cased = [w for w in words if w[0].lower() != w[0].upper()]  # CJK has no capitals
    if not cased:
        return len(s) <= 40
    capital = sum(1 for w in cased if w[0].isupper())
    return (2 * capital >= len(cased) or any(c.isdigit() for c in s)
            or bool(_PIPE.search(s)))


def _closing(s: str, greeting: bool = False) -> bool:
    """A sign-off: a known closing, or any short capitalised line ending with a comma (any
    language) unless it is the first line of the reply (`greeting`: "Hola," opens it)."""
    if _CLOSING.match(s):
        return True
    return (not greeting and s.endswith(",") and len(s.split()) <= 4 and s[0].isupper()
            and not any(c.isdigit() for c in s) and not _contact(s))


_PARENTHESIS = re.compile(r"\s*\([^()]{1,24}\)$")  # "Sam (they/them)", "Ana (she/her)"
_TITLE = re.compile(r"^(?:(?:dr|prof|med|dipl|ing|mag|mr|mrs|ms|mme|sr|sra|dott|dr\.\s?med)\.?"
                    r"(?:-\w+\.?)?\s+){1,3}", re.IGNORECASE)


def _name_line(s: str) -> bool:
    """A name alone: "Ana", "Sanne de Vries", "Dr. med. Klaus Richter", "Sam (they/them)"."""
    if len(s) > 50:
        return False
    s = _TITLE.sub("", _PARENTHESIS.sub("", s))
    if s.endswith(".") and not re.search(r"(?:^|\s|\.)\w{1,2}\.$", s):
        return False  # "Historia." is a sentence; "J." and "Ph.D." are a name's parts
    return bool(s) and (bool(_NAME.match(s)) or (len(s) <= 8 and bool(_CJK_NAME.match(s))))


def _folded(s: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(s)]


def _is_sender(s: str, sender_name: str) -> bool:
    """The line is the sender's display name (in either order), alone or before a
    separator ("Ana Ruiz | Nurse")."""
    name = _folded(sender_name)
    if not name:
        return False
    head = _folded(_TITLE.sub("", re.split(r"\s[|,–—-]\s|\s\|", s, maxsplit=1)[0]))
    return head == name or (len(name) >= 2 and sorted(head) == sorted(name))


def _repeats_signed_name(first: str, signed: str) -> bool:
    """"Katarzyna" then "Katarzyna Nowak": the block opens with the name just signed."""
    signed_words, first_words = _folded(signed), _folded(first)
    return (0 < len(signed_words) <= 2 and len(first_words) > len(signed_words)
            and first_words[: len(signed_words)] == signed_words and _name_line(first))


def _paragraph_top(lines: list[str], end: int) -> int:
    """First line of the paragraph ending at `end` (exclusive), or -1 when too long.

    One-line paragraphs (Word puts a blank line under each signature line) are taken
    together while every one of them is a signature line."""
    top = end
    while top > 0 and lines[top - 1].strip() and end - top < _MAX_BLOCK + 2:
        top -= 1
    if top > 0 and lines[top - 1].strip():
        return -1  # longer than any signature
    if end - top == 1:
        k, count = top, 1
        while (k >= 2 and not lines[k - 1].strip() and lines[k - 2].strip()
               and (k < 3 or not lines[k - 3].strip()) and count < _MAX_BLOCK
               and _signature_line(clean(lines[top]).strip())
               and _signature_line(clean(lines[k - 2]).strip())):
            k -= 2
            count += 1
        if count >= 3:
            return k
    return top


def _block_start(lines: list[str], end: int, sender_name: str = "", first: int = 0) -> int:
    """Where a signature block that is the last paragraph (ending at `end`) starts, or -1.

    See the module docstring for the rule (a, b, c) and what always stays."""
    top = _paragraph_top(lines, end)
    if top < 0:
        return -1
    para = [clean(x).strip() for x in lines[top:end] if x.strip()]
    above = top - 1
    while above >= 0 and not lines[above].strip():
        above -= 1
    before = clean(lines[above]).strip() if above >= 0 else ""
    above2 = above - 1
    before2 = clean(lines[above2]).strip() if above2 >= 0 and lines[above2].strip() else ""
    skip = 0
    if len(para) >= 3 and _closing(para[0], top <= first) and _name_line(para[1]):
        skip = 2  # "Warm wishes,\nAna" stays; what follows her name is the signature
    elif _closing(before, above <= first) and _name_line(para[0]) and len(para) >= 2:
        skip = 1  # the closing is the paragraph above: the name under it stays
    elif len(para) >= 3 and _name_line(para[0]) and _repeats_signed_name(para[1], para[0]):
        skip = 1  # "Peter\nPeter Holm\n...": the name he signed with stays
    elif (len(para) >= 2 and " " not in para[0] and _name_line(para[0])
          and any(_personal_contact(x) or _role(x) for x in para[1:])):
        skip = 1  # "Ana\nProgramme Coordinator\n...": she signed with her first name
    body = para[skip:]
    if not body or len(body) > _MAX_BLOCK or not before or before.endswith(":"):
        return -1
    if any(_POSTSCRIPT.match(x) for x in para[:3]) or all(_BARE_URL.fullmatch(x) for x in body):
        return -1  # a P.S., or links the member shares, after her name
    signed_off = skip > 0 or (_name_line(before) and _closing(before2, above2 <= first))
    cued = ((signed_off and (len(body) >= 2 or _PIPE.search(body[0]) or _role(body[0])))
            or _is_sender(body[0], sender_name)
            or (_name_line(before) and _repeats_signed_name(body[0], before)))
    # "Gary Hunt\nIT Manager\n..." with no closing: his name is his sign-off, it stays.
    own = (0 if skip or signed_off or len(body) < 2 or not _name_line(body[0])
           or _name_line(before) else 1)  # a name above: she signed there already
    if cued and (len(body) >= 2 or "|" in body[0] or skip) and all(
            _loose_signature_line(x) for x in body):
        return _line_of(lines, top, end, skip + own)
    if signed_off and _contact_block(body):
        return _line_of(lines, top, end, skip)  # role words we do not know ("jednatel")
    if not all(_signature_line(x) for x in body):
        return -1
    strong = sum(1 for x in body if _personal_contact(x) or _role(x))
    weak = sum(1 for x in body if _contact(x))
    if not strong and weak < (1 if skip else 2):
        return -1  # an address or a link alone may be the member's own words
    if not skip and not (_name_line(body[0]) or "|" in body[0]):
        return -1
    if not skip and len(body) < 2 and "|" not in body[0]:
        return -1  # one bare line
    return _line_of(lines, top, end, skip + own)


def _contact_block(body: list[str]) -> bool:
    """After the member's closing and name: a short block (at most eight short lines, no
    sentence) holding a contact line is her signature, whatever its role or organisation
    words ("jednatel", "Lærer, dansk og musik", "Mestra d'educació infantil")."""
    if not 2 <= len(body) <= 8 or not any(_contact(x) for x in body):
        return False
    return all(len(x) <= 80 and len(x.split()) <= 10 and not _sentence(x)
               and not _LIST_ITEM.match(x) and not x.startswith(">")
               and not x.endswith((":", "!", "?", ","))
               and not (_SENTENCE_END.search(x) and not _ABBREVIATION_END.search(x))
               for x in body)


def _line_of(lines: list[str], top: int, end: int, skip: int) -> int:
    """Index of the line after the first `skip` non-empty lines from `top`."""
    k = top
    while skip and k < end:
        if lines[k].strip():
            skip -= 1
        k += 1
    return k


def _separator_start(lines: list[str], end: int) -> int:
    """A line of dashes/underscores over a block of signature lines with a contact."""
    seen = 0
    bottom = end
    if end and _SEPARATOR.fullmatch(clean(lines[end - 1]).strip()):
        bottom = end - 1  # the block is framed: a rule under it too
    for k in range(bottom - 1, max(-1, bottom - 3 * _MAX_TAIL), -1):
        s = clean(lines[k]).strip()
        if not s:
            continue
        if _SEPARATOR.fullmatch(s):
            below = [clean(x).strip() for x in lines[k + 1 : bottom] if x.strip()]
            if k > 0 and below and all(_loose_signature_line(x) for x in below) and any(
                    _personal_contact(x) or _role(x) for x in below):
                return k
            return -1
        seen += 1
        if seen > _MAX_TAIL:
            break
    return -1


def strip_tail(lines: list[str], sender_name: str = "") -> int:
    """How many leading lines remain once signatures, mobile footers, list footers and
    disclaimers are removed from the end. `sender_name` (the From display name, optional)
    marks a trailing block that opens with it as a signature."""
    end = len(lines)
    first = next((k for k, x in enumerate(lines) if x.strip()), 0)
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
        if cut < 0 and (is_mobile_footer(last) or _FRAMED_TITLE.fullmatch(last)):
            cut = end - 1  # a footer, or the title of a history block cut below it
        if cut < 0:
            para = end - 1
            while para > 0 and lines[para - 1].strip():
                para -= 1
            if para > 0 and (_DISCLAIMER.match(clean(lines[para])) or _legal(lines[para:end])):
                cut = para
        if cut < 0:
            cut = _separator_start(lines, end)
        if cut < 0:
            cut = _block_start(lines, end, sender_name, first)
        if cut < 0:
            return end
        end = cut
