"""How sure tsfix is of a suggestion: a number in [0, 1] computed from evidence, never a constant.

    verified     confidence = 0.50 + 0.50 × strength      (in [0.50, 1.00])
    not verified confidence = 0.25 × strength             (in [0.00, 0.25])

so every verified candidate outranks every unverified one. `strength` in [0, 1] multiplies:

    tier        prior of the fixer: TypeScript's quick fixes 0.90, type-directed repairs 0.80,
                a language model 0.70; × 1.05 (capped at 1) when another fixer (not the search, which
                enumerates) proposed the same result
    size        1 / (1 + changed characters / 120): small edits are more often what was meant
    ambiguity   1 / sqrt(alternatives): if several different edits all compile, each is less likely
                to be the intended one. `alternatives` weighs them: the summed strength (ambiguity
                left out) of the error's distinct verified candidates over this one's — two equally
                strong make 2, a strong one beside a weak one a little over 1
    model       for model candidates, (0.5 + 0.5 × p) × (0.5 + 0.5 × agreement), where p is the
                geometric-mean probability of the answer's tokens (exp of the mean log-probability;
                0.5 when the server gives none) and agreement is the share of the K samples that
                produced this exact fix; 1 for the others
    collateral  1 + 0.1 × (other errors it also removes, at most 3): a fix that removes several errors
                without adding any is more likely their one cause (the misspelt declaration rather
                than one of its uses)
    rank        0.5 + 0.5 × the fixer's own rank of the candidate (the search ranks by similarity to
                the text replaced; other fixers rank 1)
    vocabulary  0.5 + share, between 0.5 and 1.2, where share (tsfix.vocabulary) is how much the words
                the edit adds occur in the project against the words it removes: renaming toward
                the spelling the code uses (½ when the edit renames nothing, so 1)
    guess       0.6 for a value chosen only for its type (an empty string for a missing property, the
                placeholders of TypeScript's "Add missing properties")

A candidate that silences the error (allowed only with --allow-suppressions) gets strength × 0.3.
The calibration of these numbers on the benchmark is reported in bench/RESULTS.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tsfix.fixers.candidate import Candidate
from tsfix.verify import Verification

TIER = {"quickfix": 0.90, "repair": 0.80, "search": 0.80, "llama": 0.70, "openai": 0.70}
MODEL_FIXERS = ("llama", "openai")


@dataclass(frozen=True, slots=True)
class Evidence:
    """The inputs of the formula for one candidate (stored with the suggestion)."""

    tier: float
    size: float
    ambiguity: float
    model: float
    collateral: float
    suppression: float
    rank: float = 1.0
    guess: float = 1.0
    vocabulary: float = 1.0

    @property
    def strength(self) -> float:
        value = self.tier * self.size * self.ambiguity * self.model * self.collateral * self.suppression
        value *= self.rank * self.guess * self.vocabulary
        return max(0.0, min(1.0, value))


def evidence(
    candidate: Candidate,
    verification: Verification,
    changed_chars: int,
    verified_alternatives: float,
    vocabulary_share: float = 0.5,
) -> Evidence:
    tier = TIER.get(candidate.fixer, 0.6)
    if any(fixer != "search" for fixer in candidate.also_from):
        # the search enumerates every plausible edit, so its agreement is no independent evidence
        tier = min(1.0, tier * 1.05)
    size = 1.0 / (1.0 + changed_chars / 120.0)
    ambiguity = 1.0 / math.sqrt(max(1, verified_alternatives)) if verification.verified else 1.0
    model = 1.0
    if candidate.fixer in MODEL_FIXERS:
        p = math.exp(candidate.mean_logprob) if candidate.mean_logprob is not None else 0.5
        agreement = candidate.samples / max(1, candidate.of_samples)
        model = (0.5 + 0.5 * min(1.0, p)) * (0.5 + 0.5 * min(1.0, agreement))
    others = verification.errors_before - verification.errors_after - 1 if verification.verified else 0
    collateral = 1.0 + 0.1 * max(0, min(3, others))
    suppression = 0.3 if verification.suppression else 1.0
    rank = 0.5 + 0.5 * max(0.0, min(1.0, candidate.rank))
    guess = 0.6 if candidate.guess else 1.0
    vocabulary = max(0.5, min(1.2, 0.5 + vocabulary_share))
    return Evidence(tier, size, ambiguity, model, collateral, suppression, rank, guess, vocabulary)


def confidence(verified: bool, ev: Evidence) -> float:
    """The formula above, rounded to 4 places."""
    value = 0.5 + 0.5 * ev.strength if verified else 0.25 * ev.strength
    return round(value, 4)
