"""Requests in plain words: "could you pause my mail until March?", "bitte anonym", "merci à Ana".

A request is read sentence by sentence in English, German, French, Spanish, Dutch, Portuguese
and Italian, and becomes the command it means (PAUSE UNTIL <the date as written>, PAUSE, PASS,
STOP, RESUME, ANONYMOUS, PRIVATE, THANKS <name>: <words>). `alone` says whether the message is
only the request (greetings, closings and a name aside): then it is applied like the command;
otherwise the story is kept and the request is only proposed to the steward.

Rules are conservative: a sentence about the member's life that happens to use one of these
words ("the silence was a pause I needed") is no request, because each pattern needs the
member's mail, the circle, a story or a person as its object, or a request cue ("please").
Decisions, each written where it is made:
- a negation just before the words undoes them ("please don't stop sending these");
- "paused" is a request only as a state asked for ("keep my emails paused"), never a past
  tense ("when I last paused"); "I'll pass" only on its own or with this time / month / round
  ("I'll pass this on to my colleagues" is no PASS); RESUME needs an object or to stand alone;
- "anonymous" needs a cue (please, keep, publish, could you...) unless the words name the name
  ("without my name"): "my anonymous donor" is a story;
- a STOP for a while ("keine Mails mehr über die Feiertage", "stop sending me emails for
  now") is a PAUSE: the member can undo a pause, not a stop;
- a thanks is alone only when little is written besides its own sentence; "thanks to Maya's
  question" means "because of", no thanks;
- a request is the member asking for themselves: "unsubscribe" needs me/my as its object, a
  cue (please, I want to, can you) or to stand alone ("the unsubscribe link is broken",
  "Unsubscribe rates went up" are nouns, and so is any STOP word naming a link, button,
  page or figure: "le lien de désinscription", "der Abmelden-Link"); "opt out" needs the
  member as its subject ("I want to opt out", "opt me out"); "resume the ..." only with
  the mail as object ("let's resume the discussion" is none); "I'm back in" only opening
  its sentence ("the reset link worked, I'm back in" is about a login);
- PRIVATE in plain words: "only for the steward" in seven languages ("solo per la steward",
  "nur für die Steward"), and a wish that it stays private with a subjunctive or an "it /
  my story" subject ("che restasse privata", "que quedara privada", "que fique privada",
  "dat het privé blijft", "I'd rather it stayed private"); "the garden stays private" is a
  story;
- an object pronoun joined to the verb counts as the member's mail ("mettermi in pausa",
  "ponerme en pausa").
"""

from __future__ import annotations

import re

from circle.parsing.commands import strip_reply_prefixes
from circle.parsing.prefilter import Prefilter
from circle.parsing.types import Command, Request
from circle.parsing.when import as_day, find_until

_I = re.IGNORECASE

_PAUSE = re.compile(
    r"\bpause\s+(?:my|me|us|the|all|sending|(?:e-?)?mails?|until|till|for|from|this|it|them)\b"
    r"|(?:please|pls|kindly|can\s+you|could\s+you|would\s+you|to|i['’]d\s+like\s+to)\s+pause\b"
    r"|^\s*pause\b|\bpausing\b|\bon\s+pause\b|\b(?:a|eine)\s+pause\s+(?:from|von|vom)\b|\b(?:keep|be|get|stay|have)\s+(?:\w+\s+){0,2}?paused\b|\bon\s+hold\b|\btake\s+a\s+break\b|\bstop\s+(?:sending|the\s+e?-?mails?)"
    r"|\bpausier\w*|\bpause\s+(?:machen|einlegen)|\baussetzen\b|\bkeine\s+(?:(?:e-?)?mails?|post|nachrichten)"
    r"|\bmettre\s+en\s+pause|\ben\s+pause\b|\bsuspend\w*|\bune\s+pause\b"
    r"|\bpausar?\b|\bpausem\b|\bpausa\b|\bpausad\b|\bpausen\b|\bhold\s+(?:my|the|all)\s+(?:(?:e-?)?mails?|post)\b"
    r"|\bzet\b[^.!?\n]{0,30}\bstil\b|\bno\s+(?:me\s+)?(?:envíe|envie|mandes|mande)\w*"
    r"|\bpauze\w*|\beven\s+geen\s+(?:(?:e-?)?mails?|post)|\bstilzetten\b|\bpauzeren\b"
    r"|\bparar\s+de\s+(?:me\s+)?(?:enviar|receber)|\bsospend\w*|\bin\s+pausa\b",
    _I)
_MAIL_OBJECT = re.compile(
    r"\b(?:me|my|mich|mir|meine?n?|moi|mes|mon|me|mis|mi|mij|mijn|me|meus?|minhas?|mi|mie?i?|"
    r"circle|kreis|cercle|círculo|circulo|kring|cerchio|(?:e-?)?mails?|mails?|post|courriels?|correos?|"
    r"correio|posta|newsletter)\b|\b\w{3,}(?:rmi|temi|rme|dme|teme)\b|\bplease\b|\bbitte\b|s['’]il\s+(?:vous|te)\s+pla[iî]t|"
    r"\bpor\s+favor\b|\balsjeblieft\b|\bgraag\b|\bper\s+favore\b|\bthis\s+month\b", _I)
# Sitting out this round: a "this round" phrase and a "not taking part" phrase in one
# sentence, in either order, a few words apart (bounded gaps: linear).
_THIS_ROUND = (r"(?:this\s+(?:month|round|time|one)|diesen\s+monat|diese\s+runde|diesmal|"
               r"ce\s+mois(?:-ci)?|cette\s+fois(?:-ci)?|este\s+mes|esta\s+vez|esta\s+ronda|"
               r"deze\s+(?:maand|keer|ronde)|dit\s+keer|este\s+m[eê]s|desta\s+vez|esta\s+rodada|"
               r"questo\s+mese|questa\s+volta|questo\s+giro)")
_SIT_OUT = (r"(?:(?:won['’]?t|can['’]?t|cannot|will\s+not|not\s+be\s+able\s+to)\s+"
            r"(?:be\s+able\s+to\s+)?"
            r"(?:contribute|take\s+part|participate)|nothing\s+from\s+me|"
            r"sit\s+(?:\w+\s+){0,2}out|nicht\s+dabei|nicht\s+mit(?:machen)?|kein\s+beitrag|"
            r"ne\s+participe(?:rai)?\s+pas|je\s+saute|rien\s+de\s+ma\s+part|no\s+participo|"
            r"no\s+voy\s+a\s+participar|doe\s+ik\s+niet\s+mee|niet\s+mee|eu\s+passo|"
            r"não\s+(?:vou\s+)?particip\w+|non\s+partecip\w+|niente\s+da\s+parte\s+mia)")
_PASS = re.compile(
    rf"\b{_THIS_ROUND}\b[^.!?\n]{{0,40}}?\b{_SIT_OUT}\b|\b{_SIT_OUT}\b[^.!?\n]{{0,40}}?\b{_THIS_ROUND}\b|"
    r"\bsit(?:ting)?\s+(?:this|that)\s+(?:one|month|round)\s+out\b|"
    r"\b(?:skip|pass(?:\s+on)?|sit\s+out|sitting\s+out|miss)\s+(?:me\s+|us\s+)?(?:for\s+)?(?:this|the)\s+"
    r"(?:month|round|time|one)"
    r"|\bi(?:['’]ll|\s+will|\s+must|\s+have\s+to|['’]d\s+better)\s+pass\b"
    r"(?=\s*(?:[.!,;:)-]|$|this\s+(?:time|month|round)|on\s+(?:this|that)\s+(?:one|month|round|time)))|\bcount\s+me\s+out\s+this"
    r"|\bsetze?\s+(?:ich\s+)?(?:diesen\s+monat|diese\s+runde|diesmal)\s+aus"
    r"|\b(?:diesen\s+monat|diese\s+runde|diesmal)\s+(?:setze\s+ich\s+)?aus\b|\büberspring\w*"
    r"|\b(?:diesen\s+monat|diese\s+runde|diesmal)\b[^.!?\n]{0,40}\baus(?:setzen|lassen)\b"
    r"|\baussetzen\b[^.!?\n]{0,30}\b(?:diesen\s+monat|diese\s+runde|diesmal)\b"
    r"|\bje\s+passe\s+(?:mon\s+tour|ce\s+mois|cette\s+fois)|\bpasser\s+mon\s+tour"
    r"|\bsauter\s+ce\s+mois|\bpaso\s+(?:este\s+mes|esta\s+vez|esta\s+ronda|de\s+este)"
    r"|\bme\s+salto\s+(?:este|esta)|\bsla\s+(?:ik\s+)?(?:deze|dit)\s+(?:maand|ronde|keer)\s+over"
    r"|\bik\s+sla\s+\w+\s+(?:maand|ronde|keer)\s+over"
    r"|\b(?:deze|dit)\s+(?:maand|ronde|keer)\s+sla\s+ik\s+(?:\w+\s+)?over\b|\bvou\s+passar\s+(?:este|esta|a\s+vez)"
    r"|\bpasso\s+(?:este|esta|questo|il\s+turno|questa)|\bsalto\s+(?:questo|questa|il\s+turno)"
    r"|\b(?:saltare|salterò|saltiamo|passare|salta(?:te)?mi)\s+(?:questo\s+(?:mese|giro)|questa\s+volta|"
    r"il\s+(?:mio\s+)?turno)"
    r"|\b(?:este\s+mes|esta\s+vez|esta\s+ronda)\s+(?:yo\s+)?(?:paso|me\s+lo\s+salto|me\s+salto)\b"
    r"|\bpular\s+(?:este|esta)",
    _I)
# "unsubscribe" is asked for only by the member for themselves: with me/us/my as its object,
# after please / I want to / can you..., or standing alone; "the unsubscribe link is broken"
# and "Unsubscribe rates went up" are nouns in a story (a third-party subject).
_UNSUBSCRIBE = (
    r"\bunsubscribe\s+(?:me|us|my|myself)\b"
    r"|\b(?:please|pls|kindly|can\s+you|could\s+you|would\s+you|(?:want|wish|like|need|"
    r"decided|have|going)\s+to|i\s+(?:will|shall)|how\s+(?:do|can)\s+i|let\s+me)\s+unsubscribe\b"
    r"|^\W*unsubscribe\b(?:\s+(?:please|me|now|from\s+(?:this|the|all)\b[^.!?]{0,30}))?\W*$")
_STOP = re.compile(
    _UNSUBSCRIBE + r"|\btake\s+me\s+off\b|\bremove\s+me\b|\bleave\s+the\s+circle\b"
    r"|(?:^|\bi\s+(?:want\s+to\s+|wish\s+to\s+|would\s+like\s+to\s+|['’]d\s+like\s+to\s+)?|"
    r"please\s+|let\s+me\s+|how\s+(?:do|can)\s+i\s+)opt\s+out\b|\bopt\s+me\s+out\b"
    r"|\bstop\s+(?:sending|e-?mailing)\s+me\b|\bno\s+longer\s+(?:want|wish)\s+to\s+(?:receive|be)"
    r"|\babmelden\b|\bmelde[nt]?\s+mich\s+(?:\w+\s+){0,3}ab\b|\baustragen\b"
    r"|\btrag(?:t|en)?\s+(?:sie\s+)?mich\s+(?:\w+\s+){0,4}aus\b"
    r"|\bmich\s+\w*\s*aus\s+dem\s+verteiler"
    r"|\bkeine\s+(?:(?:e-?)?mails?|post)\s+mehr\b|\b(?:kreis|gruppe)\s+verlassen\b|\baustreten\b"
    r"|\bdésinscri\w*|\bdésabonn\w*|\bdesinscri\w*|\bretirez[- ]moi\b"
    r"|\bne\s+(?:plus|veux\s+plus)\s+recevoir|\bne\s+plus\s+m['’]\s*envoyer"
    r"|\bquitter\s+le\s+cercle\b|\b(?:dar|darme|dame|deme|denme|dadme)\s+de\s+baja\b"
    r"|\bb[oó]rr(?:a|e|en|ad)me\b"
    r"|\bno\s+quiero\s+recibir\s+más\b|\bdejar\s+el\s+c[ií]rculo\b|\bafmelden\b|\buitschrijven\b"
    r"|\bschrijf\s+me\s+uit\b|\bhaal\s+me\s+(?:van|uit)\b|\bgeen\s+(?:(?:e-?)?mails?|mails)\s+meer\b"
    r"|\buit\s+de\s+kring\b|\bdescadastr\w*|\bcancelar\s+(?:a\s+)?(?:minha\s+)?inscrição"
    r"|\bme\s+remov\w*|\bremovam-me\b|\b(?:tir|retir|remov)(?:em|e|ar|a)-me\s+d[aoe]s?\b|\buit\s+te\s+schrijven\b|\bschrijf\s+mij\s+uit\b|\bnão\s+quero\s+(?:mais\s+)?receber\b|\bsair\s+do\s+c[ií]rculo"
    r"|\bdisiscriv\w*|\bcancellatemi\b|\bcancellarmi\b|\btoglietemi\b|\bnon\s+voglio\s+più\s+ricevere"
    r"|\blasciare\s+il\s+cerchio\b|\b(?:salir(?:me)?|irme|marcharme)\s+del\s+(?:c[ií]rculo|grupo)\b"
    r"|\buscire\s+dal\s+(?:cerchio|gruppo)\b|\bsair\s+do\s+grupo\b",
    _I)
_RESUME = re.compile(
    r"\bresume\s+(?:my|the\s+(?:e-?mails?|mails?|messages|questions|newsletter|digest|"
    r"circle)|sending|e?-?mails?|mail|me)\b|\bplease\s+resume\b|^\s*resume\s*(?:please)?[.!]*$"
    r"|\bunpause\b|\b(?:start|begin)\s+(?:sending|my\s+mail|the\s+e?-?mails?)\s*(?:\w+\s+){0,3}again"
    r"|\bwieder\s+(?:in\s+den\s+verteiler\s+)?aufnehmen\b|\bwieder\s+(?:schicken|senden|zuschicken)\b"
    r"|\b(?:mandar|enviar)(?:me|nos)?\b[^.!?\n]{0,30}\b(?:otra\s+vez|de\s+nuevo)\b"
    r"|\bsend\s+me\s+(?:\w+\s+){0,2}again\b|\bcount\s+me\s+(?:back\s+)?in\s+again\b"
    r"|^(?:(?:ok(?:ay)?|so|well|yes|great|good\s+news|and)\W+)?i['’]?m\s+back\s+in\b"
    r"(?=\s*(?:[.!,;]|$|again\b|for\s+the\s+next\b))"
    r"|\bwieder\s+(?:(?:e-?)?mails?|mails?|post|nachrichten)\b|\bbin\s+wieder\s+dabei\b|\bpause\s+beenden\b"
    r"|\breprendre\s+(?:les|mes)\b|\b(?:de\s+nouveau|à\s+nouveau)\s+(?:recevoir|les)\b"
    r"|\brenvoyez[- ]moi\b"
    r"|\brecommencer\s+à\s+(?:m['’]\s*envoyer|recevoir)"
    r"|\breanudar\b|\bvolver\s+a\s+(?:recibir|enviar|mandar)\w*|\bde\s+nuevo\s+(?:los|el)\s+correos?\b"
    r"|\bweer\s+(?:(?:e-?)?mails?|mails?|post)\b|\bweer\s+meedoen\b|\bhervatten\b"
    r"|\b(?:stuur|stuurt|sturen)\s+(?:\w+\s+){0,4}weer\b"
    r"|\bretomar\b|\bvoltar\s+a\s+(?:receber|enviar|mandar)\w*|\bde\s+novo\s+os\b"
    r"|\b(?:riprendere|ricominciare|tornare)\s+a\s+(?:ricevere|mandar|inviar)\w*|\bdi\s+nuovo\s+(?:le|i)\s+(?:e-?mail|mail|messaggi)\b",
    _I)
_ANONYMOUS = re.compile(
    r"\b(?:don['’]?t|do\s+not|please\s+don['’]?t)\s+(?:publish|share|use|include|print|mention)\s+"
    r"my\s+name\b|\banonym\w*|\bwithout\s+my\s+name\b|\bleave\s+(?:out\s+)?my\s+name\s+(?:out|off)?"
    r"|\bohne\s+(?:meinen\s+)?namen\b|\banonyme?s?\b|\bsans\s+(?:mon\s+)?nom\b|\ban[oó]nim\w*"
    r"|\bsin\s+(?:mi\s+)?nombre\b|\banoniem\w*|\bzonder\s+(?:mijn\s+)?naam\b|\banônim\w*"
    r"|\bsem\s+(?:o\s+)?(?:meu\s+)?nome\b|\banonim\w*|\bsenza\s+(?:il\s+)?(?:mio\s+)?nome\b",
    _I)
_PRIVATE = re.compile(
    r"\b(?:only|just)\s+for\s+(?:you|the\s+steward)\b|\bbetween\s+(?:you\s+and\s+me|us)\b"
    r"|\b(?:don['’]?t|do\s+not|please\s+don['’]?t)\s+(?:share|publish|include)\s+(?:this|it|that|"
    r"my\s+(?:story|words|reply|message|answer))\b"
    r"|\bnot\s+(?:be\s+)?(?:shared|published|in\s+the\s+digest)\b|\bkeep\s+(?:it|this)\s+private\b"
    r"|\bsteward\s+only\b|\bnur\s+für\s+(?:dich|sie|euch)\b|\bnicht\s+(?:teilen|veröffentlichen)\b"
    r"|\bnicht\s+(?:mit\s+der\s+gruppe|im\s+rundbrief)\b|\bunter\s+uns\b|\bvertraulich\b"
    r"|\b(?:seulement|uniquement)\s+pour\s+(?:toi|vous)\b|\bne\s+pas\s+(?:le\s+|la\s+)?(?:partager|publier)\b"
    r"|\bentre\s+nous\b|\bsolo\s+para\s+(?:ti|usted)\b|\bno\s+lo\s+(?:compartas|publiques|compartan|publiquen)\b"
    r"|\bentre\s+nosotros\b|\balleen\s+voor\s+(?:jou|u|jullie)\b|\bniet\s+(?:delen|publiceren)\b"
    r"|\bonder\s+ons\b|\b(?:só|apenas)\s+para\s+(?:você|ti|vocês)\b|\bnão\s+(?:compartilhe|partilhe|publique)\b"
    r"|\bentre\s+nós\b|\bsolo\s+per\s+te\b|\bnon\s+(?:condividere|pubblicare|condividetelo|pubblicatelo)\b"
    r"|\btra\s+(?:di\s+)?noi\b"
    # "solo per la steward", "nur für die Steward", "alleen voor de steward"
    r"|\b(?:only|just|nur|solo|sólo|só|apenas|alleen|seulement|uniquement)\s+(?:for|für|per|para|"
    r"pour|voor)\s+(?:(?:the|die|den|la|il|lo|el|a|o|de|le)\s+|l['’]\s*)?steward\w*"
    # "preferirei che restasse privata", "preferiría que quedara privada", "prefiro que fique
    # privada", "I'd rather it stayed private": a staying-private verb before the word, or
    # "dat het privé blijft", "privat bleibt" after it (a few words apart at most)
    r"|\b(?:restasse|resti|restino|rimanga|rimanesse|quede|quedara|quedase|se\s+mantenga|fique|"
    r"ficasse|que\s+(?:ça|cela|ce\s+(?:texte|message)|mon\s+\w+)\s+reste|(?:it|this|that|my\s+"
    r"(?:story|words|reply|message|answer))\s+(?:stays?|stayed|remains?|remained)|keep\s+(?:it|"
    r"this|that|my\s+(?:story|words|reply|message|answer)))\s+(?:\w+\s+)?(?:privat[oaei]|"
    r"privad[oa]s?|privée?|private|confidenziale|confidencial)\b"
    r"|\b(?:privat|privé|private)\s+(?:\w+\s+)?(?:bleib\w*|blijf\w*|blijven|houden|halten|behalten)\b",
    _I)
# "No more mails over the holidays": a stop for a while is a pause (undone by RESUME; a STOP
# is not undone by the member), so a STOP sentence with a time qualifier pauses.
_FOR_A_WHILE = re.compile(
    r"\b(?:for\s+(?:a\s+while|now|the\s+(?:holidays?|summer|winter|moment|time\s+being))|"
    r"over\s+the\s+(?:holidays?|summer|christmas|break)|during|until|till|"
    r"über\s+(?:die|den)|während|vorerst|vorläufig|eine\s+(?:weile|zeit\s*lang)|bis|"
    r"pendant|pour\s+(?:le\s+moment|l['’]instant|un\s+temps)|jusqu|durante|por\s+(?:un\s+tiempo|"
    r"ahora|el\s+momento|enquanto|agora)|hasta|tijdens|voorlopig|even|tot|"
    r"per\s+(?:ora|un\s+po|il\s+momento)|fino|até)\b", _I)
# "The unsubscribe link is broken", "le lien de désinscription", "der Abmelden-Link",
# "Unsubscribe rates": a STOP word naming a link, button, page or figure is a noun of a story.
_NOUN_AFTER = re.compile(
    r"^[-\s]*(?:links?|lien|enlace|knop|knopf|button|bouton|botón|botão|pulsante|rates?|taux|"
    r"tasa|taxa|tasso|template|footer|page|seite|pagina|página|formular|form)\b", _I)
_NOUN_BEFORE = re.compile(
    r"\b(?:links?|lien|enlace|bouton|botón|knop|knopf|pulsante|botão|button|page|seite|pagina|"
    r"página|formulaire|formulario)\s+(?:\w+\s+){0,2}$", _I)
# A request asked as a question and refused at once is rhetorical.
_REFUSAL = re.compile(
    r"^(?:never|no\s+way|not\s+a\s+chance|of\s+course\s+not|certainly\s+not|not\s+me|"
    r"niemals|nie|nie\s+im\s+leben|auf\s+keinen\s+fall|kommt\s+nicht\s+in\s+frage|jamais|"
    r"certainement\s+pas|pas\s+question|nunca|ni\s+hablar|de\s+ninguna\s+manera|nooit|"
    r"geen\s+sprake\s+van|nem\s+pensar|jamais|de\s+jeito\s+nenhum|mai|per\s+niente|"
    r"neanche\s+per\s+sogno)\b", _I)
# A negation just before a request's words undoes it ("please don't stop sending these",
# "ich will nicht aussetzen"); PRIVATE and ANONYMOUS are negative by nature and not checked.
_NEGATED = re.compile(
    r"\b(?:don['’]?t|do\s+not|never|not|nicht|nie|niemals|jamais|nunca|niet|nooit|não|"
    r"ne|n['’])\W+(?:\w+\W+){0,2}$", _I)
# "anonymous" alone is a word of a story ("my anonymous donor"): a request says so with a cue
# (please, keep, publish, could you...) or names the name ("without my name").
_NAMED = re.compile(r"\b(?:name|namen|nom|nombre|naam|nome)\b", _I)
_ANON_CUE = re.compile(
    r"\b(?:please|pls|keep|publish|post|share|print|make|stay|remain|leave|put|can\s+you|could\s+you|"
    r"would\s+like|i['’]?d\s+like|i\s+want|i\s+prefer|as|bitte|gerne?|lieber|veröffentlich\w*|"
    r"teil\w*|stell\w*|möchte|kannst|könnt|s['’]il|merci\s+de|publie\w*|partag\w*|garde\w*|"
    r"pouvez|pourriez|je\s+préf[eè]re|por\s+favor|publica\w*|publique\w*|compart\w*|"
    r"mantenga\w*|quiero|prefiero|puedes|podéis|podrías|graag|alsjeblieft|alstublieft|"
    r"publiceer\w*|plaats\w*|deel|houd|wil|kun\s+je|kunt\s+u|quero|prefiro|podem|"
    r"partilh\w*|per\s+favore|pubblica\w*|condividi\w*|mantieni|tienilo|voglio|preferisco|"
    r"potete|puoi|in\s+forma|en\s+forma|de\s+forma|em\s+forma|en|als)\b", _I)
_NAME = r"(?P<name>[A-ZÀ-ÖØ-Þ][\w'’-]+(?:\s+[A-ZÀ-ÖØ-Þ][\w'’-]+)?)"
_THANKS = re.compile(
    rf"(?i:\b(?:please\s+)?(?:thank(?:s|\s+you)?(?:\s+to)?|say\s+thanks\s+to|pass\s+on\s+my\s+thanks\s+to|my\s+thanks\s+to)"
    rf"|\b(?:bitte\s+)?(?:danke?\s+an|danke|richte\s+\w+\s+meinen\s+dank\s+an|bedanke\s+mich\s+bei)"
    rf"|\bmerci\s+à|\bremerci\w*|\bgracias\s+a|\bagradec\w*\s+a|\bdale\s+las\s+gracias\s+a"
    rf"|\bbedank\w*|\bdank\s+(?:je\s+wel\s+)?aan|\bobrigad[oa]\s+(?:à|a|ao)|\bagradeça\s+(?:à|a|ao)"
    rf"|\bgrazie\s+a|\bringrazi\w*)\s+{_NAME}(?P<rest>[^\n.!?]*)",
    re.MULTILINE)
_THANKS_VIA = re.compile(  # the name before the thanks: "richtet Maya meinen Dank aus"
    rf"(?i:\b(?:bitte\s+)?richte[tn]?\s+(?:bitte\s+)?){_NAME}(?i:\s+(?:meinen|unseren|herzlichen|"
    rf"einen)\s+(?:herzlichen\s+|lieben\s+)?dank\s+aus)(?P<rest>[^\n.!?]*)",
    re.MULTILINE)
_SENTENCE = re.compile(r"(?:[^.!?\n]+|(?<=\d)\.(?=\s*\w))+[.!?]*")  # "1. März" is no full stop
_GREETING = re.compile(
    r"^(?:hi|hello|hey|dear|hallo|liebe[rs]?|guten\s+tag|bonjour|salut|cher|chère|hola|querid[oa]s?|"
    r"beste|hoi|olá|ola|oi|caro|cara|ciao|salve|buongiorno)\b[^.!?\n]{0,40}[,!.:]?$", _I)
_CLOSING = re.compile(
    r"^(?:thanks?(?:\s+you)?|thank\s+you|cheers|best|regards|love|warmly|danke|viele\s+grüße|"
    r"liebe\s+grüße|lg|grüße|merci|bien\s+à\s+(?:vous|toi)|cordialement|bises|gracias|saludos|"
    r"un\s+abrazo|abrazos|bedankt|groet(?:jes|en)?|hartelijke\s+groet|obrigad[oa]|abraços?|"
    r"beijos?|grazie|saluti|un\s+abbraccio|cari\s+saluti)\b[^.!?\n]{0,30}$", _I)
_GRATITUDE = re.compile(
    r"^(?:thanks?|thank\s+you|many\s+thanks|cheers|danke|vielen\s+dank|herzlichen\s+dank|merci|"
    r"un\s+grand\s+merci|gracias|muchas\s+gracias|mil\s+gracias|bedankt|dank\s+je|"
    r"hartelijk\s+dank|obrigad[oa]|muito\s+obrigad[oa]|grazie|mille\s+grazie)\b", _I)
_GRATITUDE_WORDS = 20
_NAME_LINE = re.compile(r"^[\w'’.-]+(?:\s+[\w'’.-]+)?[.!]?$")
_ANY_REQUEST = Prefilter(_STOP, _PASS, _RESUME, _PAUSE, _PRIVATE, _ANONYMOUS)
_ONE = {p: Prefilter(p) for p in (_STOP, _PASS, _RESUME, _PAUSE, _PRIVATE, _ANONYMOUS)}
_ANY_THANKS = Prefilter(_THANKS, _THANKS_VIA)
_MAX_REQUEST_CHARS = 400  # a longer sentence is part of a story, not a request of its own
_MAX_FILLER_CHARS = 120  # greetings, closings and name lines are short
_MAX_LINE_CHARS = 5000  # a paragraph longer than this is read for its length only
_THANKS_LINES = 3  # a thanks opens the message: lines read past its sixth word
_ALONE_WORDS = 12  # words besides the request, greeting and closing that still make it alone
# ANONYMOUS / PRIVATE are about a story: any words of substance besides are that story
# ("Silence taught me to notice my own hurry. Also: please don't include my name.")
_VISIBILITY_WORDS = 3
_THANK_WORDS = 60  # a longer thanks sentence is a story that opens by thanking someone


_ORDER = (_STOP, _PASS, _RESUME, _PAUSE, _PRIVATE, _ANONYMOUS)  # precedence, as below


def _candidates(lowered_line: str) -> frozenset[re.Pattern[str]]:
    """The request patterns that could match somewhere in a line (by their literals)."""
    if not _ANY_REQUEST.could_match(lowered_line):
        return frozenset()
    return frozenset(p for p in _ORDER if _ONE[p].could_match(lowered_line))


def _request_of(sentence: str, may: frozenset[re.Pattern[str]] = frozenset(_ORDER)
                ) -> Command | None:
    """The command one sentence asks for, or None; `may` are the patterns worth trying."""
    s = " ".join(sentence.split())
    if _STOP in may and _asked(_STOP, s) and not _noun_use(_STOP, s):
        until = find_until(s)
        if until:
            return Command("PAUSE_UNTIL", as_day(until))
        return Command("PAUSE") if _FOR_A_WHILE.search(s) else Command("STOP")
    if _PASS in may and _asked(_PASS, s):
        return Command("PASS")
    if _RESUME in may and _asked(_RESUME, s):
        return Command("RESUME")
    if _PAUSE in may and _asked(_PAUSE, s) and _MAIL_OBJECT.search(s):
        until = find_until(s)
        return Command("PAUSE_UNTIL", as_day(until)) if until else Command("PAUSE")
    if _PRIVATE in may and _PRIVATE.search(s):
        return Command("PRIVATE")
    if _ANONYMOUS in may:
        m = _ANONYMOUS.search(s)
        if m and (_NAMED.search(m.group(0)) or _ANON_CUE.search(s)):
            return Command("ANONYMOUS")
    return None


def _noun_use(pattern: re.Pattern[str], s: str) -> bool:
    """Every place `pattern`'s words occur names a link, button, page or figure ("the
    unsubscribe link is broken"; "the unsubscribe link is broken, please unsubscribe me"
    still asks)."""
    return all(
        _NOUN_AFTER.match(s[m.end():m.end() + 20])
        or _NOUN_BEFORE.search(s[max(0, m.start() - 40):m.start()])
        for m in pattern.finditer(s))


def _asked(pattern: re.Pattern[str], s: str) -> bool:
    """`pattern` matches `s` and is not negated ("please don't stop sending these")."""
    m = pattern.search(s)
    return m is not None and not _NEGATED.search(s[max(0, m.start() - 30):m.start()])


def _thanks_head(lines: list[str]) -> str:
    """The opening lines a thanks must start in: up to the line holding the seventh word,
    and a few lines more for the name and words after it."""
    words = 0
    for k, line in enumerate(lines):
        words += len(line.split())
        if words >= 7:
            return "\n".join(lines[: k + 1 + _THANKS_LINES])
    return "\n".join(lines)


def _thanks_of(text: str) -> tuple[Command, int] | None:
    """The THANKS a message opens with, and how many words its thanks sentence has."""
    joined = _thanks_head([" ".join(line[:_MAX_LINE_CHARS].split())
                           for line in text.splitlines()[:40]])
    if not _ANY_THANKS.could_match(joined.lower()):
        return None
    m = _THANKS.search(joined) or _THANKS_VIA.search(joined)
    if m is None or len(joined[:m.start()].split()) > 6:
        return None
    name = m.group("name").strip()
    if re.search(r"['’]s?$", name):
        return None  # "thanks to Maya's question I called my brother": because of, no thanks
    rest = m.group("rest").strip(" ,.:;!-")
    return (Command("THANKS", f"{name}: {rest or ' '.join(text.split())}"),
            len(m.group(0).split()))


def _is_gratitude(sentence: str) -> bool:
    """'Thank you so much for all the lovely stories this year!': no substance beside a
    request (counted only for requests; a thanks to a named member is read by `_thanks_of`)."""
    return len(sentence.split()) <= _GRATITUDE_WORDS and bool(_GRATITUDE.match(sentence.strip()))


def _is_filler(sentence: str) -> bool:
    s = sentence.strip()
    return len(s) <= _MAX_FILLER_CHARS and bool(
        _GREETING.match(s) or _CLOSING.match(s) or _NAME_LINE.match(s))


def find_request(text: str) -> Request | None:
    """The first request in plain words in `text`, and whether the message is only that.

    Linear in the text: a line is read sentence by sentence with the full patterns only
    when the literal pre-filter (`prefilter.py`) says one of them could match in it."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    found: Command | None = None
    words = ""
    others = 0
    sentences: list[str] = []
    asked_at = -1  # index in `sentences` of the request's sentence
    for line in lines:
        if len(line) > _MAX_LINE_CHARS:
            others += len(line.split())  # no request, no greeting: only words
            continue
        may = _candidates(line.lower()) if found is None else frozenset()
        for m in _SENTENCE.finditer(line):
            sentence = m.group(0).strip()
            if not sentence.strip(" .!?"):
                continue
            sentences.append(sentence)
            command = None
            if may and found is None and len(sentence) <= _MAX_REQUEST_CHARS:
                command = _request_of(sentence, may)
            if command is not None:
                found, words, asked_at = command, sentence, len(sentences) - 1
            elif not _is_filler(sentence) and not _is_gratitude(sentence):
                others += len(sentence.split())
    if found is not None and words.endswith("?") and asked_at + 1 < len(sentences) and (
            _REFUSAL.match(sentences[asked_at + 1])):
        return None  # "Take me off? Never! I love this circle.": asked and answered, no
    if found is None:
        found_thanks = _thanks_of(text)
        if found_thanks is None:
            return None
        thanks, own = found_thanks
        body = [s for s in sentences if not _is_filler(s)]
        besides = len(" ".join(body).split()) - own
        alone = own <= _THANK_WORDS and besides <= _ALONE_WORDS
        return Request(thanks, " ".join(text.split())[:200], alone=alone)
    limit = _VISIBILITY_WORDS if found.name in ("ANONYMOUS", "PRIVATE") else _ALONE_WORDS
    return Request(found, words, alone=others <= limit)


def find_request_with_subject(subject: str, text: str) -> Request | None:
    """`find_request(text)`; else, for a new message (its subject carries no Re: / AW: /
    Fwd: prefix, so it is the member's own words, not our question), a request written in
    the subject: alone when the body adds nothing of substance ("Pause until March please" /
    "Thanks, Ana"), proposed when the body is a story."""
    found = find_request(text)
    if found is not None:
        return found
    bare = subject.strip()
    if not bare or strip_reply_prefixes(bare) != bare or len(bare) > _MAX_REQUEST_CHARS:
        return None
    asked = find_request(bare)
    if asked is None:
        return None
    both = find_request(f"{bare}\n{text}")  # the subject as the first line: alone or not
    return both if both is not None and both.command == asked.command else None
