"""The YAML formats, as pydantic models: sources, claims, checks, quantities.

Unknown fields are refused everywhere (extra="forbid"), so a typo is an error, not a silently
ignored key. Values are kept as the literal text the contributor wrote ("1.80", "2.15e25"), so
their precision is known; see kb/values.py for what a literal means.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SLUG = r"^[a-z0-9][a-z0-9._-]*$"
Slug = Annotated[str, Field(pattern=SLUG, max_length=120)]
ClaimKind = Literal["claim", "reference", "assumption"]
Qualifier = Literal["about", "at_least", "at_most", "exactly"]
Rank = Literal["preferred", "normal", "deprecated"]
RelationOp = Literal["=", "<=", ">="]
"""How a claim relates to what its check recomputes: equal, at most, at least."""
SourceKind = Literal[
    "article",
    "newsletter",
    "transcript",
    "paper",
    "datasheet",
    "announcement",
    "pricing",
    "dataset",
    "definition",
    "translation",
    "other",
]


_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"), "-")


def normal_subject(text: str) -> str:
    """One spelling per subject: NFKC, every dash a hyphen-minus, runs of white space one space."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_DASHES).split())


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


def _http_only(url: str | None) -> str | None:
    if url is not None and not re.match(r"^https?://[^\s<>\"']+$", url):
        raise ValueError("must be an http:// or https:// address")
    return url


def _file_name(name: str | None) -> str | None:
    """An archived text is a file beside its metadata: no folders, no '..', so nothing else is read."""
    if name is not None and (not name.strip(".") or re.search(r"[/\\\x00]", name)):
        raise ValueError("must be the name of a file beside this YAML (no folders)")
    return name


def _year_text(v: object) -> object:
    """A bare year (2023) is read by YAML as a number; dates may be YYYY, YYYY-MM or YYYY-MM-DD."""
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    if isinstance(v, str):
        m = re.match(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$", v)
        if not m:
            raise ValueError("write a date as YYYY-MM-DD, YYYY-MM or YYYY")
        year, month, day = (int(g) if g else None for g in m.groups())
        try:
            dt.date(year or 1, month or 1, day or 1)
        except ValueError as exc:
            raise ValueError(f"{v} is not a date ({exc})") from None
    return v


class SourceMeta(Strict):
    """A document that claims come from; its text is archived beside this file when we have it."""

    id: Slug
    """Stable identifier, used by claims (`sources: - source: ID`)."""
    title: str = Field(min_length=1)
    """The document's title as published."""
    author: str | None = None
    """Who wrote it, when known."""
    publisher: str | None = None
    """Who published it (a site, a journal, a company)."""
    url: str | None = None
    """Where it was published (http or https only)."""
    language: str = Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$")
    """BCP 47 language tag of the archived text: en, zh..."""
    published: dt.date | str | None = None
    """Publication date: YYYY-MM-DD, YYYY-MM or YYYY."""
    retrieved: dt.date | None = None
    """When the archived copy was taken."""
    kind: SourceKind = "article"
    """What sort of document it is."""
    text: str | None = None
    """File name of the archived text, beside this YAML; absent when the source is not archived."""
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    """SHA-256 of the archived text, verified by `kb check`."""
    original_name: str | None = None
    """The archived file's name where it came from."""
    translation_of: str | None = None
    """Id of the source this document translates, if any."""
    description: str = ""
    """What the document is, in a sentence or two (markdown)."""

    _url = field_validator("url")(_http_only)
    _published = field_validator("published", mode="before")(_year_text)
    _text = field_validator("text")(_file_name)

    @model_validator(mode="after")
    def _text_needs_hash(self) -> SourceMeta:
        if self.text and not self.sha256:
            raise ValueError("an archived text needs its sha256 (kb source add computes it)")
        return self


class Quote(Strict):
    """Where a claim is stated: the source, the verbatim words, and a translation when not English."""

    source: Slug
    """Id of the source document."""
    quote: str | None = Field(default=None, min_length=1)
    """The verbatim words of the source, in its language (white space may differ)."""
    translation: str | None = None
    """An English translation, required when the source is not in English."""
    locator: str | None = None
    """Where in the source (a table, a section, a page), for sources not archived here."""

    @model_validator(mode="after")
    def _quote_or_locator(self) -> Quote:
        if self.quote is None and self.locator is None:
            raise ValueError("give the verbatim quote (or, for a source not archived here, a locator)")
        return self


class Tolerance(Strict):
    """How far a recomputed value may stray from the stated one, and why."""

    relative: float | None = Field(default=None, gt=0, le=10)
    """Widen the stated interval by this fraction of each end (0.1 = 10%)."""
    factor: float | None = Field(default=None, gt=1, le=1000)
    """Accept anything within this factor of the stated interval."""
    reason: str = Field(min_length=3)
    """Why this check needs a tolerance."""

    @model_validator(mode="after")
    def _one(self) -> Tolerance:
        if (self.relative is None) == (self.factor is None):
            raise ValueError("give exactly one of relative or factor")
        return self


class Check(Strict):
    """A recomputation of the claim from other claims (inputs) by a formula."""

    id: Slug
    """Names the check within its claim."""
    formula: str = Field(min_length=1, max_length=500)
    """Arithmetic over the input names: + - * / ** ( ) min() max(), numbers with units."""
    inputs: dict[Annotated[str, Field(pattern=r"^[^\W\d]\w*$")], Slug] = Field(default_factory=dict)
    """Formula name -> claim id."""
    relation: RelationOp = "="
    """'=' (default): the claim equals the formula; '<=': it is at most the formula (a cost is at most
    the price charged); '>=': at least (a total is at least the sum of the rows shown)."""
    tolerance: Tolerance | None = None
    """An explicit tolerance, with its reason."""
    note: str = ""
    """What the check tests, in markdown."""


class Relation(Strict):
    """A relation among several claims, none of them the derived one: `total = a + b + c`.

    Judged once, with every claim at its stated interval; each claim in it is verified by it.
    """

    id: Slug
    """Unique among relations."""
    formula: str = Field(min_length=3, max_length=500)
    """Two formulas joined by one of = <= >=: `emissions_a / energy_a = emissions_b / energy_b`."""
    inputs: dict[Annotated[str, Field(pattern=r"^[^\W\d]\w*$")], Slug] = Field(min_length=1)
    """Formula name -> claim id."""
    tolerance: Tolerance | None = None
    """An explicit tolerance, with its reason (it widens the left side)."""
    note: str = ""
    """What the relation states and why it must hold (markdown)."""


class LawInput(Strict):
    """What a law's variable stands for: a quantity of the subject, or one fixed claim."""

    quantity: Slug | None = None
    """Any claim of this quantity about the subject the law is applied to."""
    claim: Slug | None = None
    """One fixed claim (a reference constant, a labelled assumption)."""

    @model_validator(mode="after")
    def _one(self) -> LawInput:
        if (self.quantity is None) == (self.claim is None):
            raise ValueError("give exactly one of quantity or claim")
        return self


class Law(Strict):
    """A general relation of training or serving models, applied wherever a subject has its quantities."""

    id: Slug
    """Names the law: the relation shows as 'from law ID'."""
    title: str = Field(min_length=3)
    """What the law says, in words."""
    formula: str = Field(min_length=3, max_length=500)
    """Two formulas joined by one of = <= >=, over the names of `inputs`."""
    inputs: dict[Annotated[str, Field(pattern=r"^[^\W\d]\w*$")], LawInput | Slug] = Field(min_length=1)
    """Formula name -> {quantity: ID} (a claim of the subject) or {claim: ID} (a fixed claim);
    a bare string is a quantity id."""
    sources: list[Quote] = Field(default_factory=list)
    """Where the law comes from (a paper, a datasheet, a methodology)."""
    definition: str | None = None
    """For a law true by definition (active parameters are some of the parameters): why."""
    tolerance: Tolerance | None = None
    """How loosely the law holds, with its reason."""
    assumptions: list[str] = Field(default_factory=list)
    """What the law assumes, in words (e.g. 'the chips run at their stated power')."""
    note: str = ""
    """More about the law (markdown)."""

    @model_validator(mode="after")
    def _sourced(self) -> Law:
        if not self.sources and not self.definition:
            raise ValueError("a law needs sources (or, when it holds by definition, a definition)")
        return self

    def quantity_inputs(self) -> dict[str, str]:
        """Formula name -> quantity id, for the inputs bound to the subject's claims."""
        out: dict[str, str] = {}
        for name, spec in self.inputs.items():
            if isinstance(spec, str):
                out[name] = spec
            elif spec.quantity is not None:
                out[name] = spec.quantity
        return out

    def claim_inputs(self) -> dict[str, str]:
        """Formula name -> claim id, for the inputs bound to one fixed claim."""
        return {n: s.claim for n, s in self.inputs.items() if not isinstance(s, str) and s.claim is not None}


class Claim(Strict):
    """One numeric statement from a source (or a reference fact, or a labelled assumption)."""

    id: Slug
    """Stable identifier; the claim page's URL."""
    kind: ClaimKind = "claim"
    """claim: stated by a source; reference: a sourced fact checks rely on; assumption: a labelled guess."""
    subject: str = Field(min_length=1, max_length=120)
    """What the claim is about: GPT-4, ChatGPT, NVIDIA A100..."""
    quantity: Slug
    """A quantity id from claims/quantities.yaml."""
    value: str | list[str] | None = None
    """The value as written: a literal ("1.8"), a range [low, high], or a date (2023-03-14)."""
    unit: str = "1"
    """pint unit of the value, scale words included: "trillion parameter", "cent", "FLOP"."""
    qualifier: Qualifier | None = None
    """about / at_least / at_most / exactly; absent means the rounding interval of the literal."""
    statement: str | None = None
    """For a qualitative claim without a number: what is stated (e.g. decoder-only)."""
    as_of: dt.date | str | None = None
    """When the value holds, where time matters (prices, counts)."""
    sources: list[Quote] = Field(min_length=1)
    """Where the claim is stated; the first is the claim's own source."""
    rank: Rank = "normal"
    """preferred / normal / deprecated among claims of the same quantity."""
    rank_reason: str | None = None
    """Why the rank is not normal."""
    justification: str | None = None
    """Required for assumptions: why this value is reasonable."""
    notes: str = ""
    """What the verdict means and, if inconsistent, the likely cause (markdown)."""
    checks: list[Check] = Field(default_factory=list)
    """Independent recomputations of the value."""

    _as_of = field_validator("as_of", mode="before")(_year_text)

    @field_validator("subject")
    @classmethod
    def _one_spelling(cls, v: str) -> str:
        """Subjects that only look alike are one subject ("GPT‑4" with a non-breaking hyphen, "GPT-4 ")."""
        subject = normal_subject(v)
        if not subject:
            raise ValueError("a subject needs a name, not only white space")
        return subject

    @field_validator("value", mode="before")
    @classmethod
    def _value_text(cls, v: object) -> object:
        if isinstance(v, (int, float, dt.date)) and not isinstance(v, bool):
            return str(v)
        if isinstance(v, list):
            return [
                str(x) if isinstance(x, (int, float, dt.date)) and not isinstance(x, bool) else x for x in v
            ]
        return v

    @model_validator(mode="after")
    def _consistent_fields(self) -> Claim:
        if self.value is None and self.statement is None:
            raise ValueError("a claim needs a value (or, for a qualitative claim, a statement)")
        if isinstance(self.value, list) and len(self.value) != 2:
            raise ValueError("a range value is written [low, high]")
        if self.rank != "normal" and not self.rank_reason:
            raise ValueError(f"rank {self.rank} needs a rank_reason")
        if self.kind == "assumption" and not self.justification:
            raise ValueError("an assumption needs a justification")
        if self.value is None and self.checks:
            raise ValueError("a qualitative claim (statement, no value) cannot have checks")
        ids = [c.id for c in self.checks]
        if len(ids) != len(set(ids)):
            raise ValueError("check ids must be unique within a claim")
        return self


class ClaimFile(Strict):
    """A YAML file of claims, grouped by subject or topic, and relations among claims."""

    claims: list[Claim] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)
    """Relations among several claims (of this file or any other)."""


class LawFile(Strict):
    """claims/laws.yaml: the general relations of training and serving models."""

    laws: list[Law]


class Quantity(Strict):
    """A named quantity of the project's vocabulary."""

    id: Slug
    label: str
    """Human name: Total parameters."""
    unit: str
    """A unit the quantity is measured in; every claim's unit must have the same dimensions."""
    description: str = ""


class QuantityFile(Strict):
    quantities: list[Quantity]


_FIELDS_SETS: dict[frozenset[str], set[str]] = {}
"""One set of explicitly given field names per distinct combination, shared by every model that has
it (see `compact`)."""
_SHARED_TEXT = {
    Claim: ("kind", "subject", "quantity", "unit", "qualifier", "rank"),
    Quote: ("source",),
}
"""Fields whose text repeats across claims (a subject's claims, every claim of a unit): interned."""


def compact(model: BaseModel) -> None:
    """Make a validated model, and the models in it, smaller in memory without changing any value.

    Every pydantic model keeps a set of the fields its input gave (`model_fields_set`): 200 to 700
    bytes each, about 1 KB of every claim with its quote and checks, more than the claim's text.
    Models are frozen, so nothing adds to those sets (a copy with changes copies its set first):
    models with the same fields share one. Repeated text (units, quantity ids, subjects, source
    ids) is interned, one string for all the claims that write it. At 100,000 claims this is about
    120 MB less to keep, and less for forked workers to copy as they read it."""
    given = model.__pydantic_fields_set__
    key = frozenset(given)
    shared = _FIELDS_SETS.setdefault(key, set(key))
    if given is not shared:
        object.__setattr__(model, "__pydantic_fields_set__", shared)
    values: dict[str, object] = model.__dict__  # a frozen model's fields: the same text, interned
    for name in _SHARED_TEXT.get(type(model), ()):
        text = values[name]
        if type(text) is str:
            values[name] = sys.intern(text)
    for value in values.values():
        if isinstance(value, BaseModel):
            compact(value)
        elif type(value) is list:
            for item in value:
                if isinstance(item, BaseModel):
                    compact(item)
