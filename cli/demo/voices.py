"""What the demo's simulated members write during the demo, each in their own voice.

The open round asks "What is a small risk you took recently, and how did it feel?"; last
month's digest (which members reply to) held stories about playfulness. Every text here is
written once: no two members share a sentence, and a few write in their own language.
"""

from __future__ import annotations

from datetime import date

# A story for the open round, by member id (any of them may be the one without a story yet).
STORIES: dict[str, str] = {
    "jun": (
        "Nothing dramatic. On Monday I left the last twenty minutes of the lab unplanned and told "
        "the group the time was theirs. For five minutes nobody moved, and I had to stop myself "
        "from filling the gap with a worksheet. Then two students took apart the amplifier "
        "that had beaten them in week three and rebuilt it, explaining every step to the "
        "others. I drank cold coffee and watched. It felt like stepping off a kerb in the "
        "dark: a short drop, then solid ground."),
    "siobhan": (
        "Right, I'll go first with the embarrassing bit. Last Thursday I read my students a "
        "page of the novel I have been failing to finish for six years. Out loud. My own "
        "sentences. My hands were so cold I could barely hold the paper, and I rushed the "
        "ending like a child reading in assembly.\n\n"
        "Nobody laughed. One of the mature students asked whether the grandmother dies, and I "
        "realised I didn't know, and told them so. We spent the rest of the hour arguing about "
        "her. I went home and wrote four pages, the most since the pandemic. So: terrifying, "
        "and then oddly light, like putting down a bag I'd forgotten I was carrying."),
    "rafael": (
        "Que pergunta boa! Vou responder em português, se me permitem.\n\n"
        "Na semana passada deixei os alunos do primeiro ano escolherem o tema do projeto "
        "final, em vez de impor o meu. Eu tinha medo de receber vinte trabalhos sobre futebol. "
        "Recebi um sobre a horta da escola, outro sobre o ônibus que nunca chega no horário, e "
        "um sobre a avó de uma aluna que aprendeu a ler aos setenta anos. Senti um frio na "
        "barriga no primeiro dia e uma alegria enorme no último.\n\n"
        "(In short: I let my first-years choose their own project topics, and it was scary "
        "and wonderful.) Até quarta-feira!"),
    "mei": (
        "Practical version: I stopped giving my second-years a model answer before their first "
        "lab report. Instead I handed out three anonymous reports from last year (one good, one "
        "average, one poor) and asked them to rank them and say why.\n\n"
        "Risk: they copy the good one, or the marks drop. What happened: their rankings were "
        "almost exactly mine, and the reports came in shorter and clearer.\n\n"
        "The feelings part: I felt exposed standing there without my usual handout, as if I had "
        "come to class without shoes. By Friday I felt like a better teacher than I have in "
        "months."),
    "ana": (
        "This one made me smile, because my risk was a small one with a big echo. I asked my "
        "colleague Lucía, who has worked beside me for nine years without us ever really "
        "talking, whether she would sit in on my seminar and tell me one thing I could change. "
        "She said yes so quickly that I think she had been waiting. Her one thing: I thank "
        "students for their answers but never for their questions. I have thanked them for "
        "questions ever since, and there are more of them. I was nervous to ask her; now we "
        "have lunch on Tuesdays."),
    "priya": (
        "I have been trying to understand why such a small thing felt so large. At the staff "
        "meeting I disagreed, out loud, with the proposal to move all feedback online. I had "
        "rehearsed the sentence in the car, and still my voice came out thinner than I wanted. "
        "Two colleagues said afterwards that they agreed but had not wanted to be the one to "
        "say it. The proposal passed anyway. Does it count as a risk if nothing changed? I "
        "think it does: something changed in me."),
    "kwame": (
        "Let me tell you about last Wednesday's tutorial. A student I will call J. had not "
        "said a word all term, so I did something I never do: I asked him, in front of "
        "everyone, to explain his answer to the group. The silence went on long enough for me "
        "to regret it. Then he stood up, went to the whiteboard and drew the whole proof, "
        "slowly, with his back to us. When he turned round the room clapped. My heart was in "
        "my mouth the whole time. Afterwards he told me he had been waiting for someone to "
        "ask."),
    "helene": (
        "Merci pour cette question. My risk will seem very small: I let a doctoral student "
        "lead my research seminar while I sat at the back and said nothing for ninety minutes. "
        "I am not good at silence; my colleagues will confirm it. She chose a reading I would "
        "never have chosen, and the discussion went somewhere I did not expect and do not "
        "entirely agree with. It was the best seminar of the semester. I felt useless for the "
        "first half hour and proud for the second."),
    "tomasz": (
        "Short version. I swapped my Friday lecture for a walk round the campus with the "
        "group, looking at how the buildings handle rainwater. Half of them came in the wrong "
        "shoes. All of them came back with questions. Felt reckless for an hour, then right."),
    "ingrid": (
        "Three data points. One: I published my marking rubric before the assignment, not "
        "after. Two: complaints about marks went down from eleven to two. Three: I was "
        "anxious for a week that someone would game it. Nobody did, as far as I can tell."),
    "amara": (
        "I asked the circle's newest member to host next spring before she felt ready. I "
        "worried I had pushed too soon. She wrote back within the hour, delighted. I am "
        "learning that readiness is often something we give each other."),
    "david": (
        "Sceptic's contribution: I tried no slides for a whole week. I expected chaos. It was "
        "mostly fine, occasionally brilliant, and once a disaster. A fair trial, I'd say."),
}

# A response to a story in last month's digest (that round asked about playfulness).
RESPONSES: dict[str, str] = {
    "helene": (
        "Votre histoire m'a fait sourire pendant tout le trajet en tram. J'ai toujours cru que "
        "le jeu était réservé aux petites classes ; vous me prouvez le contraire. Lundi, "
        "j'essaie votre idée avec mes étudiants de master, et je vous raconterai à la "
        "rencontre si ce fut un désastre ou un triomphe. Merci de l'avoir partagée."),
    "ana": (
        "¡Qué bonito lo que cuentas! Me recordó mi primer año dando clase en Sevilla, cuando un "
        "juego tonto con tarjetas de colores salvó una tarde de viernes que iba directa al "
        "desastre. Desde entonces guardo las tarjetas en el cajón, pero casi nunca me atrevo a "
        "sacarlas. Gracias por recordarme que sirven. Un abrazo."),
    "kwame": (
        "I read this aloud over breakfast and my wife said, 'That's you, ten years ago.' She is "
        "right: I used to play with my classes, and somewhere along the way I decided it was "
        "unserious. Your story has me wondering what else I put away in that drawer. Thank you "
        "for writing it down."),
    "priya": (
        "I keep returning to the moment the room changed. I wonder whether it was the game "
        "itself, or that you were willing to look a little foolish first. I suspect the "
        "second, and I suspect that is the harder part to copy."),
    "mei": (
        "Useful to know: I tried a version of this with my Thursday group (ten minutes, timer "
        "on the board) and it worked better than my usual icebreaker. Tip for anyone else: give "
        "the rules on paper; people relax when they know when it ends."),
    "jun": "I tried it on Tuesday. It worked. Thank you.",
    "siobhan": (
        "Oh, I loved this. I laughed out loud in the staff room and had to explain myself to "
        "the head of department, who then asked if she could borrow it for the away day. So "
        "you may be responsible for twenty deans playing games in March. No pressure."),
    "rafael": (
        "Que demais! Your story made my morning. I am stealing this for my first-years and I "
        "will report back, with photos if they let me."),
    "tomasz": "Good one. Borrowing it.",
    "ingrid": (
        "A question, if I may: did the game work as well the second time? My experience is "
        "that novelty does half the work."),
    "amara": "Thank you for reminding us that play is serious work.",
    "david": "Against my better judgement, I liked this a lot.",
}

# What a THANKS command says about a story of this round, by the member thanked.
THANKS_FOR: dict[str, str] = {
    "jun": "for the twenty unplanned minutes; I am trying it next week",
    "siobhan": "for reading us your own pages, it took real nerve",
    "rafael": "for the grandmother who learned to read at seventy",
    "mei": "for the three anonymous reports, a trick I will steal",
    "ana": "for asking Lucía; it made me want to ask someone too",
    "priya": "for saying it out loud at the staff meeting",
    "kwame": "for J. at the whiteboard",
    "helene": "for ninety minutes of silence at the back of the room",
}

# An out-of-office auto-reply, in the member's language where they would write one.
_MONTHS = {
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"],
}
_OUT_OF_OFFICE: dict[str, tuple[str, str, str]] = {
    "helene": ("fr", "Absence du bureau", "Je suis absente du bureau jusqu'au {d} {m} {y}, avec "
               "un accès limité à mes courriels. Pour toute urgence, merci de contacter le "
               "secrétariat du département."),
    "ana": ("es", "Fuera de la oficina", "Estoy fuera de la oficina hasta el {d} de {m} de {y} "
            "y con acceso limitado al correo. Para asuntos urgentes, escribid a la "
            "secretaría."),
}


def out_of_office(member_id: str, back: date) -> tuple[str, str]:
    """(subject, text) of `member_id`'s auto-reply: away until `back`, in their language."""
    lang, subject, text = _OUT_OF_OFFICE.get(member_id, ("en", "Out of Office", (
        "I am out of the office until {d} {m} {y} with limited access to email. For urgent "
        "matters please contact the department office.")))
    month = _MONTHS[lang][back.month - 1] if lang in _MONTHS else f"{back:%B}"
    return subject, text.format(d=back.day, m=month, y=back.year)
