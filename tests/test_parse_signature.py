"""Signatures by structure (signature.py): what goes, and the member's words that always stay."""

from pathlib import Path

import pytest

from circle.parsing import parse_message, trim_reply
from circle.parsing.signature import is_mobile_footer, strip_tail
from tests.timing import assert_linear

FIXTURES = Path(__file__).parent / "fixtures" / "mail"


@pytest.mark.parametrize(
    ("closing", "block"),
    [
        ("Warm wishes,\nAna", "Ana Ruiz\nSenior Nurse\nSt Mary's Hospital | Paediatrics"),
        ("Liebe Grüße\nJonas", "Jonas Becker\nLehrer | Grundschule am Park\nTel. +49 30 1234567"),
        ("Cordialement,\nMarie", "Marie Dupont\nProfesseure des écoles\nÉcole Jean Jaurès, Lyon"),
        ("Un abrazo,\nLucía", "Lucía Fernández\nCoordinadora de voluntariado\nComedor San Blas"),
        ("Un caro saluto,\nGiulia", "Giulia Rossi\nInsegnante\nIstituto Comprensivo Dante"),
        ("Groetjes,\nSanne", "Sanne de Vries\nLeerkracht groep 5\nBasisschool De Regenboog"),
        ("Pozdrawiam serdecznie\nKatarzyna",
         "Katarzyna Nowak\nNauczycielka biologii\nSzkoła Podstawowa nr 3\nul. Długa 15, Kraków"),
        ("Beijinhos,\nAna", "Ana Costa\nEnfermeira | Hospital de Santa Maria\nTel: +351 21 123 4567"),
        ("Vänliga hälsningar,\nErik", "Erik Lind\nSamordnare | Läsecirkeln Söder\n070-123 45 67"),
        ("Kh\nPeter", "Peter Holm\nHead of Volunteers | Green Futures\n+45 20 30 40 50"),
    ],
)
def test_closing_and_name_stay_the_block_after_them_goes(closing: str, block: str):
    story = "This month we planted the orchard with the neighbours. It rained all day."
    for sep in ("\n\n", "\n"):
        text, elided = trim_reply(f"{story}\n\n{closing}{sep}{block}")
        assert text == f"{story}\n\n{closing}"
        assert block.split("\n")[-1] in elided


@pytest.mark.parametrize(
    "body",
    [
        # sentences after the sign-off are the member's
        "Story.\n\nBest,\nAna\n\nP.S. The photos are attached, sorry they are blurry.",
        "Story.\n\nWarm wishes,\nAna\n\nAnna and I went to the park on Sunday",
        "Story.\n\nBest regards,\nAna\n\nNext month I will write about the compost.",
        # names alone, with or without a colon, are the member's list
        "The day went well.\n\nThank you to the people who made it happen\n\nMaria Lopez\n"
        "Jan Kowalski\nKenji Sato",
        "Who came to help on Saturday:\n\nMaria Lopez\nJan Kowalski",
        # an address the member mentions
        "We met at Hauptstraße 5, Berlin.",
        "From May we meet somewhere else.\n\nStadtteilzentrum Mitte\nHauptstraße 5\n10827 Berlin",
        "Our new address will be:\nCommunity Hall\n12 High Street\nLeeds LS1 4AB",
        # a section break above more story is no signature separator
        "Hi,\n\n-----\n\nYesterday the children planted forty bulbs.\nThey were so proud.",
        # a repeated name alone, a kiss under the name
        "Story.\n\nCheers,\nPriya\n\nPriya Shah",
        "Story.\n\nLove\nGran\n\nxxx",
    ],
)
def test_the_members_words_are_never_a_signature(body: str):
    assert trim_reply(body)[0] == body


def test_signature_after_the_repeated_signed_name_without_a_closing():
    body = ("Story of the month.\n\nKatarzyna\n\nKatarzyna Nowak\nNauczycielka biologii\n"
            "Szkoła Podstawowa nr 3 w Krakowie")
    assert trim_reply(body)[0] == "Story of the month.\n\nKatarzyna"


def test_sender_name_marks_a_block_without_phone_or_role_words():
    lines = ["Story of the month.", "", "Ana Ruiz", "Hackney Allotment Society", "Plot 14"]
    assert strip_tail(lines) == 5  # no cue: the member may be naming a place
    # the block opens with her name and no closing: the name is her sign-off, it stays
    assert strip_tail(lines, sender_name="Ana Ruiz") == 3
    assert strip_tail(lines, sender_name="Ruiz, Ana") == 3
    assert strip_tail(lines, sender_name="Ben Smith") == 5


def test_separator_line_over_a_contact_block_and_one_line_per_paragraph():
    body = ("Story.\n\n----------------\n\nJohn Doe\n\nGreen Futures Trust\n\nt. 555-931-0702\n\n"
            "http://example.com/")
    assert trim_reply(body)[0] == "Story."
    word_lines = "Story.\n\nBest,\nTom\n\nTom Okafor\n\nVolunteer Coordinator\n\n+44 20 7946 0000"
    assert trim_reply(word_lines)[0] == "Story.\n\nBest,\nTom"


@pytest.mark.parametrize(
    "disclaimer",
    [
        "This email and any attachments are confidential and intended solely for the addressee.",
        "Diese E-Mail enthält vertrauliche Informationen. Wenn Sie nicht der richtige Adressat "
        "sind, informieren Sie bitte den Absender.",
        "Ce message et toutes les pièces jointes sont confidentiels.",
        "Este correo electrónico y sus anexos son confidenciales.",
        "Questo messaggio e i suoi allegati sono riservati.",
        "Dit bericht is uitsluitend bestemd voor de geadresseerde.",
        "Esta mensagem e os seus anexos são confidenciais.",
        "Detta e-postmeddelande är konfidentiellt.",
        "Niniejsza wiadomość jest poufna.",
        "Данное сообщение является конфиденциальным.",
        "Please consider the environment before printing this email.",
    ],
)
def test_disclaimers(disclaimer: str):
    text, elided = trim_reply("My story.\n\nBest,\nAna\n\n" + disclaimer)
    assert text == "My story.\n\nBest,\nAna"
    assert disclaimer in elided


@pytest.mark.parametrize(
    "footer",
    ["أرسلت من iPhone الخاص بي", "Στάλθηκε από το iPhone μου", "נשלח מה-iPhone שלי",
     "Sent from Mail for Windows", "Sent from Yahoo Mail on Android",
     "Sent with Proton Mail secure email.", "Get Outlook for iOS<https://aka.ms/o0ukef>",
     "Gesendet von Outlook für Android<https://aka.ms/AAb9ysg>",
     "Skickat med säker e-post från Proton Mail."],
)
def test_more_footers(footer: str):
    text, elided = trim_reply("My story.\n\nMaria\n\n" + footer)
    assert text == "My story.\n\nMaria"
    assert footer in elided


def test_ios_photo_reply_footer_part_is_no_attachment():
    for name in ("iphone_de_photo_reply_alternative", "iphone_de_photo_reply_html_parts"):
        parsed = parse_message((FIXTURES / f"{name}.eml").read_bytes())
        assert len(parsed.attachments) == 1
        assert parsed.attachments[0].startswith("IMG_2231.jpeg (image/jpeg")
        assert parsed.text.endswith("LG Heike")
        assert "iPhone" in parsed.elided


@pytest.mark.parametrize("title", ["-------- Orijinal mesaj --------",
                                   "‐‐‐‐‐‐‐ Original Message ‐‐‐‐‐‐‐", "----- Původní zpráva -----"])
def test_a_framed_history_title_left_last_goes(title: str):
    text, elided = trim_reply(f"My story.\n\nBest,\nAna\n\nSent from my Galaxy\n\n{title}")
    assert text == "My story.\n\nBest,\nAna"
    assert title in elided
    middle = "My story.\n\n----- Part two -----\n\nMore of my story."
    assert trim_reply(middle)[0] == middle


@pytest.mark.parametrize(
    "footer",
    ["Obtenir Outlook pour Android<https://aka.ms/AAb9ysg>", "Outlook für Android herunterladen",
     "Scarica Outlook per Android", "Pobierz aplikację Outlook dla systemu Android",
     "Trimis de pe iPhone", "Gửi từ iPhone của tôi", "Dikirim dari iPhone saya",
     "iPhone-ról küldve", "Inviato da Libero Mail per Android", "由我的 iPhone 发送"],
)
def test_footers_in_more_languages(footer: str):
    assert trim_reply("My story.\n\n" + footer)[0] == "My story."


@pytest.mark.parametrize(
    "last",
    ["I downloaded the app on my iPhone yesterday", "I'll download the Android app",
     "We got the Samsung tablet from the library, sent by the council."],
)
def test_a_last_sentence_about_a_phone_stays(last: str):
    body = "My story.\n\n" + last
    assert trim_reply(body)[0] == body


def test_smime_signature_part_is_no_attachment():
    parsed = parse_message((FIXTURES / "outlook_de_smime_signed_register_footer.eml").read_bytes())
    assert parsed.attachments == ()
    assert parsed.text.endswith("Mit freundlichen Grüßen\nSabine Hoffmann")


@pytest.mark.parametrize(
    "legal",
    ["Klinikum Nord gGmbH, Sitz: Hamburg, Amtsgericht Hamburg HRB 123456\n"
     "Geschäftsführung: Dr. Peter Lange",
     "Green Futures Ltd. Registered in England and Wales No. 01234567.\n"
     "Registered office: 1 High Street, Leeds LS1 1AA",
     "Jardins Partagés SAS au capital de 10 000 €, RCS Lyon 123 456 789"],
)
def test_company_register_footer_goes(legal: str):
    text, elided = trim_reply("My story.\n\nBest,\nAna\n\n" + legal)
    assert text == "My story.\n\nBest,\nAna"
    assert legal in elided


def test_a_story_about_the_court_stays():
    body = ("My story.\n\nLast week I finally went to the Amtsgericht with Mrs Krause at 9, "
            "and it was fine.")
    assert trim_reply(body)[0] == body


def test_strip_tail_is_linear_on_many_signature_like_blocks():
    def make(n: int) -> list[str]:
        return ["Story."] + ["", "----", "John Doe", "t. 555-931-0702"] * n

    assert_linear(make, strip_tail, 4000)


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("Hi,\n\nA story.\n\nThanks,\nSam (they/them)\nYouth Worker | Eastside Youth Club",
         "Hi,\n\nA story.\n\nThanks,\nSam (they/them)"),
        ("Hallo,\n\nEine Geschichte aus der Praxis.\n\nDr. med. Klaus Richter\n"
         "Facharzt für Allgemeinmedizin\nPraxis am Markt\nMarkt 3 · 04109 Leipzig",
         "Hallo,\n\nEine Geschichte aus der Praxis.\n\nDr. med. Klaus Richter"),
        # a greeting is no sign-off, a one-word sentence is no name: the sign-off stays
        ("Hola,\n\nHistoria.\n\nUn saludo,\nMARÍA GARCÍA\nCoordinadora\nAsociación Vecinal La Paz",
         "Hola,\n\nHistoria.\n\nUn saludo,\nMARÍA GARCÍA"),
    ],
)
def test_titles_pronouns_and_capitals(body: str, text: str):
    assert trim_reply(body)[0] == text


@pytest.mark.parametrize(
    "after",
    ["PS\nThe Garden Club meets Tuesday", "P.S. Maria Lopez\nBen Smith",
     "https://photos.example/album1\nhttps://photos.example/album2"],
)
def test_a_postscript_or_links_after_the_name_stay(after: str):
    body = f"My story.\n\nBest,\nAna\n\n{after}"
    assert trim_reply(body)[0] == body


def test_a_first_name_signed_above_a_signature_stays():
    body = "Story.\n\nAna\nProgramme Coordinator | Green Futures\n+44 20 7946 0000"
    assert trim_reply(body)[0] == "Story.\n\nAna"
    names = "Story.\n\nMaria\nJan\nKenji"  # first names alone: no role, no contact
    assert trim_reply(names)[0] == names


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("皆さま\n\n今月の失敗について書きます。\n\nよろしくお願いします。\n山田\n\n"
         "――――――――――――――\n山田 花子（Yamada Hanako）\nさくら小学校 教諭\n"
         "〒150-0001 東京都渋谷区神宮前1-2-3\nTEL: 03-1234-5678\n――――――――――――――",
         "皆さま\n\n今月の失敗について書きます。\n\nよろしくお願いします。\n山田"),
        ("大家好，\n\n这是我的故事。\n\n谢谢！\n李明\n\n━━━━━━━━━━\n李明\n阳光社区服务中心 社工\n"
         "电话：138 0013 8000\n━━━━━━━━━━", "大家好，\n\n这是我的故事。\n\n谢谢！\n李明"),
        # a P.S. in Japanese after the name stays
        ("今月の話です。\n\nよろしくお願いします。\n山田\n\n追伸：写真は来週送ります\n田中さんにもよろしく",
         "今月の話です。\n\nよろしくお願いします。\n山田\n\n追伸：写真は来週送ります\n田中さんにもよろしく"),
    ],
)
def test_framed_signatures_in_cjk(body: str, text: str):
    assert trim_reply(body)[0] == text


@pytest.mark.parametrize(
    "body",
    ["Story.\n\n—\nCall me on 07700 900123 if you want to join us",
     "Story.\n\nBest,\nAna\n\nAna Ruiz\nwrite to me at ana@example.org and I will send the plan"],
)
def test_a_sentence_with_a_phone_or_address_is_no_signature_line(body: str):
    assert trim_reply(body)[0] == body


def test_a_wrapped_line_ending_in_a_comma_is_no_sign_off():
    body = ("We planted the whole hedge on Saturday\nand with us were,\n\nMaria Lopez\n"
            "Jan Kowalski\nKenji Sato")
    assert trim_reply(body)[0] == body


@pytest.mark.parametrize(
    ("body", "text"),
    [
        # after the closing and name, a short block with a contact line goes whatever its
        # role words (lower-case or unknown ones)
        ("Story.\n\nS pozdravem\nJan\n\nIng. Jan Dvořák\nmistr\nDílna Dvořák s.r.o.\n"
         "Tel.: +420 777 123 456", "Story.\n\nS pozdravem\nJan"),
        ("Story.\n\nΜε εκτίμηση,\nΕλένη Παππά\nνοσηλεύτρια\nΤηλ. 210 555 0101",
         "Story.\n\nΜε εκτίμηση,\nΕλένη Παππά"),
        ("Story.\n\nMed vänlig hälsning\nAnna Berg\nbibliotekarie\nTel 08-555 123 45",
         "Story.\n\nMed vänlig hälsning\nAnna Berg"),
        ("物語です。\n\n此致\n李明\n北京市第一中学 语文教师\n电话: 010-5555-1234",
         "物語です。\n\n此致\n李明"),
        ("이야기입니다.\n\n감사합니다.\n김민준\n서울초등학교 교사\n전화: 02-555-1234",
         "이야기입니다.\n\n감사합니다.\n김민준"),
        ("Story.\n\nVenlig hilsen\n\nMette Holm\nsygeplejerske, børneafdelingen\n"
         "Tlf. 86 82 00 11", "Story.\n\nVenlig hilsen\n\nMette Holm"),
        # no closing: the block opens with his name, the name stays
        ("Approved.\n\nTom Reed\nIT Manager\nOldCorp Inc.", "Approved.\n\nTom Reed"),
    ],
)
def test_contact_block_after_sign_off_goes_whatever_the_role_words(body: str, text: str):
    assert trim_reply(body)[0] == text


@pytest.mark.parametrize(
    "body",
    [
        # damage: her words after her name are hers (sentences, a question, a P.S.)
        "Story.\n\nWarm wishes,\nAna\n\nwe meet at the hall, 12 Rose Street, every week now.\n"
        "call me on 07700 900123 if you would like to come along with us",
        "Story.\n\nBest,\nAna\n\nCan you come?\nTel 07700 900123",
        "Story.\n\nBest,\nAna\n\nP.S. my number changed\n07700 900123",
        "Story.\n\nBest,\nAna\n\nThings to bring:\n12 Rose Street",
    ],
)
def test_words_after_the_name_that_are_no_signature_stay(body: str):
    assert trim_reply(body)[0] == body


@pytest.mark.parametrize(
    "line",
    ["أُرسلـت من الـ iPhone", "נִשְׁלַח מה-iPhone שלי", "Sent from my Verizon, Samsung Galaxy smartphone",
     "Sent via the Samsung Galaxy S23, an AT&T 5G smartphone",
     "Skaffa Outlook för Android<https://aka.ms/AAb9ysg>",
     "Outlook for Android の入手<https://aka.ms/AAb9ysg>",
     "Obtenha o Outlook para Android<https://aka.ms/AAb9ysg>",
     "Holen Sie sich Outlook für Android<https://aka.ms/AAb9ysg>",
     "Ottieni Outlook per Android", "Hent Outlook til Android"],
)
def test_more_mobile_footers(line: str):
    assert is_mobile_footer(line)


def test_a_sentence_naming_a_phone_with_a_comma_is_no_footer():
    assert not is_mobile_footer("I sent it from my iPhone, sorry for the typos")


def test_framed_title_with_a_hyphen_in_a_word_goes():
    assert trim_reply("Story.\n\nJiří\n\n---------- Původní e-mail ----------")[0] == (
        "Story.\n\nJiří")
