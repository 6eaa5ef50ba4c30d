"""Selection by meaning: which quotable units answer a question, and the answer made of them.

Every candidate unit (see :mod:`assistant.units`) of the retrieved passages is scored by

- procedure match: a unit about another procedure is never quoted (its own tags decide; a unit
  that names no procedure may be quoted for its document's subject, or for questions about the
  condition itself: causes, diagnosis, alternatives);
- facet match: the unit says something about what the question asks (duration, risks ...);
- semantic similarity: the question's English search text (embedded once for retrieval) to
  the unit's stored embedding, blended with the question as written (the guardrails'
  multilingual encoding, any of the seven languages) to the unit's multilingual embedding
  (:func:`blend`);
- lexical evidence: the question's English words (the lexicon's translations included) found
  in the unit, weighted by IDF.

The answer quotes the few units that answer the question, no unit twice, each with the
sentence it leans on or the next one that completes it. When the procedure is known but the
sources say nothing about what is asked, the answer says so precisely ("My sources do not say
how long recovery from fat transfer takes.") and lists what they do say; a named treatment the
sources never mention gets "My sources do not cover sumatriptan.". Fixed texts and lead-ins
come from ``assistant/resources/messages/<language>.yaml``; a question in another language
gets them in its language, with a note that the quotes are in English.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np

from assistant.lexicon import fold_text, phrase_spans
from assistant.messages import Messages, messages
from assistant.quoting import (
    EVIDENCE_KINDS,
    Candidate,
    compose,
    corpus_has,
    has_figures,
    lead_in,
    matched_terms,
)
from assistant.text import fold, terms
from assistant.types import Draft, Passage
from assistant.understanding import GENERAL, Understander, Understanding
from assistant.units import Unit, UnitIndex

__all__ = [
    "CONDITION_FACETS",
    "DESCRIBED",
    "EVIDENCE_KINDS",
    "RELATED",
    "Candidate",
    "Selector",
    "corpus_has",
    "lead_in",
    "matched_terms",
]

CONDITION_FACETS = frozenset({"alternatives", "causes", "diagnosis", "difference"})
"""Facets about the condition rather than a procedure: a unit's document subject does not
rule it out."""
EXTRA_SPAN = 0.3
"""A facet's further unit may be this much less similar to the question than its best one."""
FIGURES_SHARE = 0.4
"""An efficacy answer whose chosen evidence holds no result adds the best sentence with figures
(patients, studies, %) scoring at least this share of the best evidence."""
DESCRIBED = frozenset({"what_it_is", "mechanism", "difference", "causes", "diagnosis", "who_suits"})
"""Facets a close description answers, when no unit is tagged with them."""
OUTCOMES = frozenset({"efficacy", "lasting", "worse"})
"""Facets of units that tell results, not what a procedure is or how it is done."""
RELATED = {
    "what_it_is": {"how_done"},
    "how_done": {"what_it_is"},
    "worse": {"risks", "efficacy"},
    "risks": {"worse", "pain_after"},
    "pain_after": {"recovery", "risks"},
    "recovery": {"pain_after"},
    "who_suits": {"alternatives"},
    "duration": set(),
    "lasting": {"efficacy"},
    "difference": {"diagnosis"},
    "diagnosis": {"difference"},
    "mechanism": {"how_done"},
}
_PRACTICAL = frozenset(
    {
        "duration",
        "anaesthesia",
        "hospital_stay",
        "recovery",
        "pain_after",
        "scar",
        "numbness",
        "price",
        "pregnancy",
        "age_limit",
        "device_care",
    }
)
"""What having the operation is like: a question that asks only this is not answered with how
well the operation works."""
_WEAK_TERMS = frozenset(terms("work works take takes help helps do does done feel make need"))
# A sentence that speaks of its page's procedure by a pointing word ("this technique", "the
# procedure"): about that procedure, whatever treatment it names beside it.
_PAGE_PROCEDURE = re.compile(
    r"\b(this|the|that) (technique|procedure|approach|method|surgery|operation|therapy)\b",
    re.IGNORECASE,
)
_CONTRAST = re.compile(r"^\W*(however|but|yet|still|nevertheless|even so)\b", re.IGNORECASE)
"""A next sentence that turns what was said ("... is not a permanent solution. However, it
can help pinpoint the locations ...") completes it, whatever its own score."""

_ENUMERATES = re.compile(r"\b(including|such as)\b|\w+, \w+(?: \w+)?,? (?:and|or) \w+")
"""A sentence that lists what it speaks of ("risks, including infection, bruising, or uneven
results") says more than one that only names its kind ("minimal complications")."""

Idf = Callable[[str], float]
Covered = Callable[[str], bool]


# A sentence this close in meaning to a question in another language, of the facet read in it,
# answers it even when few of its words were understood.
MEANING_MATCH = 0.6
IN_DOMAIN_SIMILARITY = 0.5
"""A question whose best sentence is this similar is about the sources' subject, whatever the
English passage search made of its words (the strong-match similarity)."""
MULTILINGUAL_WEIGHT = 0.6
"""The share of the multilingual encoder in a unit's similarity to the question."""
MULTILINGUAL_SCALE = (0.752, 6.13)
"""multilingual-e5-small's cosines crowd between 0.75 and 0.85 where MiniLM's spread from 0 to
0.6: (c - 0.752) * 6.13 puts the 5th and 95th percentiles of one on those of the other
(measured over every unit and every dev patient question), so that the thresholds on
similarity keep their meaning."""


def blend(english: float, multilingual: float) -> float:
    """A unit's similarity to the question: the English embedder's cosine between the
    question's English search words and the unit, beside the multilingual encoder's between the
    question as written (in any language) and the unit, on the English scale."""
    low, scale = MULTILINGUAL_SCALE
    return (1 - MULTILINGUAL_WEIGHT) * english + MULTILINGUAL_WEIGHT * (
        0.01 + (multilingual - low) * scale
    )


@lru_cache(maxsize=100_000)
def _unit_terms(text: str) -> frozenset[str]:
    return frozenset(terms(text))


class Selector:
    """Scores units against an :class:`Understanding` and composes the answer."""

    def __init__(
        self,
        understander: Understander,
        units: UnitIndex,
        covered: Covered | None = None,
        embed: Callable[[str], np.ndarray] | None = None,
        max_units: int = 4,
        min_coverage: float = 0.34,
        min_dense_score: float = 0.30,
    ) -> None:
        self.understander = understander
        self.units = units
        self.covered = covered or (lambda text: True)
        self.embed = embed
        self.max_units = max_units
        self.min_coverage = min_coverage
        self.min_dense_score = min_dense_score

    # -- gates
    def _allowed(self, unit: Unit, u: Understanding, treatments: set[str]) -> bool:
        scope = u.scope
        if treatments and not u.specific_procedures:
            # "Does my Botox help if I have surgery one day", "why Botox before he operates":
            # what the sources say of the treatment asked about, whichever operation's page
            # says it; not the page's own procedure combined with it ("integrating this
            # technique with Botox"), nor, unless how well it works is asked (which the
            # evidence on surgery in general weighs), what they say of surgery in general.
            if treatments & unit.treatments:
                return not (unit.subject and _PAGE_PROCEDURE.search(unit.text))
            if "efficacy" not in u.facets:
                return False
        if scope and unit.procedures and not unit.procedures & scope:
            # A sentence naming several procedures speaks of migraine surgery in general,
            # which is what a general question asks about; otherwise it is another's.
            return GENERAL in u.procedures and len(unit.procedures) >= 2
        if scope and not unit.procedures and unit.subject and not unit.subject & scope:
            # A sentence of another procedure's page that names none: only for questions
            # about the condition itself (causes, diagnosis, alternatives), and not when it
            # names a condition of another procedure ("occipital neuralgia is diagnosed by..."
            # does not say how a hole in the heart is found).
            condition = set(u.facets) & CONDITION_FACETS
            if u.specific_procedures:
                # How a procedure's own condition is found (a hole in the heart) is not how
                # another page's condition is diagnosed.
                condition.discard("diagnosis")
            if not condition:
                return False
            # The condition the sentence names points at its procedure (occipital neuralgia: the
            # decompression).
            placed = set(self.understander.placed(unit.text, "en"))
            return not (placed and not placed & scope)
        return not (treatments and not scope and not unit.treatments & treatments)

    def _facet_score(
        self, unit: Unit, wanted: Sequence[str], scope: frozenset[str] = frozenset()
    ) -> tuple[float, frozenset[str]]:
        if not wanted:
            return 0.0, frozenset()
        # A sentence that lists procedures says of each only what its own clause says.
        facets = unit.facets_of(scope)
        direct = facets & set(wanted)
        if direct:
            return 1.0, frozenset(direct)
        related = {f for f in wanted for r in RELATED.get(f, ()) if r in facets}
        if related:
            return 0.4, frozenset()
        if unit.heading_facets & set(wanted):
            return 0.3, frozenset()
        return 0.0, frozenset()

    def candidates(
        self,
        u: Understanding,
        passages: Sequence[Passage],
        query_vector: np.ndarray | None,
        idf: Idf | None,
        facets: Sequence[str],
        treatments: set[str],
        multilingual_vector: np.ndarray | None = None,
    ) -> list[Candidate]:
        chunk_units = self.units.for_passages(passages)
        by_chunk = {p.chunk.chunk_id: p for p in passages}
        search_text = self.search_words(u)
        q_terms = set(terms(search_text))
        weights = {
            t: (idf(t) if idf else 1.0) * (0.25 if t in _WEAK_TERMS else 1.0) for t in q_terms
        }
        total = sum(weights.values()) or 1.0
        if query_vector is None and self.embed is not None:
            query_vector = self.embed(self.understander.search_text(u))
        out: list[Candidate] = []
        seen: set[tuple[str, int, int]] = set()
        for cu in chunk_units:
            if not cu.units:
                continue  # a chunk with no sentence to quote (a heading alone) offers nothing
            passage = by_chunk[cu.chunk.chunk_id]
            # Each unit's cosine to the question as written, for the chunk at once.
            across = (
                cu.multilingual @ multilingual_vector
                if cu.multilingual is not None and multilingual_vector is not None
                else None
            )
            for i, (unit, vector) in enumerate(zip(cu.units, cu.vectors, strict=False)):
                key = (unit.doc_id, unit.start, unit.end)
                if not unit.quotable or key in seen:
                    continue
                seen.add(key)
                if not self._allowed(unit, u, treatments):
                    continue
                similarity = (
                    float(np.dot(query_vector, vector)) if query_vector is not None else 0.0
                )
                if across is not None:
                    similarity = blend(similarity, float(across[i]))
                overlap = matched_terms(q_terms, _unit_terms(unit.text))
                lexical = sum(weights[t] for t in overlap) / total
                facet, direct = self._facet_score(unit, facets, u.scope)
                out.append(Candidate(unit, passage, similarity, lexical, facet, direct))
        # A translation of the patient's words that is a phrase of the sources ("multiple
        # trigger point sites addressed in a single procedure"): the unit that says it.
        phrases = [
            p
            for p in (set(terms(part)) for t in u.english_terms for part in t.split(","))
            if len(p) >= 4
        ]
        for c in out:
            bonus = 0.0
            unit_terms = _unit_terms(c.unit.text)
            c.phrase = any(len(matched_terms(p, unit_terms)) >= 0.8 * len(p) for p in phrases)
            if u.scope and c.unit.procedures & u.scope:
                bonus += 0.1
            if treatments and c.unit.treatments & treatments:
                bonus += 0.25
                c.entity = not u.specific_procedures or bool(c.unit.procedures & u.scope)
            folded = fold(c.unit.text).replace("-", " ")
            if any(name in folded for name in u.named_as):
                c.named = True  # the name the patient used ("spinal cord stimulation")
                bonus += 0.1
            if "what_it_is" in facets and self._defines(c.unit, u.scope):
                bonus += 0.15  # "Fat transfer therapy involves using a patient's own fat"
            if c.facets and _ENUMERATES.search(c.unit.text):
                bonus += 0.12  # names the risks (symptoms, options) it speaks of, one by one
            c.score = 0.55 * c.similarity + 0.35 * c.facet + 0.3 * c.lexical + bonus
        out.sort(key=lambda c: -c.score)
        return out

    def _defines(self, unit: Unit, scope: frozenset[str]) -> bool:
        """Whether a unit says what a procedure of the question is: it opens with the
        procedure's name as its subject ("The M.I.G.O.N.E. procedure is a form of ...")."""
        if "what_it_is" not in unit.facets or not unit.procedures & scope:
            return False
        head = fold_text(unit.text[:80])
        mentions = self.understander._raw_mentions(head, "en")
        return any(s <= 8 and pid in scope for s, _, pid in mentions)

    def search_words(self, u: Understanding) -> str:
        names = self.understander.display_names(u.procedures)
        english = list(u.english_terms) + names
        if u.language == "en":
            english.insert(0, u.question)
        return " ".join(english)

    # -- deciding
    def answer(
        self,
        u: Understanding,
        passages: Sequence[Passage],
        idf: Idf | None = None,
        balance: bool = False,
        query_vector: np.ndarray | None = None,
        generator: str = "extractive",
        multilingual_vector: np.ndarray | None = None,
    ) -> Draft:
        words = messages(u.language)
        refuse = self._refusal(u, words)
        if refuse is not None:
            return Draft(text=refuse, status="no_evidence", generator=generator)
        facets = [f for f in u.facets if f not in ("provider", "other_body")]
        if balance and "efficacy" not in facets:
            facets.append("efficacy")
        covered_treatments = {
            t.id for t in u.subject_treatments if not t.unlisted and self._covers(t.english)
        }
        found = self.candidates(
            u, passages, query_vector, idf, facets, covered_treatments, multilingual_vector
        )
        topic = self._topic_name(u, words)
        if not self._in_domain(u, passages, found):
            return self._no(words, u, topic, facets, found)
        if (
            u.language != "en"
            and not (u.procedures or u.treatments or u.follow_up)
            and u.understood < 0.25
            and not (u.facets and len(u.english_terms) >= 3)
            and not self._matched_in_meaning(u, found)
        ):
            # Too little of a question in another language was understood to answer it (a
            # question whose facet and a subject word were read is understood enough, and so
            # is one whose facet a sentence of that facet matches closely in meaning).
            return self._no(words, u, topic, facets, found)
        chosen: list[Candidate] = []
        missing: list[str] = []
        if facets:
            chosen, missing = self._by_facets(u, found, facets, balance)
            asked = [f for f in facets if f != "efficacy" or "efficacy" in u.facets]
            if (
                asked
                and set(asked) <= set(missing)
                and set(asked) & _PRACTICAL
                and set(asked) <= _PRACTICAL | {"how_done"}
            ):
                # Only the "does it work" added beside the question was found: what was asked
                # ("does it hurt afterwards", "how do they close it, how many nights in
                # hospital") is not in the sources, and that is the answer.
                return self._no(words, u, topic, asked, found)
            if not chosen:
                # Nothing is tagged with what was asked. A question that a close description
                # answers ("what is it", "how is it done", "who is it for") may fall back to
                # the unit closest in meaning; one that asks for a fact (how long, what it
                # costs) may not.
                best = found[0] if found else None
                if (
                    best is None
                    or not set(facets) <= DESCRIBED
                    or not self._strong_match(best)
                    or (best.facets and best.facets <= OUTCOMES)
                ):
                    # A unit that only gives results ("in the MIST trial, migraine stopped in
                    # 3 of 74") describes nothing of how it is done.
                    return self._no(words, u, topic, facets, found)
                chosen = [best]
                missing = []
        else:
            best = found[0] if found else None
            if best is None or not self._strong_match(best):
                return self._no(words, u, topic, facets, found)
            chosen = [best] + [
                c for c in found[1:3] if c.score >= 0.92 * best.score and self._strong_match(c)
            ]
        chosen += self._lexical_extra(chosen, found, u.scope)
        chosen = self._complete(chosen, found, self.max_units + 2)
        text, citations = compose(chosen, words, u, balance)
        notes = [
            words.text("facet_not_covered", what=self._what(f, topic, words))
            for f in missing
            if topic and words.sub("facet_what", f)
        ]
        if notes:
            text = text + "\n\n" + " ".join(notes)
        return Draft(text=text, citations=tuple(citations), status="answered", generator=generator)

    def _by_facets(
        self, u: Understanding, found: Sequence[Candidate], facets: Sequence[str], balance: bool
    ) -> tuple[list[Candidate], list[str]]:
        """The units that answer each facet asked (for each procedure of a comparison), and
        the facets nothing answers."""
        chosen: list[Candidate] = []
        missing: list[str] = []
        # Several procedures (a comparison): what each of them says.
        groups = [frozenset({p}) for p in u.specific_procedures]
        if len(groups) < 2:
            groups = [frozenset()]
        extra: list[Candidate] = []
        # "Does it work" rides along with most questions (and is added for every efficacy
        # question): the more specific facet asked gets its units in first.
        ordered = [f for f in facets if f != "efficacy"] + [f for f in facets if f == "efficacy"]
        for facet in ordered:
            got = False
            for group in groups:
                pool = [c for c in found if not group or c.unit.procedures & group]
                picked = self._pick_facet(
                    pool, facet, balance and facet == "efficacy", not u.specific_procedures
                )
                # The best unit of every facet first; further ones only as room allows.
                chosen += [c for c in picked[:1] if c not in chosen]
                extra += picked[1:]
                got = got or bool(picked)
            if not got and not (facet in CONDITION_FACETS and not u.scope):
                missing.append(facet)
        chosen += [c for c in extra if c not in chosen]
        return chosen, missing

    @staticmethod
    def _lexical_extra(
        chosen: Sequence[Candidate],
        found: Sequence[Candidate],
        scope: frozenset[str] = frozenset(),
    ) -> list[Candidate]:
        """The unit that holds far more of the patient's own words than any chosen one ("which
        muscle" -> "a muscle called the semispinalis capitis"), when tagged with another
        facet: the specific fact asked for is often said beside the facet's sentences."""
        if not chosen or not found:
            return []
        best = max(found, key=lambda c: c.lexical)
        words = max(c.lexical for c in chosen)
        if best in chosen or best.similarity < 0.3 or best.lexical < max(0.45, 1.8 * words):
            return []
        # Beside the answer, not about another procedure than the answer's or the question's
        # ("it lasts for days" is no cue to quote a stimulation trial's headache days); a
        # sentence naming several procedures speaks of surgery in general.
        about = {p for c in chosen for p in c.unit.procedures} | set(scope)
        if (
            best.unit.procedures
            and not best.unit.procedures & about
            and not (GENERAL in scope and len(best.unit.procedures) >= 2)
        ):
            return []
        return [best]

    def _covers(self, names: Sequence[str]) -> bool:
        return any(self.covered(name) for name in names)

    def _refusal(self, u: Understanding, words: Messages) -> str | None:
        if u.provider:
            return words.text("provider")
        if u.other_body:
            return words.text("other_body")
        uncovered = [t for t in u.subject_treatments if not self._covers(t.english)]
        if uncovered and not u.specific_procedures:
            name = words.join([t.name for t in uncovered])
            return (
                words.text("treatment_not_covered", treatment=name)
                + " "
                + words.text("treatment_not_covered_tail", treatment=name)
            )
        return None

    def _topic_name(self, u: Understanding, words: Messages) -> str | None:
        covered = [t for t in u.subject_treatments if not t.unlisted and self._covers(t.english)]
        if u.specific_procedures:
            names = {p.id: p.display_name for p in self.understander.registry.procedures}
            return words.join([words.procedure(p, names.get(p)) for p in u.specific_procedures])
        if covered:
            return words.join([t.name for t in covered])
        if GENERAL in u.procedures:
            return words.procedure(GENERAL)
        return None

    def _what(self, facet: str, topic: str | None, words: Messages) -> str:
        template = words.sub("facet_what", facet) or ""
        return words.contract(template.format(procedure=topic or ""))

    def _in_domain(
        self, u: Understanding, passages: Sequence[Passage], found: Sequence[Candidate]
    ) -> bool:
        """Whether the question is about the sources' subject at all: a question on another
        part of the body is not, whatever word of the subject it shares."""
        if u.procedures and tuple(u.procedures) != (GENERAL,):
            return True
        lexicon = self.understander.lexicon
        question = fold_text(u.question)
        if phrase_spans(lexicon.elsewhere.get(u.language), question) and not any(
            phrase_spans(lexicon.head_and_neck.get(lang), question) for lang in {u.language, "en"}
        ):
            # Another part of the body ("my knee cracks, is it arthritis?", "after the knee
            # arthroscopy, when can I run again?", "they operate on my bunion in March"), with
            # no word of the head, the neck or migraine in the question: a treatment or an
            # operation named there is for that part of the body.
            return False
        if u.procedures:
            return True
        if u.treatments:
            return True
        best_dense = max((p.dense_score or 0.0) for p in passages) if passages else 0.0
        # The passage search reads English; a question in another language is close to the
        # sources by the sentence it matches best (the multilingual side of the similarity).
        closest = max((c.similarity for c in found), default=0.0)
        if best_dense < self.min_dense_score and closest < IN_DOMAIN_SIMILARITY:
            return False
        text = fold(self.search_words(u))
        return bool(lexicon.domain.search(text))

    @staticmethod
    def _matched_in_meaning(u: Understanding, found: Sequence[Candidate]) -> bool:
        """The facet read in the question, and the closest sentence of the sources is of that
        facet and close in meaning (the question as written, across languages)."""
        best = found[0] if found else None
        return bool(
            best is not None
            and u.facets
            and u.facets[0] in best.facets
            and best.similarity >= MEANING_MATCH
        )

    def _strong_match(self, c: Candidate) -> bool:
        return (
            c.similarity >= 0.5
            or (c.entity and c.similarity >= 0.3)
            or (c.lexical >= self.min_coverage and c.similarity >= 0.3)
        )

    def _pick_facet(
        self, found: Sequence[Candidate], facet: str, balance: bool, of_treatment: bool = False
    ) -> list[Candidate]:
        with_facet = [c for c in found if facet in c.facets and (c.similarity >= 0.15 or c.phrase)]
        if not with_facet:
            return []
        best = with_facet[0]
        if not balance:
            # Further units only when they are as good and about as close in meaning: a unit
            # that only shares the facet ("also called ...") is no second answer.
            out = [best] + [
                c
                for c in with_facet[1:3]
                if c.score >= 0.8 * best.score and c.similarity >= best.similarity - EXTRA_SPAN
            ]
            # The unit that says what the patient's words translate to, wherever it ranks.
            return out + [c for c in with_facet if c.phrase and c not in out][:1]
        # Efficacy: the published evidence first, then the clinics' own claims beside it.
        evidence = [c for c in with_facet if c.passage.doc.source_kind in EVIDENCE_KINDS]
        # Among the published evidence, results with figures (patients, studies, days, %)
        # answer "does it work" better than a description; the patient's own name first.
        evidence.sort(key=lambda c: (not c.named, -(c.score + 0.1 * has_figures(c.unit.text))))
        claims = [c for c in with_facet if c.passage.doc.source_kind not in EVIDENCE_KINDS]
        named = [c for c in with_facet if c.entity] if of_treatment else []
        if named:
            # A treatment asked about ("does my Botox help"): what is said of it, not how well
            # the operation works.
            return named[:3]
        out = evidence[:1]
        out += [c for c in evidence[1:3] if c.score >= 0.75 * evidence[0].score]
        # "Is there any proof it works?": a study's result beside sentences that only tell what
        # a page cites or who advises what, when the sources hold one close enough.
        if out and not any(has_figures(c.unit.text) for c in out):
            out += [
                c
                for c in evidence[len(out) :]
                if has_figures(c.unit.text) and c.score >= FIGURES_SHARE * evidence[0].score
            ][:1]
        if claims and (not out or claims[0].score >= 0.7 * best.score):
            out.append(claims[0])
        return out or [best]

    def _complete(
        self, chosen: list[Candidate], found: Sequence[Candidate], limit: int
    ) -> list[Candidate]:
        """Each chosen unit with the sentence it leans on ("It takes ...") and the next one
        when that completes it (the reason, the figures, the rest of a trial's result)."""
        by_place = {(c.unit.chunk_id, c.unit.index): c for c in found}
        out: list[Candidate] = []
        for c in chosen:
            group = [c]
            before = by_place.get((c.unit.chunk_id, c.unit.index - 1))
            if (
                before is not None
                and before.unit.paragraph == c.unit.paragraph
                and (
                    c.unit.continues
                    or (before.facets & c.facets and before.score >= 0.75 * c.score)
                )
            ):
                group.insert(0, before)
            after = by_place.get((c.unit.chunk_id, c.unit.index + 1))
            if (
                after is not None
                and after.unit.paragraph == c.unit.paragraph
                and (
                    c.unit.announces
                    or (after.unit.continues and after.score >= 0.6 * c.score)
                    or bool(_CONTRAST.match(after.unit.text))
                    or (after.facets & c.facets and after.score >= 0.75 * c.score)
                )
            ):
                group.append(after)
                further = by_place.get((c.unit.chunk_id, c.unit.index + 2))
                if (
                    c.unit.announces
                    and further is not None
                    and further.unit.paragraph == c.unit.paragraph
                ):
                    group.append(further)
            group = [g for g in group if g not in out]
            if out and len(out) + len(group) > limit:
                break
            out += group
        return out

    def _no(
        self,
        words: Messages,
        u: Understanding,
        topic: str | None,
        facets: Sequence[str],
        found: Sequence[Candidate],
    ) -> Draft:
        if topic is None:
            return Draft(text=words.text("no_evidence"), status="no_evidence")
        asked = [f for f in facets if words.sub("facet_what", f)]
        if asked:
            text = words.text("facet_not_covered", what=self._what(asked[0], topic, words))
        else:
            text = words.text("topic_not_covered", procedure=topic)
        offered = []
        for c in found:
            for f in sorted(c.unit.facets):
                wanted = f not in offered and f not in asked and c.similarity >= 0.2
                if wanted and words.sub("facet_offer", f):
                    offered.append(f)
        if offered:
            listed = words.join([str(words.sub("facet_offer", f)) for f in offered[:5]])
            text += " " + words.text("offer", procedure=topic, facets=listed)
        return Draft(text=text, status="no_evidence")

    # -- composing
