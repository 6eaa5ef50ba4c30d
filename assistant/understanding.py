"""Question understanding: what a patient's question is about and what it asks, in any of
seven languages, without a generative model.

From the question (and the conversation before it) this reads:

- the language (en, es, fr, de, nl, pt, it), from its function words;
- the procedure(s) it is about: the evidence registry's aliases plus the lay names of the
  lexicon ("the neck nerve operation", "injecting your own fat"), or, for a follow-up that names
  none, those of the conversation's last turn that named one; a procedure the patient mentions
  only as their past ("my first operation did nothing") gives way to the one they ask about
  (:mod:`assistant.mentions`);
- what it asks (its facets): what it is, how it is done, duration, anaesthesia, hospital stay,
  recovery, pain afterwards, risks, making things worse, efficacy, who it suits, cost,
  alternatives, diagnosis, causes, professional position, or a surgeon/clinic recommendation;
- the named treatments it asks about (triptans, CGRP medicines, CBD, supplements ...);
- English search words for all of it (the lexicon's translations), so that an English corpus
  can be searched with a question in another language.

The vocabulary is data: ``assistant/resources/lay_lexicon.yaml`` (:mod:`assistant.lexicon`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Literal

from assistant.evidence import EvidenceRegistry
from assistant.guardrails.efficacy import EfficacyDetector
from assistant.guardrails.efficacy import signals as efficacy_signals
from assistant.guardrails.efficacy_vocab import FAILED_EFFECT
from assistant.lexicon import (
    GAP,
    LANGUAGES,
    LEXICON_FILE,
    RESOURCES,
    Language,
    Lexicon,
    Treatment,
    compile_phrases,
    default_lexicon,
    fold_text,
    phrase_spans,
)
from assistant.mentions import MentionReader
from assistant.question import (
    FACETS,
    GENERAL,
    TreatmentMention,
    Understanding,
    asking,
    sentences_of,
)
from assistant.text import normalise as efficacy_normalise
from assistant.types import Turn

__all__ = [
    "FACETS",
    "GENERAL",
    "LANGUAGES",
    "LEXICON_FILE",
    "RESOURCES",
    "Language",
    "Lexicon",
    "Treatment",
    "TreatmentMention",
    "Understander",
    "Understanding",
    "compile_phrases",
    "default_lexicon",
    "fold_text",
    "procedure_ids_in",
]

_READINGS_KEPT = 64
"""Understandings kept by question and conversation (see :meth:`Understander.understand`)."""
_OPERATION_FACETS = frozenset({"cost", "price", "anaesthesia", "hospital_stay"})
"""What only an operation has: asked with nothing named, it is asked of migraine surgery."""
_WORTH_FACETS = frozenset({"efficacy", "cost", "price"})
"""Whether a treatment claimed to work is worth it: its effect, or the money spent on it."""
_ACRONYM = re.compile(r"(?<![\w.])[A-Z][A-Z0-9]{2,}(?![\w.])")
"""A word in capitals: a trial's or a procedure's name ("MIST", "PREMIUM", "PFO")."""
# How long an effect lasts: kept only when the efficacy rules read the question so ("must I
# take blood thinners for ever?" asks about the blood thinners).
_DURABILITY_FACETS = frozenset({"lasting"})
# The facets whose words may also name the device (a stimulator's battery).
_DEVICE_FACETS = frozenset({"device_care"})
_SIBLINGS_OF_WEAK = frozenset({"how_done"})
"""Facets that keep "what is it" beside them: "what is it, what do they cut" asks both."""


# A question about the sentence before it ("is that normal?", "¿eso es normal?", "c'est grave ?"),
# over folded text.
_ABOUT_THE_LAST = re.compile(
    r"^\W*((and|but|y|pero|et|mais|und|aber|en|maar|e|mas|ma)\s+)?(is (that|this|it)|eso es|es|"
    r"esto es|c est|est ce|ist (das|es)|is (dat|het)|isso e|isto e|e|questo e)\s+"
    r"((a|an|un|une|uno|una|um|uma|ein|eine|een) )?"
    r"(normal\w*|usual|common|bad|grave|serious|schlimm|erg|ernst|comun|frequent\w*|habitual)\b"
)


_CONDITION = "occipital neuralgia"
"""The condition the sources describe (its symptoms, causes and diagnosis) beside the operations."""

# Which of the procedures named before a follow-up means ("the other one", "die tweede", "la
# primera", "esse segundo"), over folded text.
_THIS = (
    "this|that|esse|este|essa|esta|ese|esa|aquele|aquela|aquel|aquella|questo|questa|quel|quello|"
    "quella|ce|cette|dieser|diese|dieses|deze|dat|die"
)
# An inflected German ordinal picks one of the procedures only where "of them" follows or the
# clause ends ("bei der ersten davon?"); before a noun it is a plural ("in den ersten Wochen").
_PICKED = r"(?=\s+(?:davon|von (?:denen|beiden|den beiden))\b|\s*[?.,;!]|\s*$)"

# An ordinal before a span of time is that span, not a procedure ("the first week", "la prima
# settimana", "die erste Nacht").
_TIME_NOUNS = (
    r"few|days?|weeks?|months?|nights?|hours?|years?|dias?|semanas?|mes(?:es)?|noches?|horas?|"
    r"jours?|semaines?|mois|nuits?|heures?|giorni|giorno|settiman[ae]|mesi|mese|nott[ei]|ore|"
    r"dagen|dag|weken|week|maanden|maand|nachten|nacht|uren|tag(?:e|en)?|wochen?|monate?|nachte|"
    r"stunden?|jahre?|noites?"
)
_NOT_TIME = r"\b(?!\s+(?:time|vez|fois|mal|keer|volta|volte|" + _TIME_NOUNS + r")\b)"

_WHICH_ONE = re.compile(
    r"\b(?P<other>the other( one)?|die andere|de andere|het andere|das andere|der andere|l autre|"
    r"la otra|el otro|l altra|l altro|a outra|o outro)\b|"
    r"\b(?P<second>the second( one)?|die tweede|de tweede|het tweede|d(?:ie|er|as) zweite|"
    r"d(?:er|en|em) zweiten" + _PICKED + r"|"
    r"la segunda|el segundo|la seconda|il secondo|a segunda|o segundo|le second|"
    r"la seconde|la deuxieme|le deuxieme|(?:" + _THIS + r") "
    r"(?:second|segund[oa]|second[oa]|deuxieme|seconde|zweiten?|tweede))" + _NOT_TIME + r"|"
    r"\b(?P<first>the first( one)?|die eerste|de eerste|het eerste|d(?:ie|er|as) erste|"
    r"d(?:er|en|em) ersten" + _PICKED + r"|"
    r"la primera|el primero|la prima|il primo|a primeira|o primeiro|le premier|"
    r"la premiere|(?:" + _THIS + r") "
    r"(?:first|primeir[oa]|primer[oa]?|prim[oa]|premiere?|ersten?|eerste))" + _NOT_TIME
)


# "That operation" pointing back at the treatment the message's own story named ("the ENT says
# that operating on my septum would cure my migraine; does that operation work?"), over folded
# text.
_THAT_OPERATION = re.compile(
    r"\b(that|this|esa|esta|ese|este|cette|ce|diese[rnms]?|deze|dat|essa|esse|"
    r"quell|quella|quello|quest|questa|questo)\s+(operation|surgery|procedure|operacion|"
    r"cirugia|intervencion|procedimiento|intervention|chirurgie|eingriff|operatie|ingreep|"
    r"operacao|cirurgia|procedimento|intervento|operazione)\b|"
    r"\b(that|this|diese) op\b|\bdie (operatie|ingreep|behandeling)\b"
)


_WORD_RE = re.compile(r"\w+")


def _words(text: str) -> int:
    """How many words a text has (a question mark set apart is no word)."""
    return len(_WORD_RE.findall(text))


_NAME_WORDS = 5
"""A procedure named in more words than this is a lay description with a gap ("the op ...
at the back of the head"): what the patient says inside the gap is not part of the name."""


def _name_words(norm: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans of a sentence's procedure names whose words are the name's own: a long lay
    description counts by its first and last words only ("bleibt nach der OP ein taubes Gefühl
    am Hinterkopf": the numbness is asked, not named)."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        words = list(_WORD_RE.finditer(norm[start:end]))
        if len(words) > _NAME_WORDS:
            first, last = words[0], words[-1]
            out += [(start + first.start(), start + first.end())]
            out += [(start + last.start(), start + last.end())]
        else:
            out.append((start, end))
    return out


class Understander(MentionReader):
    """Reads questions with the evidence registry and the lexicon."""

    @staticmethod
    def _without_unasked_efficacy(question: str, facets: list[str]) -> list[str]:
        """The facets less durability when the message asks something else and the efficacy
        rules read no efficacy question in it ("how long in hospital, and must I take blood
        thinners for ever?"): a word of that facet in a question about another thing."""
        lasting = [f for f in facets if f in _DURABILITY_FACETS]
        if not lasting or len(lasting) == len(facets):
            return facets
        read = efficacy_signals(question)
        # "How soon would I notice it working?": when the effect starts is its time too.
        if read.efficacy or "timing" in read.vetoes:
            return facets
        return [f for f in facets if f not in _DURABILITY_FACETS]

    def facets_in(self, text: str, language: str) -> list[str]:
        """What ``text`` asks, most specific first. Words inside a procedure's name ("trigger"
        in "trigger-site surgery") do not count; when the text has sentences that ask (a
        question mark, or a last sentence that opens with a question word) and ask something,
        only those count (the rest is context)."""
        hits: list[tuple[int, int, str, bool]] = []
        sentences = []
        for sentence in sentences_of(text):
            norm = fold_text(sentence)
            sentences.append((norm, _name_words(norm, self._mentions(sentence, language).spans)))
        for n, (norm, spans) in enumerate(sentences):
            found = self._facet_hits(norm, [language], spans)
            # Positions are made unique per sentence (sentence number * 10^6 + offset).
            hits += [(n * 10**6 + s, n * 10**6 + e, f, g) for s, e, f, g in found]
        if not hits and language != "en":
            # Nothing in the question's own language: a word of a neighbouring one may say it
            # (a mixed or misread question); never when its own language already said it.
            others = [lang for lang in LANGUAGES if lang not in ("en", language)]
            for n, (norm, spans) in enumerate(sentences):
                found = self._facet_hits(norm, others, spans)
                hits += [(n * 10**6 + s, n * 10**6 + e, f, g) for s, e, f, g in found]
        asked = asking(sentences_of(text))
        # "A friend was worse for weeks after the op. Is that normal?": the question asks about
        # the sentence before it.
        for n in range(1, len(sentences)):
            if asked[n] and _ABOUT_THE_LAST.match(sentences[n][0]):
                asked[n - 1] = True
        # A facet matched only inside another facet's longer phrase does not count
        # ("back to work" is recovery, not efficacy's "work"). A phrase with a gap ("tell ...
        # apart") neither hides the words in its gap ("which society ... do they") nor is hidden;
        # it hides a match of its own first or last words ("first before" in "botox ... first
        # before").
        kept = [
            (s, e, f)
            for s, e, f, gapped in hits
            if gapped
            or not any(
                f2 != f
                and s2 <= s
                and e <= e2
                and (e2 - s2) > (e - s)
                and (not g2 or s == s2 or e == e2)
                for s2, e2, f2, g2 in hits
            )
        ]
        in_questions = [h for h in kept if asked[h[0] // 10**6]]
        if in_questions:
            kept = in_questions
        kept.sort()
        facets: list[str] = []
        for _, _, facet in kept:
            if facet not in facets:
                facets.append(facet)
        weak = self.lexicon.weak_facets
        if any(f not in weak and f not in _SIBLINGS_OF_WEAK for f in facets):
            facets = [f for f in facets if f not in weak]
        overridden = {o for f in facets for o in self.lexicon.facet_overrides.get(f, ())}
        return [f for f in facets if f not in overridden]

    def _facet_hits(
        self, norm: str, langs: Sequence[str], exclude: Sequence[tuple[int, int]]
    ) -> list[tuple[int, int, str, bool]]:
        """(start, end, facet, whether the phrase has a gap) of each facet phrase found."""
        hits = []
        for facet, (_, by_lang) in self.lexicon.concepts.items():
            for lang in langs:
                for pattern in by_lang.get(lang, ()):
                    gapped = GAP in pattern.pattern
                    for m in pattern.finditer(norm):
                        s, e = m.span()
                        # A name in the gap of a phrase, or at an end of a phrase with a gap
                        # ("after the MIGONE ... pain", "botox ... first before") is what the
                        # phrase is about; a name the phrase's own words are part of
                        # ("trigger" in "trigger-site surgery") is not the facet.
                        # A device's own parts ("la batería" of a stimulator named "the
                        # battery thing") are what its care asks about.
                        if facet not in _DEVICE_FACETS and any(
                            s < xe and xs < e and not (gapped and s <= xs and xe <= e)
                            for xs, xe in exclude
                        ):
                            continue
                        hits.append((s, e, facet, gapped))
        return hits

    # -- translations
    def english_terms(self, text: str, language: str, facets: Sequence[str]) -> list[str]:
        norm = fold_text(text)
        terms: list[str] = []
        langs = [language] if language == "en" else [language, "en"]
        for english, by_lang in self.lexicon.translations:
            if any(phrase_spans(by_lang.get(lang), norm) for lang in langs):
                terms.append(english)
        for facet in facets:
            english = self.lexicon.concepts.get(facet, ("", {}))[0]
            if english:
                terms.append(english)
        if language != "en":
            # A name in capitals ("the MIST trial", "PREMIUM") is the same in every language.
            common = frozenset().union(*self.lexicon.markers.values())
            terms += [w for w in _ACRONYM.findall(text) if fold_text(w) not in common]
        return terms

    def understood(self, text: str, language: str) -> float:
        """Share of the content words of ``text`` inside a known name or phrase."""
        norm = fold_text(text)
        markers = self.lexicon.markers.get(language, frozenset())
        words = [m.span() for m in re.finditer(r"\w+", norm) if len(m.group()) >= 4]
        words = [w for w in words if norm[w[0] : w[1]] not in markers]
        if not words:
            return 1.0
        spans: list[tuple[int, int]] = []
        langs = {language, "en"}
        spans += [(s, e) for s, e, _ in self._scan(norm, language)[0]] + self._scan(norm, language)[
            1
        ]
        for _, by_lang in self.lexicon.concepts.values():
            for pattern in by_lang.get(language, ()):
                spans += [m.span() for m in pattern.finditer(norm)]
        for _, translated in self.lexicon.translations:
            for lang in langs:
                spans += phrase_spans(translated.get(lang), norm)
        for t in self.lexicon.treatments:
            spans += phrase_spans(t.pattern, norm)
        spans += phrase_spans(self.lexicon.background.get(language), norm)
        spans += phrase_spans(self.lexicon.referring.get(language), norm)
        known = sum(1 for a, b in words if any(s <= a and b <= e for s, e in spans))
        return known / len(words)

    def _refers_back(self, text: str, language: str) -> bool:
        norm = fold_text(text)
        return bool(phrase_spans(self.lexicon.referring.get(language), norm))

    # -- all together
    def understand(self, question: str, history: Sequence[Turn] = ()) -> Understanding:
        """What ``question`` (after ``history``) is about and asks. One answer reads the same
        question several times (rewriting, both searches, composing): the last few readings
        are kept."""
        key = (question.strip(), tuple(t.content for t in history if t.role == "user"))
        with self._lock:
            found = self._read.get(key)
        if found is None:
            found = self._understand(question, history)
            with self._lock:
                self._read[key] = found
                while len(self._read) > _READINGS_KEPT:
                    self._read.popitem(last=False)
        return found

    def _understand(self, question: str, history: Sequence[Turn]) -> Understanding:
        question = question.strip()
        users = [t.content for t in history if t.role == "user"]
        language = self.language(question, users[-1:])
        if language == "en" and users and not _has_markers(self, question):
            language = self.language(users[-1])
        mentions = self._mentions(question, language)
        procedures, background = self._subject(mentions)
        facets = self._without_unasked_efficacy(question, self.facets_in(question, language))
        treatments = self.treatments_in(question, language)
        source: Literal["question", "history", "none"] = "question" if procedures else "none"
        follow_up = False
        facets_from_history = False
        treatments = self._context_treatments(question, language, treatments)
        if users and treatments:
            treatments = self._told_beside_a_follow_up(question, language, treatments)
        if "alternatives" in facets:
            treatments = self._alternatives_to(question, language, treatments)
        if procedures and self._only_places(question, language, treatments):
            procedures, source = [], "none"  # "a nerve block at the back of my head"
        if not procedures and users and not [t for t in treatments if not t.background]:
            procedures = self._from_history(users)
            if procedures:
                source, follow_up = "history", True
        if not procedures and (
            mentions.generic or self._asks_of_an_operation(question, language, facets, treatments)
        ):
            procedures, source = [GENERAL], "question"
        if (
            procedures == [GENERAL]
            and users
            and not phrase_spans(self._generic_aliases, fold_text(question))
        ):
            # "The operation" in a conversation where the patient said what they have ("I
            # have occipital neuralgia"): the operation for that.
            procedures = self._placed_in_conversation(users) or procedures
        if (
            facets == ["pain_after"]
            and not procedures
            and not treatments
            and (
                _CONDITION in fold_text(question)
                or _CONDITION in self.english_terms(question, language, [])
            )
        ):
            # "What is occipital neuralgia and where does it hurt?": the pain of a condition,
            # no operation named, is what the condition is (its symptoms), not pain afterwards.
            facets = ["what_it_is"]
        if users and not facets and _words(question) <= 8:
            earlier_facets = self.facets_in(users[-1], self.language(users[-1]))
            if earlier_facets:
                facets, facets_from_history = earlier_facets, True
        if users and source == "question" and not follow_up:
            follow_up = not facets and _words(question) <= 8
        if source == "history":
            procedures = self._narrowed(users, procedures)
            procedures = self._which_one(question, users) or procedures
        if "difference" in facets and len([p for p in procedures if p != GENERAL]) >= 2:
            # "The difference between the MIGONE and the fat injections" compares two
            # operations: what each is and how it is done, not how a condition is told apart.
            facets = list(
                dict.fromkeys(
                    f
                    for x in facets
                    for f in (("what_it_is", "how_done") if x == "difference" else (x,))
                )
            )
        english = self.english_terms(question, language, facets)
        if source == "history":
            # The topic words of the turn that named it ("occipital neuralgia") come along.
            english += self.english_terms(users[-1], self.language(users[-1]), [])
        elif (
            not procedures
            and users
            and (self._refers_back(question, language) or _words(question) <= 8)
        ):
            english += self.english_terms(users[-1], self.language(users[-1]), [])
            follow_up = True
            if not treatments:
                # "And will it last for good?" after "my neurologist says Botox could help":
                # the treatment the patient's last message named is the one asked about.
                earlier = self.treatments_in(users[-1], self.language(users[-1]))
                treatments = [t for t in earlier if not t.background]
        if (
            (
                not procedures
                or (procedures == [GENERAL] and bool(_THAT_OPERATION.search(fold_text(question))))
            )
            and treatments
            and all(t.background for t in treatments)
            and facets
            and set(facets) <= _WORTH_FACETS
            and _claims_an_effect(question)
        ):
            # "My chiropractor reckons he can fix my migraines; will cracking my neck actually
            # stop them?": an effect claimed for the story's treatment, no operation named, and
            # whether it works asked: the story's treatment is the one asked about. So with
            # "that operation" pointing back at it.
            treatments = [replace(t, background=False) for t in treatments]
            procedures = [p for p in procedures if p != GENERAL]
        for t in treatments:
            english.append(" ".join(t.english[:1]))
        # Numbers are the same in every language ("80 prozent" and "over 80%").
        english += re.findall(r"(?<![\w.])\d+(?:[.,]\d+)?(?![\w.])", question)
        return Understanding(
            question=question,
            language=language,
            procedures=tuple(procedures),
            procedures_from=source,
            facets=tuple(facets),
            facets_from_history=facets_from_history,
            treatments=tuple(treatments),
            english_terms=tuple(dict.fromkeys(english)),
            follow_up=follow_up,
            background_procedures=tuple(background),
            understood=self.understood(question, language),
            named_as=tuple(
                fold_text(question)[s:e]
                for s, e in mentions.spans
                if " " in fold_text(question)[s:e]
            ),
        )

    def _told_beside_a_follow_up(
        self, question: str, language: str, treatments: list[TreatmentMention]
    ) -> list[TreatmentMention]:
        """A follow-up whose asking sentence points back ("and who can do it? I take topiramate
        but it makes me slow"): a treatment named only in the story around it is background, and
        the conversation's procedure stays the subject."""
        asked_text = self._asking_part(question)
        if asked_text is None or not self._refers_back(asked_text, language):
            return treatments
        if self._mentions(asked_text, language).procedures:
            return treatments
        return self._told_only(treatments, asked_text, language)

    def _which_one(self, question: str, users: Sequence[str]) -> list[str]:
        """The one procedure a follow-up picks among those the last turn that named several
        named ("the other one", "die tweede", "la primera"): the first or second named, and for
        "the other" the one that turn did not put first ("... and one on the arteries; tell me
        about the heart one first"), else the one named last."""
        norm = fold_text(question)
        asked = _WHICH_ONE.search(norm)
        if asked is None:
            return []
        # "... people like me, whose first one did not work?": the one told as failed is the
        # patient's past, not the one picked.
        failed = phrase_spans(self.lexicon.background.get(self.language(question)), norm)
        if any(s - asked.end() < 25 and asked.start() - e < 25 for s, e in failed):
            return []
        for earlier in reversed(users):
            mentions = self._mentions(earlier, self.language(earlier))
            ordered = list(dict.fromkeys(pid for _, pid in sorted(mentions.procedures)))
            ordered = [p for p in ordered if p != GENERAL]
            if len(ordered) < 2:
                continue
            if asked.group("first"):
                return ordered[:1]
            if asked.group("second"):
                return ordered[1:2]
            foreground, _ = self._subject(mentions)
            rest = [p for p in ordered if p not in foreground]
            return rest[:1] if rest and len(foreground) < len(ordered) else ordered[-1:]
        return []

    def _from_history(self, users: Sequence[str]) -> list[str]:
        """The procedures of the last earlier turn that named one; surgery in general when
        a turn spoke of an operation without naming one (none when no turn did)."""
        generic_turn = False
        for earlier in reversed(users):
            earlier_mentions = self._mentions(earlier, self.language(earlier))
            got, _ = self._subject(earlier_mentions)
            if got:
                return got
            if earlier_mentions.generic and not generic_turn:
                generic_turn = True
                # "migraine surgery" names the general topic; "the surgery" or "the op"
                # leans on a procedure named before it, if any.
                if phrase_spans(self._generic_aliases, fold_text(earlier)):
                    break
        return [GENERAL] if generic_turn else []

    def _narrowed(self, users: Sequence[str], procedures: list[str]) -> list[str]:
        """A follow-up's procedure named in general words in the conversation, replaced by the
        specific one the conversation places ("free the nerve" where the patient said they have
        occipital neuralgia). A question that names its procedure keeps it, whatever place it
        mentions ("trigger-point surgery ... do they cut nerves?")."""
        narrower = self.lexicon.narrower
        if not any(p in narrower for p in procedures):
            return procedures
        placed = self._placed_in_conversation(users)
        # Trigger-site surgery named for several sites stays itself; surgery in general still
        # takes the operation the conversation places.
        several = self._several_sites(users)
        out: list[str] = []
        for p in procedures:
            kept = p != GENERAL and several
            specific = [] if kept else [q for q in narrower.get(p, ()) if q in placed]
            out += [q for q in (specific or [p]) if q not in out]
        return out

    def _placed_in_conversation(self, users: Sequence[str]) -> list[str]:
        """The procedures the patient's earlier turns point at by where it hurts or what they
        have, most recent turn first (none when the turns point at several)."""
        for earlier in reversed(users):
            got = self.placed(earlier, self.language(earlier))
            if got:
                return got if len(got) == 1 else []
        return []

    def _several_sites(self, users: Sequence[str]) -> bool:
        """Whether the turn that places the conversation names another trigger site beside
        it ("muscle taken from the forehead and the back of the head")."""
        for earlier in reversed(users):
            language = self.language(earlier)
            if self.placed(earlier, language):
                others = self.lexicon.other_sites.get(language)
                return bool(phrase_spans(others, fold_text(earlier)))
        return False

    def _asks_of_an_operation(
        self,
        question: str,
        language: str,
        facets: Sequence[str],
        treatments: Sequence[TreatmentMention],
    ) -> bool:
        """Whether a question that names nothing asks, of "it", what only an operation has
        (what it costs, the anaesthetic, a hospital stay): it is about the sources' subject."""
        if treatments and _claims_an_effect(question):
            # "An acupuncturist says he can cure migraine in 10 sessions of 60 euro. Is there
            # anything in it, or am I throwing my money away?": "it" is the treatment whose
            # effect the story claims.
            return False
        return (
            bool(set(facets) & _OPERATION_FACETS)
            and all(t.background for t in treatments)
            and self._refers_back(question, language)
        )

    def _only_places(
        self, question: str, language: str, treatments: Sequence[TreatmentMention]
    ) -> bool:
        """Whether the question's procedures come only from where it hurts while it names a
        treatment it asks about: the place is where that treatment goes."""
        if not any(not t.background for t in treatments):
            return False
        return not self._raw_mentions(fold_text(question), language, places=False)

    def display_names(self, ids: Iterable[str]) -> list[str]:
        names = {p.id: p.display_name for p in self.registry.procedures}
        return [names.get(i, "migraine surgery") for i in ids]

    def search_text(self, understanding: Understanding, text: str | None = None) -> str:
        """``text`` (the question) with English search words for what it is about and asks."""
        base = text if text is not None else understanding.question
        names = self.display_names(understanding.procedures)
        if understanding.language != "en":
            # An English corpus is searched in English: the question's words in the sources'
            # language, from the lexicon (its own words would only add noise).
            english = [*names, *understanding.english_terms]
            return "; ".join(english) if english else base
        folded = base.lower()
        # "surgery" alone is already in the question's words: only specific names are added.
        specific = self.display_names(understanding.specific_procedures)
        extra = [name for name in specific if name.lower() not in folded]
        # An English question keeps its own words for what it asks (the facets' keyword
        # searches bring those passages); lay words get their clinical translation.
        facet_words = {self.lexicon.concepts.get(f, ("", {}))[0] for f in understanding.facets}
        extra += [t for t in understanding.english_terms if t not in facet_words]
        return f"{base} ({'; '.join(extra)})" if extra else base

    def expand(self, query: str) -> str:
        """The search text for a standalone query (the retriever's dense query)."""
        return self.search_text(self.understand(query))

    def expand_lexical(self, query: str) -> str:
        """The BM25 query: an English question as it is, another language's in English."""
        u = self.understand(query)
        return query if u.language == "en" else self.search_text(u)

    def facet_search_texts(self, u: Understanding) -> list[str]:
        """One English keyword query per facet asked, with the procedures' names: a BM25
        search for each brings the passages that say it (no model call)."""
        names = " ".join(self.display_names(u.procedures)) if u.procedures else ""
        treatments = " ".join(t.english[0] for t in u.subject_treatments if t.english)
        out = []
        for facet in u.facets:
            english = self.lexicon.concepts.get(facet, ("", {}))[0]
            if english:
                out.append(f"{names} {treatments} {english}".strip())
        facet_words = {self.lexicon.concepts.get(f, ("", {}))[0] for f in u.facets}
        translated = [t for t in u.english_terms if t not in facet_words]
        if translated:
            # The patient's own words, in the sources' words ("keeping track" -> "diary").
            out.append(f"{names} {treatments} {' '.join(translated)}".strip())
        if treatments and u.facets:
            # The passages that name the treatment asked about, whatever facet words they use
            # ("BOTOX is effective but is not a permanent solution" for how long Botox lasts).
            out.append(treatments)
        return out


def _claims_an_effect(question: str) -> bool:
    """Whether what the message tells outside its questions claims an effect (someone "can fix
    my migraines", "swears by it"), not a failure ("nothing has worked")."""
    return EfficacyDetector.tells_outcome(question) and not FAILED_EFFECT.search(
        efficacy_normalise(question)
    )


def _has_markers(understander: Understander, text: str) -> bool:
    tokens = set(fold_text(text).replace("?", " ").split())
    return any(tokens & words for words in understander.lexicon.markers.values())


def procedure_ids_in(registry: EvidenceRegistry, text: str) -> list[str]:
    """Registry ids named in ``text`` (registry aliases and the lexicon's English lay names)."""
    return Understander(registry).procedures_in(text)
