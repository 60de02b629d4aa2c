#!/usr/bin/python3
"""Golden masked-LM loss and gradients for grasp-hil's pre-training test, from an independent PyTorch
forward and autograd in float64.

Run with Debian's python3-torch after scripts/make_fixtures.py (it reads that script's checkpoint):

    /usr/bin/python3 scripts/make_mlm_grad_fixtures.py   # writes test/fixtures/tiny-roberta-random/mlm-grads.json

The model is tiny-roberta-random/masked-lm (RobertaForMaskedLM, post-LN, exact GELU, tied decoder)
without dropout. The batch is fixed here: 3 blocks of 16 tokens, `<s>` … `</s>`, some positions
replaced by `<mask>` (id 3 in this vocabulary) and some left as they are (RoBERTa's 10 % "keep"). The
loss is the mean cross-entropy over the chosen positions only, as grasp-hil's mlmLoss computes it;
the gradient of every parameter is written under its Hugging Face key, in Hugging Face layout
(nn.Linear weights [out, in]). The forward is written out with torch.nn.functional and shares no code
with grasp-hil.
"""
import json
import math
import os
import struct

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'tiny-roberta-random')
MODEL = os.path.join(ROOT, 'masked-lm')
MASK_ID = 3


def read_safetensors(path):
    raw = open(path, 'rb').read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for key, meta in header.items():
        if key == '__metadata__' or meta['dtype'] != 'F32':
            continue
        a, b = meta['data_offsets']
        data = np.frombuffer(raw[8 + n + a:8 + n + b], dtype='<f4').reshape(meta['shape'])
        out[key] = torch.tensor(data.astype(np.float64), requires_grad=True)
    return out


def mlm_loss(cfg, w, ids, positions, labels):
    H, heads, eps, pad = cfg['hidden_size'], cfg['num_attention_heads'], cfg['layer_norm_eps'], cfg['pad_token_id']
    dh = H // heads
    B, L = ids.shape
    p = lambda name: w['roberta.' + name]
    nonpad = (ids != pad).long()
    pos = torch.cumsum(nonpad, dim=1) * nonpad + pad
    x = p('embeddings.word_embeddings.weight')[ids] + p('embeddings.position_embeddings.weight')[pos]
    x = x + p('embeddings.token_type_embeddings.weight')[torch.zeros_like(ids)]
    x = F.layer_norm(x, (H,), p('embeddings.LayerNorm.weight'), p('embeddings.LayerNorm.bias'), eps)
    for i in range(cfg['num_hidden_layers']):
        pre = f'encoder.layer.{i}.'
        lin = lambda t, name: F.linear(t, p(pre + name + '.weight'), p(pre + name + '.bias'))
        q, k, v = (lin(x, 'attention.self.' + n).reshape(B, L, heads, dh).transpose(1, 2) for n in ('query', 'key', 'value'))
        a = (torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dh), dim=-1) @ v).transpose(1, 2).reshape(B, L, H)
        x = F.layer_norm(x + lin(a, 'attention.output.dense'), (H,), p(pre + 'attention.output.LayerNorm.weight'), p(pre + 'attention.output.LayerNorm.bias'), eps)
        f = lin(F.gelu(lin(x, 'intermediate.dense')), 'output.dense')
        x = F.layer_norm(x + f, (H,), p(pre + 'output.LayerNorm.weight'), p(pre + 'output.LayerNorm.bias'), eps)
    rows = x.reshape(B * L, H)[positions]
    h = F.gelu(F.linear(rows, w['lm_head.dense.weight'], w['lm_head.dense.bias']))
    h = F.layer_norm(h, (H,), w['lm_head.layer_norm.weight'], w['lm_head.layer_norm.bias'], eps)
    logits = h @ p('embeddings.word_embeddings.weight').t() + w['lm_head.bias']
    return F.cross_entropy(logits, labels)


def main():
    cfg = json.load(open(os.path.join(MODEL, 'config.json')))
    w = read_safetensors(os.path.join(MODEL, 'model.safetensors'))
    g = torch.Generator().manual_seed(7)
    B, L = 3, 16
    ids = torch.randint(4, cfg['vocab_size'], (B, L), generator=g)
    ids[:, 0], ids[:, -1] = cfg['bos_token_id'], cfg['eos_token_id']
    # A repeated token inside and across blocks, so the embedding gradient must sum repeated rows.
    ids[0, 5] = ids[0, 9] = ids[2, 3] = 42
    chosen = [(0, 2), (0, 5), (0, 9), (1, 1), (1, 7), (1, 8), (1, 14), (2, 3), (2, 10), (2, 12)]
    positions = torch.tensor([b * L + t for b, t in chosen])
    labels = ids.reshape(-1)[positions].clone()
    inputs = ids.clone().reshape(-1)
    for j, pos in enumerate(positions.tolist()):
        if j % 4 != 3:  # every fourth chosen token is kept as it is
            inputs[pos] = MASK_ID
    inputs = inputs.reshape(B, L)
    loss = mlm_loss(cfg, w, inputs, positions, labels)
    loss.backward()
    out = {
        'description': 'RobertaForMaskedLM masked-LM loss and gradients (float64 PyTorch autograd) for tiny-roberta-random/masked-lm without dropout; see scripts/make_mlm_grad_fixtures.py',
        'input_ids': inputs.tolist(), 'positions': positions.tolist(), 'labels': labels.tolist(),
        'loss': loss.item(),
        'grads': {k: {'shape': list(t.shape), 'values': [float('%.9g' % v) for v in t.grad.reshape(-1).tolist()]}
                  for k, t in w.items() if t.grad is not None},
    }
    with open(os.path.join(ROOT, 'mlm-grads.json'), 'w') as f:
        json.dump(out, f)
        f.write('\n')
    print('loss', loss.item(), 'gradients', len(out['grads']))


if __name__ == '__main__':
    torch.set_num_threads(1)
    main()
