#!/usr/bin/python3
"""Golden token ids for grasp-hil's greedy decoding and beam search (src/generate/), made by independent code.

Run with Debian's python3-torch (no `transformers` needed):

    /usr/bin/python3 scripts/make_generation_fixtures.py     # writes test/fixtures/generation/golden.json

The model is test/fixtures/tiny-gpt2-random/lm-head (random weights, written by scripts/make_fixtures.py),
read here with a hand-written safetensors reader. Every step recomputes the whole sequence with a plain
PyTorch GPT-2 forward (no KV cache, so the cached TypeScript decoder is checked against a path that shares
nothing with it). Decoding follows Hugging Face `generate` (transformers >= 4.50, the vectorised
`_beam_search`), re-written from its documented semantics:

  inputs     prompts left-padded with pad_token_id (pad defaults to eos); attention_mask 0 on padding;
             position ids cumsum(mask) - 1, padding positions set to 1 (GPT2 prepare_inputs_for_generation)
  greedy     argmax of the processed logits; finished rows emit pad; stop when every row has emitted eos
             or max_length = padded prompt length + max_new_tokens is reached
  processor  no_repeat_ngram_size n: a token is banned (-inf) when it would complete an n-gram already in
             the row (prompt, left padding and generated tokens alike)
  beam       log_softmax of float32 logits -> processor -> + running beam score; top 2*num_beams of
             num_beams*vocab; a candidate ending in eos (or reaching max_length) finishes, but only if it
             ranks among the top num_beams; finished score = sum of log-probs (eos included) /
             (generated length, eos included) ** length_penalty; the num_beams best finished are kept;
             running beams = the num_beams best unfinished candidates
  stopping   early_stopping True: a row stops accepting finished beams once it has num_beams of them;
             False: stop when best running score / (cur_len - prompt_len) ** lp cannot beat the worst
             finished; "never": the same bound with (max_length - prompt_len) when lp > 0
  output     the num_return_sequences best finished beams, tokens after eos are pad

The script also records, per case, the smallest gap between adjacent candidate scores it compared
(`min_margin`): ids are only golden where that gap is far above float32 round-off (asserted > 1e-4).
"""
import json
import math
import os
import struct
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, '..', 'test', 'fixtures')
MODEL = os.path.join(ROOT, 'tiny-gpt2-random', 'lm-head')
OUT = os.path.join(ROOT, 'generation', 'golden.json')
FMIN = torch.finfo(torch.float32).min


def read_safetensors(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        assert info['dtype'] == 'F32', (name, info['dtype'])
        a, b = info['data_offsets']
        out[name] = torch.frombuffer(bytearray(data[a:b]), dtype=torch.float32).reshape(info['shape'])
    return out


def forward_logits(cfg, w, ids, mask):
    """GPT2LMHeadModel logits [B, L, V] with HF's generation position ids and key-padding mask."""
    H, heads, eps = cfg['n_embd'], cfg['n_head'], cfg['layer_norm_epsilon']
    d = H // heads
    B, L = ids.shape
    pos = (mask.long().cumsum(-1) - 1).masked_fill(mask == 0, 1)
    x = w['wte.weight'][ids] + w['wpe.weight'][pos]
    allowed = torch.tril(torch.ones(L, L, dtype=torch.bool))[None, None] & (mask[:, None, None, :] == 1)

    def ln(t, name):
        return F.layer_norm(t, (H,), w[f'{name}.weight'], w[f'{name}.bias'], eps)

    def conv1d(t, name):
        return t @ w[f'{name}.weight'] + w[f'{name}.bias']

    for i in range(cfg['n_layer']):
        p = f'h.{i}'
        q, k, v = conv1d(ln(x, f'{p}.ln_1'), f'{p}.attn.c_attn').split(H, dim=2)
        q, k, v = (t.reshape(B, L, heads, d).permute(0, 2, 1, 3) for t in (q, k, v))
        s = (q @ k.transpose(-1, -2)) / math.sqrt(d)
        s = torch.where(allowed, s, torch.tensor(FMIN))
        a = (torch.softmax(s, dim=-1) @ v).permute(0, 2, 1, 3).reshape(B, L, H)
        x = x + conv1d(a, f'{p}.attn.c_proj')
        x = x + conv1d(F.gelu(conv1d(ln(x, f'{p}.ln_2'), f'{p}.mlp.c_fc'), approximate='tanh'), f'{p}.mlp.c_proj')
    return ln(x, 'ln_f') @ w['wte.weight'].t()


def left_pad(prompts, pad):
    L = max(len(p) for p in prompts)
    ids = torch.tensor([[pad] * (L - len(p)) + p for p in prompts])
    mask = torch.tensor([[0] * (L - len(p)) + [1] * len(p) for p in prompts])
    return ids, mask


def banned_tokens(row, n):
    """NoRepeatNGramLogitsProcessor for one row (a list of ids)."""
    cur = len(row)
    if n <= 0 or cur + 1 < n:
        return []
    seen = {}
    for i in range(cur - n + 1):
        seen.setdefault(tuple(row[i:i + n - 1]), []).append(row[i + n - 1])
    return seen.get(tuple(row[cur - n + 1:]), [])


def process(ids, scores, n):
    scores = scores.clone()
    for r in range(ids.shape[0]):
        for t in banned_tokens(ids[r].tolist(), n):
            scores[r, t] = -math.inf
    return scores


def gap_after_sort(values, count):
    """Smallest gap between adjacent finite values among the top count+1 (decisions made at each boundary)."""
    v = sorted([x for x in values if math.isfinite(x) and x > -1e8], reverse=True)[:count + 1]
    return min([a - b for a, b in zip(v, v[1:])], default=math.inf)


def greedy(cfg, w, prompts, max_new, eos, pad, ngram):
    ids, mask = left_pad(prompts, pad)
    B, L0 = ids.shape
    unfinished = torch.ones(B, dtype=torch.long)
    margin = math.inf
    for _ in range(max_new):
        logits = forward_logits(cfg, w, ids, mask)[:, -1, :]
        scores = process(ids, logits, ngram)
        for r in range(B):
            if unfinished[r]:
                margin = min(margin, gap_after_sort(scores[r].tolist(), 1))
        nxt = scores.argmax(-1)
        nxt = nxt * unfinished + pad * (1 - unfinished)
        ids = torch.cat([ids, nxt[:, None]], 1)
        mask = torch.cat([mask, torch.ones(B, 1, dtype=mask.dtype)], 1)
        unfinished = unfinished * (nxt != eos).long()
        if unfinished.max() == 0:
            break
    return ids.tolist(), [None] * B, margin


def beam_search(cfg, w, prompts, max_new, eos, pad, ngram, num_beams, lp, early, n_return):
    """HF's vectorised beam search, one batch row at a time (rows are independent)."""
    ids0, mask0 = left_pad(prompts, pad)
    B, L0 = ids0.shape
    max_len = L0 + max_new
    V = cfg['vocab_size']
    k2 = 2 * num_beams
    sequences, scores_out = [], []
    margin = math.inf
    longest = 0
    for b in range(B):
        run = [ids0[b].tolist()] * num_beams
        run_scores = [0.0] + [-1e9] * (num_beams - 1)
        fin = []  # (score, tokens)
        open_ = True  # is_early_stop_heuristic_unsatisfied
        cur = L0
        while cur < max_len:
            ids = torch.tensor(run)
            mask = torch.cat([mask0[b:b + 1].expand(num_beams, -1), torch.ones(num_beams, cur - L0, dtype=mask0.dtype)], 1)
            logits = forward_logits(cfg, w, ids, mask)[:, -1, :]
            logp = process(ids, F.log_softmax(logits, dim=-1), ngram)
            total = (logp + torch.tensor(run_scores)[:, None]).reshape(-1)
            margin = min(margin, gap_after_sort(total.tolist(), k2))
            top, idx = torch.topk(total, k2)
            cands = [(top[j].item(), run[idx[j].item() // V] + [idx[j].item() % V]) for j in range(k2)]
            hits = [c[1][-1] == eos or cur + 1 >= max_len for c in cands]
            # finished: top num_beams candidates that hit a stopping criterion
            full = len(fin) == num_beams
            if open_ and not (full and early is True):
                for j in range(num_beams):
                    if hits[j]:
                        fin.append((cands[j][0] / ((cur + 1 - L0) ** lp), cands[j][1]))
                fin.sort(key=lambda t: -t[0])
                if len(fin) > 1:
                    margin = min(margin, min(a[0] - b_[0] for a, b_ in zip(fin, fin[1:])))
                fin = fin[:num_beams]
            # running: best num_beams candidates that did not hit
            keep = [c for c, h in zip(cands, hits) if not h][:num_beams]
            while len(keep) < num_beams:
                keep.append((-1e9, cands[0][1]))
            run = [c[1] for c in keep]
            run_scores = [c[0] for c in keep]
            cur += 1
            if all(hits):
                break
            # early-stop heuristic (sticky)
            if len(fin) == num_beams:
                length = (max_len - L0) if (early == 'never' and lp > 0) else (cur - L0)
                best = run_scores[0] / (length ** lp)
                worst = fin[-1][0]
                margin = min(margin, abs(best - worst))
                open_ = open_ and best > worst
            if not open_ or (early is True and len(fin) == num_beams):
                break
        for s, toks in fin[:n_return]:
            sequences.append(toks)
            scores_out.append(s)
            longest = max(longest, len(toks))
    # HF crops to the longest returned sequence and pads with pad_token_id
    sequences = [t + [pad] * (longest - len(t)) for t in sequences]
    return sequences, scores_out, margin


CASES = [
    # name, prompts, settings (HF GenerationConfig field names; pad_token_id defaults to eos_token_id)
    ('greedy, one prompt, no eos', [[5, 17, 42, 8]], dict(max_new_tokens=12)),
    ('greedy, batch of three, left padding, eos and pad', [[5, 17, 42, 8], [61, 3], [77, 12, 30, 90, 4, 55]],
     dict(max_new_tokens=10, eos_token_id=46, pad_token_id=0)),
    ('greedy, no_repeat_ngram_size 2, eos', [[11, 23, 7]], dict(max_new_tokens=16, no_repeat_ngram_size=2, eos_token_id=53)),
    ('beam 4, length_penalty 1, early_stopping false, eos', [[11, 23, 7]],
     dict(max_new_tokens=12, num_beams=4, no_repeat_ngram_size=2, eos_token_id=53)),
    ('beam 3, early_stopping true, two prompts, pad 0', [[11, 23, 7], [61, 3]],
     dict(max_new_tokens=10, num_beams=3, early_stopping=True, no_repeat_ngram_size=2, eos_token_id=66, pad_token_id=0)),
    ('beam 4, early_stopping never, length_penalty 2', [[11, 23, 7]],
     dict(max_new_tokens=10, num_beams=4, early_stopping='never', length_penalty=2.0, no_repeat_ngram_size=2, eos_token_id=53)),
    ('beam 5, length_penalty 0, no_repeat_ngram_size 3, three returned', [[11, 23, 7], [77, 12, 30, 90, 4, 55]],
     dict(max_new_tokens=10, num_beams=5, length_penalty=0.0, no_repeat_ngram_size=3, num_return_sequences=3, eos_token_id=42, pad_token_id=0)),
    ('beam 3, length_penalty -1 (short preferred)', [[61, 3]], dict(max_new_tokens=10, num_beams=3, length_penalty=-1.0, eos_token_id=46)),
    ('beam 2, no eos reached (max_new_tokens ends it)', [[33, 44, 55]], dict(max_new_tokens=8, num_beams=2)),
]


def run_case(cfg, w, prompts, s, eos_choices):
    s = dict(s)
    eos = s.get('eos_token_id', cfg['eos_token_id'])
    if isinstance(eos, str):
        eos = eos_choices[eos]
        s['eos_token_id'] = eos
    pad = s.get('pad_token_id', eos)
    ngram = s.get('no_repeat_ngram_size', 0)
    nb = s.get('num_beams', 1)
    if nb == 1:
        seqs, scores, margin = greedy(cfg, w, prompts, s['max_new_tokens'], eos, pad, ngram)
    else:
        seqs, scores, margin = beam_search(cfg, w, prompts, s['max_new_tokens'], eos, pad, ngram, nb,
                                           s.get('length_penalty', 1.0), s.get('early_stopping', False),
                                           s.get('num_return_sequences', 1))
    return s, seqs, scores, margin


def main():
    torch.set_num_threads(1)
    with open(os.path.join(MODEL, 'config.json')) as f:
        cfg = json.load(f)
    raw = read_safetensors(os.path.join(MODEL, 'model.safetensors'))
    w = {k[len('transformer.'):]: v for k, v in raw.items() if k.startswith('transformer.')}
    # The eos ids in CASES are tokens this random model emits a few steps in (see --explore), so that eos,
    # padding and finished-beam bookkeeping are all exercised.
    eos_choices = {}
    out = []
    for name, prompts, s in CASES:
        settings, seqs, scores, margin = run_case(cfg, w, prompts, s, eos_choices)
        print(f'{name}: margin {margin:.3g}')
        if '--explore' in sys.argv:
            print('  ', seqs, scores)
        assert margin > 1e-4, f'{name}: decisions too close to call ({margin})'
        out.append({'name': name, 'prompts': prompts, 'settings': settings, 'sequences': seqs,
                    'scores': [None if x is None else float('%.8g' % x) for x in scores], 'min_margin': float('%.4g' % margin)})
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump({'generator': 'scripts/make_generation_fixtures.py (torch %s)' % torch.__version__,
                   'model': 'test/fixtures/tiny-gpt2-random/lm-head', 'cases': out}, f, indent=1)
        f.write('\n')
    print('wrote', os.path.normpath(OUT))


if __name__ == '__main__':
    main()
