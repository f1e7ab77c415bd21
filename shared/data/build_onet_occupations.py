#!/usr/bin/env python3
"""Derives shared/data/onet_occupations.tsv from the O*NET occupation data, alternate titles
and task statements (CC BY 4.0; see ONET-ATTRIBUTION.md).

Usage:
    python3 shared/data/build_onet_occupations.py ../shared/datasets/onet \
        > shared/data/onet_occupations.tsv

One line per O*NET-SOC occupation: the code, a tab, the title, a tab, then its most
characteristic words as `word:weight` joined by spaces. An occupation's text is its title
(x3), description (x2), task statements and alternate titles; a word's weight is
tf x ln(N / df) over the occupations (words in every occupation dropped), the top WORDS
kept and scaled to unit length.
Only these weighted words ship, never the statements themselves. The Rust side stems the
words with the same tokenizer as profiles (see src/matching/occupations.rs).
"""
import collections
import csv
import math
import re
import sys

WORDS = 32
STOP = set(
    """a about above across after again against all also am an and any are as at be been
    before being below between both but by can could did do does doing done down during each
    eg etc even ever every few for from further get had has have having he her here hers him
    his how i ie if in into is it its itself just let like may me might more most much must my
    near no nor not now of off on once one only or other our ours out over own per same shall
    she should so some such than that the their them then there these they this those through
    thus to too under until up upon us very via was we well were what when where which while
    who whom why will with within without would yet you your yours ability able including
    new strong year years experience ensure using use used various related according
    activities duties work workers perform performing maintain prepare provide""".split()
)

folder = sys.argv[1]
docs = collections.defaultdict(collections.Counter)
titles = {}


def add(code, text, weight):
    for w in re.findall(r"[a-z][a-z0-9+#]*", text.lower()):
        if len(w) >= 2 and w not in STOP:
            docs[code][w] += weight


with open(f"{folder}/occupation_data.csv", newline="") as f:
    for row in csv.DictReader(f):
        code = row["O*NET-SOC Code"]
        titles[code] = row["Title"]
        add(code, row["Title"], 3)
        add(code, row["Description"], 2)
with open(f"{folder}/task_statements.csv", newline="") as f:
    for row in csv.DictReader(f):
        if row["O*NET-SOC Code"] in titles:
            add(row["O*NET-SOC Code"], row["Task"], 1)
with open(f"{folder}/alternate_titles.csv", newline="") as f:
    for row in csv.DictReader(f):
        if row["O*NET-SOC Code"] in titles:
            add(row["O*NET-SOC Code"], row["Alternate Title"], 1)

n = len(docs)
df = collections.Counter(w for d in docs.values() for w in d)
for code in sorted(docs):
    weights = {
        w: c * math.log(n / df[w]) for w, c in docs[code].items() if df[w] < n
    }
    top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:WORDS]
    norm = math.sqrt(sum(v * v for _, v in top)) or 1.0
    words = " ".join(f"{w}:{v / norm:.3f}" for w, v in top)
    print(f"{code}\t{titles[code]}\t{words}")
