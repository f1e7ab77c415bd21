#!/usr/bin/env python3
"""Derives shared/data/onet_titles.tsv from the O*NET alternate titles (CC BY 4.0).

Usage: python3 shared/data/build_onet_titles.py ../shared/datasets/onet > shared/data/onet_titles.tsv

One line per SOC minor group ("15-12"): the group, a tab, then the lower-cased titles
(1 to 3 words, ASCII, parentheses removed) joined by "|". A title that O*NET files under
more than two minor groups says nothing about the role and is dropped.
"""
import collections
import csv
import re
import sys

folder = sys.argv[1]
groups = collections.defaultdict(set)


def add(title, code):
    t = re.sub(r"\s*\(.*?\)", "", title.strip().lower()).strip()
    if not t or not t.isascii() or "|" in t:
        return
    if not 1 <= len(re.findall(r"[a-z0-9+#.]+", t)) <= 3:
        return
    groups[t].add(code[:5])


with open(f"{folder}/occupation_data.csv", newline="") as f:
    for row in csv.DictReader(f):
        add(row["Title"], row["O*NET-SOC Code"])
with open(f"{folder}/alternate_titles.csv", newline="") as f:
    for row in csv.DictReader(f):
        add(row["Alternate Title"], row["O*NET-SOC Code"])
        add(row["Short Title"], row["O*NET-SOC Code"])

by_group = collections.defaultdict(list)
for title, codes in groups.items():
    if len(codes) <= 2:
        for code in codes:
            by_group[code].append(title)
for code in sorted(by_group):
    print(code + "\t" + "|".join(sorted(by_group[code])))
