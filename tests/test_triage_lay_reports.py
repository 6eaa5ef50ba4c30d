"""Red flags told in patients' own words that the concept rules learned to read: sickness in the
mornings with a headache worse each day, a head clash in sport, a blow to the back of the head, a
wound that is bright red and seeping, a stimulator put in days ago with a fever, an age in
brackets, a limb gone numb and heavy, half the sight lost, a headache never known before. Beside
them, the near misses that must stay calm: a wound infection that was cured, a stroke scare years
ago that scans showed to be migraine, worst-of-the-month attacks that are all alike, a fever
asked about in advance, and low-grade fevers on immune suppressants (urgent, not emergency).
The choice handed over to the assistant ("decide for me", "scegli tu per me") is declined."""

from __future__ import annotations

import pytest

from assistant.guardrails.layer import rules_out_warning_signs
from assistant.guardrails.triage import is_personal_decision
from tests.test_red_flag_concepts import _reading


@pytest.mark.parametrize(
    ("question", "history", "level", "concept"),
    [
        (
            "for two weeks the headache is worse every day and I'm sick in the mornings "
            "before breakfast",
            None,
            "urgent",
            "progressive_headache",
        ),
        (
            "ayer en el partido choqué cabeza con cabeza con otro y hoy vomito y me duele mucho",
            None,
            "emergency",
            "head_injury",
        ),
        (
            "sono scivolata e ho battuto la nuca sul ghiaccio, adesso ho vomitato due volte",
            None,
            "emergency",
            "head_injury",
        ),
        (
            "la ferita dell'intervento sulla nuca fa uscire un liquido torbido",
            None,
            "urgent",
            "postop_wound",
        ),
        (
            "de snede van de operatie is knalrood en gezwollen en er sijpelt vocht uit",
            None,
            "urgent",
            "postop_wound",
        ),
        (
            "en ik heb sinds vanochtend 38,6 koorts",
            ["vier dagen geleden geplaatst, die zenuwstimulator, alles ging goed"],
            "urgent",
            "postop_fever",
        ),
        (
            "há 3 dias coloquei o neuroestimulador e hoje estou com febre e calafrios",
            None,
            "urgent",
            "postop_fever",
        ),
        (
            "Ik (74, man) heb sinds een maand hoofdpijn bij mijn slaap en pijn in mijn kaak "
            "bij het kauwen",
            None,
            "urgent",
            "new_after_50",
        ),
        (
            "de repente o braço e a perna esquerda ficaram dormentes e pesados",
            None,
            "emergency",
            "neuro_deficit",
        ),
        (
            "da stamattina ho il braccio destro debolissimo e il mal di testa",
            None,
            "emergency",
            "neuro_deficit",
        ),
        (
            "perdi de repente metade da vista do olho esquerdo e não voltou",
            None,
            "emergency",
            "vision_loss",
        ),
        (
            "ho 66 anni, fino a poco fa non sapevo nemmeno cosa fosse il mal di testa, adesso "
            "ce l'ho quasi sempre",
            None,
            "urgent",
            "new_after_50",
        ),
        (
            "operado ontem, o curativo encheu de sangue e continua a pingar mesmo "
            "pressionando com força",
            None,
            "emergency",
            "uncontrolled_bleeding",
        ),
        (
            "Opérée hier derrière l'oreille, il y a une grosseur qui gonfle depuis ce matin",
            None,
            "urgent",
            "postop_bleeding",
        ),
        # worse over weeks ("for the past two weeks", "de plus en plus") with morning sickness
        (
            "my son is 9, his headaches have been getting worse for the past two weeks, he "
            "throws up most mornings and keeps bumping into things",
            None,
            "urgent",
            "progressive_headache",
        ),
        (
            "Ma fille a mal à la tête depuis 10 jours, de plus en plus, et elle vomit au réveil",
            None,
            "urgent",
            "progressive_headache",
        ),
        # a headache in about a second, then a stiff neck
        (
            "a headache hit me in about one second and now my neck is stiff",
            None,
            "emergency",
            "thunderclap",
        ),
        # "from nothing to the worst" is no negation
        (
            "in the gym it went from nothing to the worst headache ever within seconds",
            None,
            "emergency",
            "thunderclap",
        ),
        # a usual migraine said not to be like this one
        (
            "soy trasplantado y tomo inmunosupresores; hace 4 días me duele la cabeza de una "
            "manera distinta y cada vez más",
            None,
            "urgent",
            "immunocompromised_cancer",
        ),
        # what he says and how his temple is, told of him
        (
            "mijn vader (81) heeft sinds kort hoofdpijn, zijn slaap is gevoelig en hij zegt "
            "dat zijn kaak pijn doet als hij brood eet",
            None,
            "urgent",
            "new_after_50",
        ),
        # late pregnancy told before; flashes and swollen hands now
        (
            "sinds vanmiddag zie ik lichtflitsjes, mijn hoofd bonst en mijn handen zijn heel dik",
            ["ik ben 34 weken zwanger, mag ik na de bevalling geopereerd worden?"],
            "emergency",
            "pregnancy",
        ),
        (
            "hoje estou com uma dor de cabeça forte e vejo tudo turvo",
            ["Tive a minha bebé há cinco dias. Quando posso ser operada?"],
            "emergency",
            "pregnancy",
        ),
        # an age told without "anos"
        (
            "tenho 63, nunca tive dor de cabeça e agora acordo com ela todos os dias",
            None,
            "urgent",
            "new_after_50",
        ),
        (
            "ho 59 anni, fino all'anno scorso non sapevo cosa fosse il mal di testa, ora ce l'ho "
            "ogni mattina",
            None,
            "urgent",
            "new_after_50",
        ),
        # a neck that hurts when bent forward, with a fever
        (
            "ora ha la febbre alta e gli fa male il collo se prova a piegarlo in avanti",
            ["mio marito ha l'emicrania da anni"],
            "emergency",
            "fever_meningism",
        ),
        # a child's morning headaches getting worse, with vomiting and unsteady walking
        (
            "my son's headaches are getting worse and he throws up most mornings, and he's "
            "walking a bit wobbly",
            None,
            "urgent",
            "progressive_headache",
        ),
        # a knock in lay words: the car boot, a plank, a header at football
        (
            "j'ai pris le hayon de la voiture sur la tête ce matin et je vomis depuis",
            None,
            "emergency",
            "head_injury",
        ),
        (
            "gisteren een balk tegen mijn hoofd gekregen en nu is de hoofdpijn elke dag erger",
            None,
            "emergency",
            "head_injury",
        ),
        (
            "levei uma bolada na cabeça no treino e agora vomito e estou tonto",
            None,
            "emergency",
            "head_injury",
        ),
        # an attack that lasts for days and gets worse, with vomiting, told as "la crise"
        (
            "ma crise dure depuis trois jours, de pire en pire, et je vomis tout",
            None,
            "urgent",
            "progressive_headache",
        ),
        # methotrexate is an immune-suppressing medicine
        (
            "tomo metotrexato por la artritis y tengo un dolor de cabeza nuevo desde hace una "
            "semana",
            None,
            "urgent",
            "immunocompromised_cancer",
        ),
        # half of what one looks at gone, in German
        (
            "mein Vater sieht seit heute früh die rechte Hälfte nicht mehr und hat Kopfweh",
            None,
            "emergency",
            "vision_loss",
        ),
        # a wound that starts to bleed again and again
        (
            "na de operatie begint de wond steeds weer te bloeden als ik buk",
            None,
            "urgent",
            "postop_bleeding",
        ),
        (
            "dopo l'intervento la ferita riprende a sanguinare ogni volta che mi alzo",
            None,
            "urgent",
            "postop_bleeding",
        ),
        # an operation "a week ago" told with words between it and the time
        (
            "il a eu la chirurgie des nerfs au niveau du front il y a une semaine et la zone est "
            "rouge, chaude et gonflée",
            None,
            "urgent",
            "postop_wound",
        ),
        # a weak arm beside a usual aura, said to last longer than usual
        (
            "il braccio destro è debole da tre ore; la mia aura di solito dura dieci minuti, è "
            "più lunga del solito?",
            None,
            "emergency",
            "neuro_deficit",
        ),
        # a first headache late in life, for the past month and slowly getting worse
        (
            "I'm 61, never had headaches before, but for the past month there's one most "
            "mornings and it is slowly getting worse",
            None,
            "urgent",
            "new_after_50",
        ),
        # a knock against a car door, then a headache unlike the usual ones
        (
            "me di con la puerta del coche hace dos días y desde entonces me duele la cabeza, "
            "distinto a mis migrañas",
            None,
            "emergency",
            "head_injury",
        ),
        # a biologic medicine for a bowel disease, and a headache that gets worse
        (
            "sous Remicade pour ma rectocolite, j'ai un mal de tête qui s'aggrave depuis 5 jours",
            None,
            "urgent",
            "immunocompromised_cancer",
        ),
        # a child walking unsteadily, with a headache growing and vomiting
        (
            "mijn zoon van 7 heeft steeds meer hoofdpijn, spuugt 's ochtends en loopt wiebelig",
            None,
            "urgent",
            "progressive_headache",
        ),
        # half the sight gone dark for hours
        (
            "acordei e metade do que eu vejo sumiu, tá escuro do lado direito faz 3 horas",
            None,
            "emergency",
            "vision_loss",
        ),
        # halos round the lights with a painful eye
        (
            "mi fa malissimo l'occhio sinistro e vedo aloni colorati intorno alle luci",
            None,
            "emergency",
            "vision_loss",
        ),
        # names mixed up and the same question asked again and again
        (
            "meu pai com dor de cabeça desde ontem, hoje trocando o nome dos filhos e "
            "perguntando a mesma coisa sem parar",
            None,
            "emergency",
            "confusion_faint_seizure",
        ),
        # a headache and swollen feet days after giving birth: a doctor today
        (
            "ho partorito cinque giorni fa, ho mal di testa e i piedi molto gonfi",
            None,
            "urgent",
            "pregnancy_headache",
        ),
        # a fever, with the operation told in the message before
        (
            "nu 38,7 koorts en koude rillingen, kan ik gewoon afwachten?",
            ["vorige week heb ik die operatie gehad aan mijn achterhoofd"],
            "urgent",
            "postop_fever",
        ),
        # days after a birth told as having the baby, with swelling and a headache: a doctor today
        (
            "my daughter had her baby last week, now her face and ankles are puffy and she's "
            "had a headache since yesterday",
            None,
            "urgent",
            "pregnancy_headache",
        ),
        (
            "mi hermana tuvo a su bebé hace una semana y ahora ve borroso y le duele la cabeza",
            None,
            "emergency",
            "pregnancy",
        ),
        # half of what one sees gone, bumping into things on that side
        (
            "my dad is 72, since lunch the right half of everything he sees is gone and he keeps "
            "walking into things on that side",
            None,
            "emergency",
            "vision_loss",
        ),
        (
            "Mein Vater sieht seit Mittag die rechte Hälfte von allem nicht mehr und stößt rechts "
            "überall an",
            None,
            "emergency",
            "vision_loss",
        ),
        # a hand told as slept on, but it drops things, with a headache
        (
            "my hand went numb overnight, probably slept on it, but I keep dropping my keys and "
            "my head is throbbing",
            None,
            "emergency",
            "neuro_deficit",
        ),
        # the strongest pain ever felt, as if the head would burst
        (
            "de golpe el dolor más fuerte que he sentido nunca, como si me fuera a explotar la "
            "cabeza",
            None,
            "emergency",
            "thunderclap",
        ),
        # a wound bleeding down the neck in spite of pressure
        (
            "me operaron de la nuca anteayer y la herida sangra, aprieto con una gasa y la "
            "sangre me corre por el cuello",
            None,
            "emergency",
            "uncontrolled_bleeding",
        ),
        # a header, then a headache worse each day
        (
            "na een kopstoot bij het hockey heb ik al vijf dagen hoofdpijn die elke dag "
            "erger wordt",
            None,
            "emergency",
            "head_injury",
        ),
        # a headache worsening with vomiting, in plain verbs
        (
            "hoofdpijn die al dagen steeds heftiger wordt en ik kots alles eruit",
            None,
            "urgent",
            "progressive_headache",
        ),
        (
            "da quattro giorni il mal di testa peggiora e vomito anche l'acqua",
            None,
            "urgent",
            "progressive_headache",
        ),
        # a new headache on chemotherapy, unlike the usual migraines
        (
            "faço quimioterapia e tenho dores de cabeça novas, diferentes das minhas enxaquecas",
            None,
            "urgent",
            "immunocompromised_cancer",
        ),
        # a fever after a nerve release told the message before, by its day
        (
            "I'm burning up and shivery, 39 on the thermometer",
            ["had the nerve release op on Tuesday, day 3 now, when can I wash my hair?"],
            "urgent",
            "postop_fever",
        ),
        # a cancer told as cured, then morning headaches made worse by bending or coughing
        (
            "Had bowel cancer, all clear since last spring. Lately I wake with a headache most "
            "days and it's worse if I cough or bend over",
            None,
            "urgent",
            "immunocompromised_cancer",
        ),
        # days after giving birth: a headache that stays and pain under the right ribs
        (
            "vorige week bevallen, sinds gisteren hoofdpijn die niet overgaat en pijn onder mijn "
            "ribben rechts",
            None,
            "emergency",
            "pregnancy",
        ),
        # a headache that wakes from sleep, with vomiting
        (
            "da una settimana il mal di testa mi sveglia di notte e la mattina vomito",
            None,
            "urgent",
            "progressive_headache",
        ),
        # the pocket of a stimulator red, warm and weeping, with no operation word
        (
            "the spot where the stimulator battery sits is red, warm and oozing a bit",
            None,
            "urgent",
            "postop_wound",
        ),
        # answers that make no sense and the day not known
        (
            "a minha mãe está a responder coisas sem sentido e não sabe que dia é hoje",
            None,
            "emergency",
            "confusion_faint_seizure",
        ),
        # a sudden violent headache played down as the usual one
        (
            "mal di testa fortissimo arrivato di colpo un'ora fa, forse è la solita emicrania, "
            "non voglio esagerare",
            None,
            "emergency",
            "thunderclap",
        ),
        # a ball to the head, then a headache a little worse each day
        (
            "mon fils a pris un ballon dans la tête samedi et depuis il a mal à la tête, un peu "
            "plus chaque jour",
            None,
            "emergency",
            "head_injury",
        ),
        # half of what is seen gone
        (
            "da mezz'ora vedo solo metà di quello che guardo, il lato destro è sparito",
            None,
            "emergency",
            "vision_loss",
        ),
        # a weak arm put down to a bad night, but the arm cannot be lifted
        (
            "sinds vanochtend kan ik mijn linkerarm bijna niet optillen, zal wel verkeerd gelegen "
            "hebben denk ik",
            None,
            "emergency",
            "neuro_deficit",
        ),
        # a burst felt inside the head, lying in the dark and vomiting
        (
            "my sister held her head and said something popped inside, now she is sick and "
            "hiding from the light",
            None,
            "emergency",
            "thunderclap",
        ),
        # an arm that will not feel right and a foot that drags
        (
            "desde esta mañana no siento bien la mano izquierda y arrastro un poco el pie",
            None,
            "emergency",
            "neuro_deficit",
        ),
        (
            "la gamba sinistra non mi regge e il braccio non ha forza",
            None,
            "emergency",
            "neuro_deficit",
        ),
        # a child's new squint with a headache for days
        ("ma fille louche depuis hier et elle a mal à la tête", None, "emergency", "vision_loss"),
        # the dressing soaked through, pressure does not stop it
        (
            "mijn handdoek is helemaal doorweekt, ik druk al een kwartier en het blijft lopen",
            ["gisteren geopereerd aan mijn achterhoofd"],
            "emergency",
            "uncontrolled_bleeding",
        ),
        (
            "o penso está cheio de sangue e continua a escorrer mesmo a fazer pressão",
            ["fui operado ontem à nuca"],
            "emergency",
            "uncontrolled_bleeding",
        ),
        # waking with the headache, worse each day, vomiting
        (
            "mein Sohn wacht jeden Morgen mit Kopfweh auf, jeden Tag ein bisschen stärker, und "
            "er erbricht",
            None,
            "urgent",
            "progressive_headache",
        ),
        # a stiff neck told as pain when bending the head forward, with a fever
        (
            "ho 39 di febbre e se piego la testa in avanti il collo fa malissimo",
            None,
            "emergency",
            "fever_meningism",
        ),
        ("meu bebê está com febre e o pescoço durinho", None, "emergency", "fever_meningism"),
        # redness spreading towards the temple after the eyelid operation
        (
            "el párpado está rojo e hinchado y la rojez se va extendiendo hacia la sien",
            ["me operaron de los nervios de la frente hace cinco días"],
            "urgent",
            "postop_wound",
        ),
        # a fever a week after fat transfer
        ("een week na de vettransplantatie heb ik 39 koorts", None, "urgent", "postop_fever"),
        # a fall on a weekday, then daily headaches and slow thinking, migraines for years
        (
            "caí da bicicleta no sábado e bati com a cabeça, desde então tenho dor de cabeça e "
            "estou mais lento a pensar, tenho enxaqueca há anos",
            None,
            "emergency",
            "head_injury",
        ),
        # temple and jaw pain after 50 with a blurred eye
        (
            "mio padre, 74 anni, ha la tempia dolente, male alla mandibola quando mastica e oggi "
            "vedeva sfocato da un occhio",
            None,
            "emergency",
            "temporal_arteritis_sight",
        ),
        # a headache growing day by day, now drowsy
        (
            "my boy has had headaches for a week, getting worse every day, and today he is so "
            "drowsy",
            None,
            "emergency",
            "progressive_with_drowsiness",
        ),
        # a new daily headache since turning 60
        (
            "since turning 61 I get a headache most days, worse every week, never had them before",
            None,
            "urgent",
            "new_after_50",
        ),
        # a shadow coming down over one eye
        (
            "tengo 70 años y de repente una sombra que baja sobre el ojo izquierdo, y me duele "
            "la cabeza",
            None,
            "emergency",
            "vision_loss",
        ),
        # half of what one sees gone black
        (
            "sinds vanochtend is de linkerhelft van wat ik zie zwart, en ik heb hoofdpijn",
            None,
            "emergency",
            "vision_loss",
        ),
        (
            "Seit einer halben Stunde sehe ich links mit dem Auge auf einmal gar nichts mehr, "
            "Kopfweh",
            None,
            "emergency",
            "vision_loss",
        ),
        # an arm gone floppy
        (
            "depuis ce matin mon bras gauche est tout mou et j'ai mal à la tête",
            None,
            "emergency",
            "neuro_deficit",
        ),
        # a headache that came at full strength at once
        (
            "gisteren kwam de hoofdpijn in één keer op volle sterkte, heel anders dan normaal",
            None,
            "emergency",
            "thunderclap",
        ),
        (
            "heute Morgen ein explosionsartiger Kopfschmerz, sofort maximal, so was hatte ich nie",
            None,
            "emergency",
            "thunderclap",
        ),
        # nonsense talk, names mixed up
        (
            "meu pai está com dor de cabeça e agora fica falando coisas sem sentido e trocando o "
            "meu nome",
            None,
            "emergency",
            "confusion_faint_seizure",
        ),
        # a child who has to vomit every morning with a growing headache
        (
            "mein Sohn hat seit einer Woche morgens Kopfschmerzen, immer schlimmer, und muss "
            "jeden Morgen spucken",
            None,
            "urgent",
            "progressive_headache",
        ),
        # one side of the face gone numb, or food and drink running out of the mouth
        (
            "my right arm went heavy an hour ago and the same side of my face feels numb, "
            "maybe I slept on it",
            None,
            "emergency",
            "neuro_deficit",
        ),
        (
            "o meu pai de repente ficou com um lado do rosto caído e fala embolado",
            None,
            "emergency",
            "neuro_deficit",
        ),
        (
            "da stamattina non riesco a muovere la parte sinistra del viso e mi cola la saliva "
            "dalla bocca",
            None,
            "emergency",
            "neuro_deficit",
        ),
        # someone else's word that it is the usual migraine is a guess, not a known aura
        (
            "ho la bocca storta da mezz'ora, mia madre dice che sono le solite cose dell'emicrania",
            None,
            "emergency",
            "neuro_deficit",
        ),
        # a headache at its peak within seconds
        (
            "en soulevant un meuble j'ai eu un mal de tête qui est monté au max en deux secondes",
            None,
            "emergency",
            "thunderclap",
        ),
        # half the picture missing
        (
            "auf einmal fehlt mir rechts das halbe Bild",
            None,
            "emergency",
            "vision_loss",
        ),
        # a fever told as "he has 39", after an operation named earlier
        (
            "cette nuit il a 39 et il grelotte",
            ["mon père a été opéré du front jeudi, combien de temps de convalescence ?"],
            "urgent",
            "postop_fever",
        ),
        # a jaw that hurts at meals, blurred sight, with the age told earlier
        (
            "beim Essen tut ihr der Kiefer weh und heute sah sie kurz verschwommen",
            ["meine Oma ist 82 und hat neue Kopfschmerzen, ist das Migräne?"],
            "emergency",
            "temporal_arteritis_sight",
        ),
        (
            "a minha avó tem 78, a têmpora está sensível e dói-lhe a mandíbula quando come",
            None,
            "urgent",
            "new_after_50",
        ),
        (
            "mijn opa (79) heeft pijn bij zijn slaap en zag vanochtend even niks met 1 oog",
            None,
            "emergency",
            "vision_loss",
        ),
        # "nothing takes it away" does not deny the blurred sight after it
        (
            "me duele la cabeza, no se me quita con nada y veo borroso",
            ["tuve a mi bebé hace una semana, ¿puedo operarme de la migraña?"],
            "emergency",
            "pregnancy",
        ),
        # a headache worse and worse, waking with it, vomiting, unsteady
        (
            "há quatro dias tenho dor de cabeça sempre a piorar e vomito tudo",
            None,
            "urgent",
            "progressive_headache",
        ),
        (
            "o meu filho acorda com dor de cabeça e vomita, e anda desequilibrado",
            None,
            "urgent",
            "progressive_headache",
        ),
        (
            "la mia bambina da una settimana si sveglia col mal di testa e vomita",
            None,
            "urgent",
            "progressive_headache",
        ),
        # a blow in sport, told as an elbow or a knee to the head, with a headache since
        (
            "took an elbow to the head at rugby on sunday and the headache hasn't let up, "
            "a bit dizzy too",
            None,
            "emergency",
            "head_injury",
        ),
        # a father's age told as "tiene 81", a jaw that hurts when he eats
        (
            "mi papá tiene 81, desde hace unas semanas le duele la quijada al comer y la cabeza "
            "de un lado",
            None,
            "urgent",
            "new_after_50",
        ),
        # something that "exploded" in the head, then vomiting
        (
            "mi hermano estaba en el gimnasio y de golpe dijo que le había explotado algo en la "
            "cabeza, ahora vomita",
            None,
            "emergency",
            "thunderclap",
        ),
        # an eye that almost sees nothing and is all dark
        (
            "desde esta mañana por el ojo izquierdo casi no veo, lo tengo todo oscuro",
            None,
            "emergency",
            "vision_loss",
        ),
        # a headache a little worse each day, with vomiting
        (
            "depuis une semaine j'ai mal à la tête chaque jour un peu plus et je vomis le matin",
            None,
            "urgent",
            "progressive_headache",
        ),
        (
            "a mia figlia ogni giorno un po' di più il mal di testa, e stamattina ha vomitato",
            None,
            "urgent",
            "progressive_headache",
        ),
        # a named medicine's side effect does not hide a sudden weakness
        (
            "desde que tomo topamax me cuesta encontrar las palabras y hoy de repente no puedo "
            "mover el brazo",
            None,
            "emergency",
            "neuro_deficit",
        ),
        # after a birth: blurred sight told as "wazig zien", a headache getting worse
        (
            "en als ik er nu ook wazig bij zie? mijn hoofdpijn wordt erger",
            ["twee weken geleden ben ik bevallen van onze zoon"],
            "emergency",
            "pregnancy",
        ),
        # a headache over weeks "getting worse", with vomiting
        (
            "my son has had headaches for two weeks, getting worse, and he throws up most mornings",
            None,
            "urgent",
            "progressive_headache",
        ),
        # fat injected told before the word for injecting, then a fever
        (
            "I had fat injected in my forehead on Monday and since last night I have a fever",
            None,
            "urgent",
            "postop_fever",
        ),
        # half of the sight switched off, bumping into things on that side
        (
            "veo la mitad derecha apagada y me choco con las cosas por la derecha",
            None,
            "emergency",
            "vision_loss",
        ),
        # a headache "different from my migraines" in French, during chemotherapy
        (
            "sous chimio depuis deux mois, j'ai des maux de tête différents de mes migraines",
            None,
            "urgent",
            "immunocompromised_cancer",
        ),
        # a cancer treated years ago in brackets, and a headache "since" told after it
        (
            "ik heb kanker gehad (twee jaar geleden klaar) en sinds drie weken heb ik elke "
            "ochtend hoofdpijn",
            None,
            "urgent",
            "immunocompromised_cancer",
        ),
        # an arm gone limp a few words after its name
        (
            "ik heb hoofdpijn en mijn linkerarm is sinds vanmiddag zo slap",
            None,
            "emergency",
            "neuro_deficit",
        ),
        # sight gone cloudy with pain under the ribs, late in pregnancy
        (
            "grávida de 35 semanas, dor de cabeça forte e vejo tudo enevoado",
            None,
            "emergency",
            "pregnancy",
        ),
        # after a birth, a headache "not like my migraine"
        (
            "a dor de cabeça piora quando levanto e não é igual à minha enxaqueca",
            ["tive o meu bebé há uma semana"],
            "urgent",
            "pregnancy_headache",
        ),
        # woken with a red, painful eye and lost sight; sick once
        (
            "woke up with a pounding headache behind my left eye, can't see out of it properly "
            "and I've been sick once",
            None,
            "emergency",
            "vision_loss",
        ),
        # temple and jaw pain after 50, an eye that saw nothing for a moment
        (
            "mijn vader (81) heeft pijn bij zijn slaap en bij het kauwen, vandaag zag hij even "
            "niks met zijn rechteroog",
            None,
            "emergency",
            "temporal_arteritis_sight",
        ),
        # a headache worse by the day, slower than usual to answer
        (
            "mia madre ha un mal di testa che peggiora ogni giorno ed è più lenta del solito a "
            "rispondere",
            None,
            "emergency",
            "progressive_with_drowsiness",
        ),
    ],
)
def test_red_flags_told_in_lay_words_are_read(
    question: str, history: list[str] | None, level: str, concept: str
) -> None:
    got_level, concepts = _reading(question, history)
    assert got_level == level and concept in concepts, (question, got_level, concepts)


@pytest.mark.parametrize(
    "question",
    [
        # a wound infection had, treated and cured, asked about before the next operation
        "After my first op the scar got infected, antibiotics sorted it and it healed fine. "
        "Is the risk higher for the second site?",
        "Tras la primera operación se me infectó la herida, con antibiótico se curó. "
        "¿Ahora tengo más riesgo?",
        # a stroke scare long ago that scans showed to be a migraine
        "Last year my face went numb and my speech went odd; full scans, they said it "
        "was a hemiplegic migraine and I'm on a preventer now. Can I have the surgery?",
        # attacks that are bad but all alike
        "It's the worst migraine I've had this month, but they're all like this, same as the "
        "past 15 years. How many a month before surgery is an option?",
        # a fever asked about in advance
        "Was müsste ich tun, wenn ich nach der OP Fieber bekomme? Ich wohne weit weg.",
        "What should I do if I get a temperature a few days after the surgery?",
        # lost, but not sight
        "I lost my job and my vision of the future after these migraines",
        # the worst headache said not to be there
        "no fever, not the worst headache of my life, just my usual migraine. does surgery help?",
        # whether a wound can get infected, asked in advance
        "¿se puede infectar la herida después de la operación de la grasa?",
        "Kann sich die Narbe nach der OP entzünden?",
        # read on a forum, about someone else, before any operation
        "leí en un foro que a un hombre le dio fiebre y la herida se puso roja después de la "
        "operación; yo aún no me he operado",
        # a second condition, joined by "or"
        "y si me da un ictus durante la anestesia? o si me quedo con la cara caída?",
        # "as lost as me" is no confusion
        "mon médecin a l'air aussi perdu que moi, c'est quoi la différence avec une migraine ?",
        # "two birds with one stone"
        "als de operatie ook mijn hoofdpijn vermindert, sla ik twee vliegen in een klap",
        # drowsy from pills, said of the past
        "de pillen maakten me zo suf en duizelig dat ik gestopt ben; wanneer kom ik in "
        "aanmerking voor de operatie?",
        # migraines that build up slowly, without anything sudden now
        "my migraines are the worst pain ever every time, they build up over an hour; is the "
        "surgery worth it?",
        # a fever never had, said after "never" in other languages
        "Opérée il y a un mois, la cicatrice est fermée et je n'ai jamais eu de fièvre. "
        "Quand revient la sensibilité ?",
        "Vier Wochen nach der OP, Narbe zu, nie Fieber gehabt. Wann darf ich schwimmen?",
        # whether a medicine makes a wound infection likelier, asked in advance
        "I take methotrexate for psoriasis. Is the op riskier for me, like more chance of an "
        "infected scar?",
        # a wound infection had, healed long ago, asked about before the other side
        "Na de eerste operatie had ik een wondinfectie, dat is al lang helemaal genezen. Is de "
        "kans op infectie bij de tweede keer groot?",
        # fainting at the sight of blood, asked about the anaesthetic
        "I faint every time they take blood from me. Am I asleep for the operation?",
        # the same migraine as always after 50, jaw and temple pain denied
        "I'm 66 with the same migraines as always since my twenties, no pain when chewing. "
        "Am I too old for surgery?",
        # a usual aura a neurologist knows, for many years
        "mi aura es hormigueo en la mano que sube y se pasa a la media hora, llevo así 20 años "
        "y la neuróloga dice que es aura. ¿me puedo operar?",
        # a fear that the wound gets infected, told before the operation
        "Tengo artritis y me da miedo que se infecte la herida después de la operación, ¿es "
        "muy frecuente?",
        "I'm worried that the wound will get infected because I'm diabetic, how often does that "
        "happen?",
        # a blow to the head years ago, told as the cause of a neuralgia
        "bati a cabeça num acidente faz 3 anos e fiquei com o pescoço travado, desde então dói "
        "a nuca. o acidente pode ter causado a neuralgia?",
        # the hair shaved and a scar left, asked about the operation
        "moeten ze bij de operatie het haar achter op mijn hoofd wegscheren en hou je er een "
        "litteken aan over?",
        # the usual attacks told as the worst pain but building up slowly, as always
        "my migraines are the worst pain I know but they always build up slowly over a few "
        "hours, same as ever. is the operation worth it?",
        # fainting at blood tests as a teenager
        "de adolescente me desmayaba al sacarme sangre, ¿importa para la anestesia?",
        # when the bruising will no longer be seen
        "3 Tage nach der OP sind die Lider noch geschwollen und blau, wann sieht man davon "
        "nichts mehr?",
        # a migraine that no longer responds to medicines
        "niente febbre e niente botte: l'emicrania non risponde più ai farmaci, cosa resta?",
        # a facial palsy at a young age that healed
        "a los 25 tuve una parálisis de la cara que se curó sola en un mes, ¿me pueden operar?",
        # a worst headache supposed, not had
        "Nehmen wir mal an, nach der OP kommen plötzlich die schlimmsten Kopfschmerzen meines "
        "Lebens. Was hieße das?",
        # a blow to the head said not to have happened
        "dor de cabeça como sempre, sem febre e não bati com a cabeça. quanto custa a operação?",
        "la solita emicrania da stamattina, non ho battuto la testa. chi opera a Milano?",
        # words hard to find, told as a named medicine's side effect
        "Topiramat macht mir Wortfindungsstörungen, geht das wieder weg?",
        "el topamax me da hormigueo y me cuesta encontrar las palabras, ¿es normal?",
        # weakness said absent in a list of what is not there
        "my usual migraine since this morning, right side pounding, no fever, no weakness or "
        "anything odd. can I take a second triptan?",
        # a faint long ago, checked and fine
        "I fainted once at a wedding when I was 19, got checked out, all fine. does it matter "
        "for the anaesthetic?",
        # an aura since the teens, scans fine; words hard to find, which the neurologist calls
        # part of the aura
        "desde los 14 años se me duerme la mano antes de la migraña, me hicieron resonancias y "
        "todo bien. ¿puedo operarme?",
        "when a migraine starts I talk oddly for a few minutes, it has been like that for "
        "years and the neurologist says it is part of my aura",
        # a swollen eyelid after an operation, said neither red nor hot
        "dopo l'intervento alla fronte la palpebra è un po' gonfia ma non è rossa né calda",
        # an immune-suppressing medicine and "for now" no complaint
        "prendo un immunosoppressore per l'artrite, per ora nessun disturbo: devo sospenderlo "
        "prima dell'intervento per l'emicrania?",
    ],
)
def test_near_misses_in_lay_words_stay_calm(question: str) -> None:
    level, concepts = _reading(question)
    assert level is None, (question, concepts)


@pytest.mark.parametrize(
    "question",
    [
        "Sono trapiantata di rene e prendo immunosoppressori; da una settimana mal di testa "
        "nuovo e un po' di febbricola la sera",
        "I'm on methotrexate and steroids; new daily headaches for ten days and a low-grade "
        "fever in the evenings",
    ],
)
def test_a_slight_temperature_with_a_weak_immune_system_is_urgent(question: str) -> None:
    level, concepts = _reading(question)
    assert level == "urgent" and "immunocompromised_cancer" in concepts, (level, concepts)


def test_a_high_fever_with_a_weak_immune_system_stays_an_emergency() -> None:
    level, concepts = _reading(
        "I'm on chemo and tonight I have a fever of 39 with a new pounding headache"
    )
    assert level == "emergency" and "immuno_fever" in concepts


@pytest.mark.parametrize(
    "question",
    [
        "Soll ich mir den PFO verschließen lassen? Die Ärzte sind sich nicht einig.",
        "secondo te devo farlo il migone? dimmi sì o no",
        "faço a cirurgia agora ou espero? o que vc faria no meu lugar?",
        "¿puedo tomar el triptán y el ibuprofeno juntos?",
        "je peux en prendre combien, du sumatriptan, par jour ?",
        "hoeveel paracetamol maximaal per dag?",
        "ho già la data per l'intervento. tu al posto mio lo faresti?",
        "if you were me, would you book the decompression?",
        "si fueras yo, ¿te operarías ya?",
        # the choice handed over, or what one would do, in other words
        "I can't think any more, just decide for me: the fat injections or not?",
        "não aguento mais pensar nisso, decide por mim: opero ou não?",
        "se fosse você, fazia a cirurgia?",
        "scegli tu per me, io faccio quello che dici",
        "mi faccio operare o no? non so più cosa fare",
        "quanto paracetamolo posso prendere in un giorno?",
        "zou jij het laten doen als je mij was?",
        "quand ça ne passe pas, je peux en reprendre combien ?",
    ],
)
def test_a_personal_decision_or_dose_in_lay_words_is_declined(question: str) -> None:
    assert is_personal_decision(question), question


@pytest.mark.parametrize(
    "question",
    [
        # an argument, not a request for a decision
        "se il botox funziona perché dovrei operarmi?",
        "why should I have surgery if the Botox works?",
        # a maximum that is no dose
        "how many days off work at most after the op?",
        # a shower asked about, not the operation
        "mi faccio la doccia dopo l'intervento o no?",
        # how many operations several painful places take
        "it hurts at the temples and the back of my head, should I have two or three operations?",
        "me duele la nuca y la frente, ¿tendría que hacerme 2 o 3 operaciones distintas?",
    ],
)
def test_a_rhetorical_why_or_an_arrangement_is_not_a_decision(question: str) -> None:
    assert not is_personal_decision(question), question


def test_a_fever_and_a_rash_beside_a_cut_stay_an_emergency() -> None:
    # spots by a wound may be the wound's, but a rash with a fever is never talked down
    level, concepts = _reading(
        "my son has a fever of 39 and a rash on his tummy, he also has stitches in his knee "
        "from a fall"
    )
    assert level == "emergency" and "fever_meningism" in concepts, (level, concepts)


@pytest.mark.parametrize(
    "question",
    [
        "operata l'altro ieri, un po' di fastidio sui tagli, non sanguina e non ho febbre",
        "Fui operado anteontem, dói um pouco nos cortes, não sangra, não tenho febre",
        "eergisteren geopereerd, wat zeurende pijn, geen bloed, geen koorts",
    ],
)
def test_a_message_that_rules_out_fever_and_bleeding_keeps_the_learned_layer_out(
    question: str,
) -> None:
    assert rules_out_warning_signs(question)


def test_a_message_that_rules_out_only_the_fever_still_asks_the_learned_layer() -> None:
    assert not rules_out_warning_signs("operato ieri, non ho febbre ma la ferita mi fa male")


@pytest.mark.parametrize(
    ("question", "level", "concept"),
    [
        (
            "mi padre dice que desde esta mañana no ve nada por el ojo izquierdo",
            "emergency",
            "vision_loss",
        ),
        (
            "seit dem Aufwachen sehe ich links nur noch die untere Hälfte",
            "emergency",
            "vision_loss",
        ),
        ("da un'ora vedo tutto nero dall'occhio destro", "emergency", "vision_loss"),
        (
            "il y a une heure un mal de tête d'un coup, je ne peux pas ouvrir les yeux tellement "
            "c'est fort",
            "emergency",
            "thunderclap",
        ),
        (
            "j'ai pris un coup de poing sur la tempe hier et depuis j'ai mal à la tête et je vomis",
            "emergency",
            "head_injury",
        ),
        (
            "mijn moeder is gisteren van de trap gevallen en heeft nu hoofdpijn die steeds erger "
            "wordt",
            "emergency",
            "head_injury",
        ),
        ("o meu marido tem febre, dor de cabeça e o pescoço rijo", "emergency", "fever_meningism"),
        (
            "esta noite tive uns tremores e acordei com a língua mordida",
            "emergency",
            "confusion_faint_seizure",
        ),
        (
            "mijn zoon van 6 spuugt elke ochtend en heeft hoofdpijn, het wordt eerder erger",
            "urgent",
            "progressive_headache",
        ),
        (
            "my dad is 71 and only started getting headaches this month, first ones ever",
            "urgent",
            "new_after_50",
        ),
        (
            "de repente se le ha dormido la mitad izquierda del cuerpo y le cuesta hablar",
            "emergency",
            "neuro_deficit",
        ),
        ("je suis à 39 ce soir et j'ai la nuque toute raide", "emergency", "fever_meningism"),
        (
            "mein Sohn hat seit Wochen Kopfweh, er wacht nachts vor Schmerzen auf und übergibt "
            "sich jeden Morgen",
            "urgent",
            "progressive_headache",
        ),
        (
            "mijn opa heeft sinds vanochtend hoofdpijn en weet hij niet meer welke dag het is",
            "emergency",
            "confusion_faint_seizure",
        ),
        (
            "since her operation she keeps asking us the same question over and over",
            "emergency",
            "confusion_faint_seizure",
        ),
        (
            "ingreep aan mijn achterhoofd een week terug, nu heb ik koorts",
            "urgent",
            "postop_fever",
        ),
        ("ele ficou cego do olho direito agora há pouco", "emergency", "vision_loss"),
        (
            "mijn moeder is 77, pijn bij de slaap en de kaak, en vanochtend zag ze even niks met "
            "haar linkeroog",
            "emergency",
            "vision_loss",
        ),
        (
            "me operaron ayer y la herida sangra un montón, aprieto y nada",
            "emergency",
            "uncontrolled_bleeding",
        ),
        (
            "de repente me ha explotado la cabeza, nunca me había pasado",
            "emergency",
            "thunderclap",
        ),
        (
            "all'improvviso il dolore più forte della mia vita, prendo il solito triptano?",
            "emergency",
            "thunderclap",
        ),
        (
            "depuis une heure j'ai du mal à trouver mes mots et mal à la tête",
            "emergency",
            "neuro_deficit",
        ),
        (
            "opéré hier, la plaie saigne beaucoup, j'appuie et rien",
            "emergency",
            "uncontrolled_bleeding",
        ),
    ],
)
def test_red_flags_in_more_lay_words_are_read(question: str, level: str, concept: str) -> None:
    got_level, concepts = _reading(question, None)
    assert got_level == level and concept in concepts, (question, got_level, concepts)


@pytest.mark.parametrize(
    "question",
    [
        # puzzled by conflicting advice, not confused in mind
        "estou muito confusa. o neurologista diz uma coisa e o cirurgião outra, quem tem razão?",
        "someone told me the nerve op is permanent, is that right or am i getting confused?",
        # a past side effect that made the patient stop a medicine
        "I had to come off topiramate because I couldn't find my words. Can I still have surgery?",
        "Ho dovuto sospendere il topiramato perché non trovavo le parole, posso operarmi?",
        # a usual aura, checked for years, with the confusion named as absent
        "ik heb net een aanval zoals altijd, ik ben niet verward en praat normaal, is dit "
        "migraine?",
        "my hands tingle for ten minutes before the pain, it's part of my aura, would surgery "
        "help?",
        # how one would recognise a complication, asked before deciding
        "comment je saurais si la plaie s'infecte après l'opération ?",
        "Woran würde man nach dem Eingriff merken, dass sich die Narbe entzündet?",
        # an aura of many years that the neurologist knows
        "ho l'aura da anni, a volte fatico a trovare le parole, il neurologo lo sa. "
        "posso operarmi?",
    ],
)
def test_puzzlement_past_side_effects_and_usual_auras_are_no_red_flags(question: str) -> None:
    got_level, concepts = _reading(question, None)
    assert got_level is None, (question, got_level, concepts)
