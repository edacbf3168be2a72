"""Word lists and the alias table the actor finder reads (:mod:`analysis.compare.candidates`,
:mod:`analysis.compare.mentions`, :mod:`analysis.compare.speakers`)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from analysis.scoring.text import LEXICON_DIR, SENTENCE_OPENERS

ALIASES_FILE = LEXICON_DIR / "aliases.tsv"
KINDS: tuple[str, ...] = ("person", "organisation", "place", "unknown")
ALIAS_KINDS = frozenset({"person", "organisation", "place", "demonym"})

# --- tokens ------------------------------------------------------------------------------------
# A dotted acronym (U.S., U.N.) or a word with inner apostrophes/hyphens (O'Brien, al-Assad).
_TOKEN_RE = re.compile(r"(?:[A-Za-z]\.){2,}|[^\W_]+(?:['’\-][^\W_]+)*")
_PARTICLE_PREFIX_RE = re.compile(r"^(?:al|el|ad|as|ash|bin|ibn|abu|de|da|di|du|van|von|mc|mac|o)[-'’][A-Z]")
_POSSESSIVE_RE = re.compile(r"['’]s$")
# Lower-case particles allowed between capitalised words of one name: "Bank of England",
# "Charles de Gaulle", "Ludwig van Beethoven", "Secretary of State", "Department of the Treasury".
CONNECTORS: frozenset[str] = frozenset(
    "of the de da di du del della van von der den ter bin ibn la le los las y".split()
)
# At most this many connectors in a row inside a name ("Department of the Treasury": 2).
MAX_CONNECTORS = 2
# Abbreviations after which a period does not end the name: "Mr. Sadovar", "Sen. Warren", "St. Louis".
NAME_ABBREVIATIONS: frozenset[str] = frozenset(
    """mr mrs ms mx dr prof sen rep gov gen col lt sgt capt cmdr adm maj rev fr st mt ft jr sr
    pres supt insp det""".split()
)
# Characters right before a word that put it at the start of a sentence-like unit.
_OPENING_CHARS = frozenset("\"“‘'(:—–-•[«")

# --- words that are not actors -------------------------------------------------------------
# Sentence-initial words that are ordinary words, not names (added to analysis.scoring.text's openers).
STARTERS: frozenset[str] = SENTENCE_OPENERS | frozenset(
    """however although though despite during under over about above after before between
    within without against among across through throughout toward towards into onto upon from
    with by of to up down out off again further once instead otherwise indeed perhaps maybe
    yes no nor neither either whether unless until till yesterday today tomorrow tonight
    insiders residents voters lawmakers protesters supporters opponents investigators
    prosecutors witnesses sources officers soldiers troops workers students teachers doctors
    families people children women men many few several most some any each every another
    asked speaking writing according following given meanwhile nonetheless nevertheless
    moreover furthermore besides thus hence therefore overall instead similarly likewise
    first second third finally later earlier recently currently previously already once
    photo photos video watch read listen click subscribe advertisement related updated""".split()
)
# Days and months: never part of a name ("On Sunday Reyland said").  "May" see _is_date_word.
DATE_WORDS: frozenset[str] = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december jan feb mar apr jun jul aug sep
    sept oct nov dec""".split()
)
# Words before "May" that make it the month.
MONTH_CUES: frozenset[str] = frozenset("in on since until by of early late mid last next this".split())
NON_ACTORS: frozenset[str] = DATE_WORDS | frozenset(
    """i i'm i've i'd i'll he she it we they you me him her us them his hers its
    our their my your mine yours ours theirs oh ok okay mr mrs ms dr god nobody somebody someone
    anyone anybody everyone everybody nothing something anything everything tv""".split()
)
# Verbs that show a one-word sentence opener is a subject ("Reyland has ..."), with SPEECH_VERBS.
AUXILIARIES: frozenset[str] = frozenset(
    "is was has had will would could should can may might must did does do are were".split()
)
MAX_ACRONYM = 6  # letters: a longer ALL-CAPS word is shouting, not an acronym

# --- titles ----------------------------------------------------------------------------------
# Words that make a title: "President", "Prime Minister", "Foreign Secretary", "Mr", "Sen.".
TITLE_HEADS: frozenset[str] = frozenset(
    """president minister secretary senator sen congressman congresswoman congressperson
    representative rep governor gov mayor judge justice chancellor premier king queen prince
    princess emperor empress pope cardinal archbishop bishop rabbi imam sheikh emir sultan
    ambassador envoy general gen colonel col lieutenant lt captain capt sergeant sgt commander
    cmdr admiral adm major maj marshal chairman chairwoman chairperson chair speaker leader chief
    commissioner director inspector detective officer sheriff constable councillor councilor
    alderman spokesman spokeswoman spokesperson mr mrs ms mx miss dr doctor prof professor sir
    dame lord lady baron baroness rev reverend father sister brother pastor coach ceo cfo
    founder attorney counsel treasurer mp mep deputy""".split()
)
# Words that modify a title ("Prime Minister", "Foreign Minister", "former Mayor", "Vice President").
TITLE_MODIFIERS: frozenset[str] = frozenset(
    """prime vice deputy assistant associate acting interim former foreign home interior defence
    defense finance health education justice trade labour labor energy environment transport
    economy culture state federal national regional city county district opposition party
    majority minority house senate chief executive general first crown grand supreme high
    presidential senior junior lead head managing press communications attorney principal
    surgeon police fire army navy staff""".split()
)

# --- kind cues -------------------------------------------------------------------------------
ORG_WORDS: frozenset[str] = frozenset(
    """ministry department council party union inc ltd llc plc corp corporation company co
    group bank university college school institute institution foundation association society
    agency commission committee court parliament assembly senate congress office police army
    navy force forces guard network news times post journal herald tribune gazette chronicle
    telegraph press wire broadcasting radio television tv organisation organization federation
    board authority service services bureau front movement league alliance coalition club
    church fund trust partners holdings airlines airways motors industries systems transit
    railway railways securities investments insurance pharmaceuticals logistics shipping
    technologies labs laboratories hospital clinic museum gallery centre center cabinet
    administration government presidency embassy consulate secretariat directorate
    commissariat brigade regiment battalion command""".split()
)
PLACE_WORDS: frozenset[str] = frozenset(
    """city town village county province state states region district river lake sea ocean
    gulf bay island islands mountains mountain valley street avenue road square bridge airport
    port harbour harbor coast peninsula desert forest park republic kingdom emirates territory
    territories""".split()
)
# A lower-case word after a name that marks it as an organisation ("the Renewal party").
ORG_FOLLOWERS: frozenset[str] = frozenset(
    """party group movement company firm corporation network newspaper bank union university
    foundation institute agency alliance coalition club""".split()
)
# Words that open the name of an event, not a person: "Storm Oriel", "Hurricane Katrina".
EVENT_WORDS: frozenset[str] = frozenset(
    "storm hurricane typhoon cyclone tropical operation festival summit games cup".split()
)
# Prepositions of place right before a name ("in Castelmar", "from Dravograd").
LOCATIVE_PREPOSITIONS: frozenset[str] = frozenset(
    "in at from near across throughout outside inside around toward towards into via".split()
)
# Words before "to" that make the next name a destination ("trip to Castelmar").
TRAVEL_WORDS: frozenset[str] = frozenset(
    """visit visits trip trips journey flight flights travel travels travelled traveled
    travelling traveling flew fly flies flying moved move returned return returning went go
    going headed heading back route road border exports imports deported emigrated
    fled""".split()
)
# Nouns after a possessive name that belong to a place ("Ostrana's president", "Valdoria's gas").
PLACE_POSSESSIONS: frozenset[str] = frozenset(
    """president prime government capital army military economy people citizens border borders
    parliament embassy foreign interior navy airspace territory cities ambassador leader""".split()
)
# Words after a demonym that make it a mention of the place: "French officials", "the Ostranan
# government" (but not "French wine", "Ostranan religious art").
INSTITUTION_WORDS: frozenset[str] = frozenset(
    """government officials official authorities authority forces troops army military navy
    police ministry ministers minister embassy diplomats diplomat leaders leader leadership
    president presidency parliament lawmakers regime state administration delegation
    negotiators side""".split()
)
# Votes (see _vote_kind): how much each cue says about the kind.
ALIAS_VOTE = 5.0  # the alias table knows the kind
NAME_WORD_VOTE = 3.0  # an organisation/place word in the name, or a title before it
CONTEXT_VOTE = 1.0  # a preposition of place, a speech verb, a possessed noun
FULL_NAME_VOTE = 0.5  # two or three capitalised words with no other cue: most often a person

# --- quotations --------------------------------------------------------------------------------
# Verbs that attribute speech (news usage, including the emotive ones: "he raged").
SPEECH_VERBS: frozenset[str] = frozenset(
    """said says say saying told tells tell wrote writes write writing tweeted tweets posted posts
    added adds asked asks replied replies answered responded responds declared declares announced
    announces stated states explained explains continued continues insisted insists argued
    argues warned warns noted notes recalled recalls claimed claims admitted admits acknowledged
    acknowledges conceded concedes boasted boasts complained complains suggested suggests
    countered counters quipped joked shouted yelled screamed cried remarked observed predicted
    vowed promised urged urges raged fumed snapped thundered scoffed sneered mocked gushed
    stressed emphasised emphasized pointed called calls branded brands described describes
    dubbed labelled labeled slammed blasted hit fired accused accuses charged charges demanded
    demands pleaded wondered sighed laughed told""".split()
)


# --------------------------------------------------------------------------------------------
# Alias table
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def load_aliases(path: Path = ALIASES_FILE) -> dict[str, tuple[str, str]]:
    """alias -> (canonical, kind) from ``path`` (tab-separated; # comments)."""
    table: dict[str, tuple[str, str]] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("\t")]
        if len(parts) < 3 or not parts[0] or not parts[1] or parts[2] not in ALIAS_KINDS:
            raise ValueError(f"{path.name}:{n}: expected alias<TAB>canonical<TAB>kind, got {line!r}")
        table[parts[0]] = (parts[1], parts[2])
    return table


def _alias(name: str) -> tuple[str, str] | None:
    return load_aliases().get(name)


def _is_demonym_word(word: str) -> bool:
    entry = _alias(word)
    return entry is not None and entry[1] == "demonym"
