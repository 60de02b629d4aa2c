"""Writes test/fixtures/tasks/tiny-sts/{train,dev}.tsv: a GLUE-style regression task folder (STS-B style:
sentence1, sentence2, a real-valued label in [0, 5]) for the tests of local regression tasks.

Score = 5 × word-set Jaccard similarity of the pair + uniform noise in [-0.3, 0.3], clipped to [0, 5],
written with two decimals. Seeded (random.seed(0)), so a rerun writes the same bytes.

Run from the repository root: /usr/bin/python3 scripts/make_tiny_sts_task.py
"""
import random

random.seed(0)
words = ['the', 'cat', 'sat', 'world', 'hello', 'dog', 'ran', 'a', 'big', 'small']


def sent():
    return ' '.join(random.choice(words) for _ in range(random.randint(2, 5))) + '.'


def row():
    a = sent()
    if random.random() < 0.5:
        toks = a[:-1].split()
        toks[random.randrange(len(toks))] = random.choice(words)
        b = ' '.join(toks) + '.'
    else:
        b = sent()
    sa, sb = set(a[:-1].split()), set(b[:-1].split())
    score = 5 * len(sa & sb) / len(sa | sb)
    score = min(5.0, max(0.0, score + random.uniform(-0.3, 0.3)))
    return a, b, f'{score:.2f}'


for name, n in [('train.tsv', 32), ('dev.tsv', 16)]:
    with open(f'test/fixtures/tasks/tiny-sts/{name}', 'w') as f:
        f.write('sentence1\tsentence2\tlabel\n')
        for _ in range(n):
            f.write('\t'.join(row()) + '\n')
