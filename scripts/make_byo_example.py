"""Writes examples/byo/reviews/{train,dev}.tsv: the local task folder of the bring-your-own example
(experiments/byo-example.json, docs/experiments.md). Short made-up product reviews, label 'positive' or
'negative', from templates: an opinion word (8 positive, 8 negative), optionally negated ("not great" is
negative, "not bad" positive), about one of 10 things, in one of 6 sentence frames. Written by this
script only (no corpus, so no licence beyond the project's); seeded (random.seed(0)), so a rerun writes
the same bytes. Train 320 reviews, dev 160, balanced by construction in expectation.

Run from the repository root: /usr/bin/python3 scripts/make_byo_example.py
"""
import os
import random

random.seed(0)
POSITIVE = ['great', 'excellent', 'lovely', 'wonderful', 'superb', 'pleasant', 'brilliant', 'good']
NEGATIVE = ['awful', 'terrible', 'poor', 'dull', 'bad', 'horrible', 'boring', 'weak']
THINGS = ['film', 'food', 'service', 'hotel', 'book', 'phone', 'room', 'show', 'coffee', 'album']
FRAMES = [
    'the {thing} was {opinion}.',
    'honestly, the {thing} is {opinion}.',
    'i found the {thing} {opinion}.',
    'what a {opinion} {thing}.',
    'our {thing} turned out {opinion}, as expected.',
    'the {thing} felt {opinion} from start to end.',
]


def review():
    positive = random.random() < 0.5
    word = random.choice(POSITIVE if positive else NEGATIVE)
    negated = random.random() < 0.25
    frame = random.choice(FRAMES[:3] + FRAMES[4:]) if negated else random.choice(FRAMES)
    opinion = f'not {word}' if negated else word
    label = 'positive' if positive != negated else 'negative'
    return frame.format(thing=random.choice(THINGS), opinion=opinion), label


os.makedirs('examples/byo/reviews', exist_ok=True)
for name, n in [('train.tsv', 320), ('dev.tsv', 160)]:
    with open(f'examples/byo/reviews/{name}', 'w') as f:
        f.write('sentence\tlabel\n')
        for _ in range(n):
            f.write('\t'.join(review()) + '\n')
