#!/usr/bin/python3
"""Golden fixtures for grasp-hil's model and checkpoint tests, made by an independent PyTorch forward.

Run with Debian's python3-torch (no `transformers` needed):

    /usr/bin/python3 scripts/make_fixtures.py            # writes test/fixtures/tiny-{roberta,gpt2}-random/

It builds tiny random checkpoints in exact Hugging Face layout (config.json + model.safetensors with
HF key names; nn.Linear weights stored [out, in], GPT-2 Conv1D weights [in, out]) and computes the
reference outputs with PyTorch modules that share no code with grasp-hil:

  * RoBERTa / BERT encoder: nn.Embedding + nn.LayerNorm + nn.TransformerEncoderLayer
    (post-LN, exact GELU, batch_first) with HF's additive mask (1 - mask) * finfo(float32).min and
    RoBERTa's position ids cumsum(ids != pad) * (ids != pad) + pad.
  * GPT-2: a hand-written pre-LN causal block (torch.where causal mask, tanh GELU).
  * Heads: RobertaClassificationHead, RoBERTa LM head (tied decoder), GPT-2 tied LM head.

Layouts written (the same weights in each family):
  tiny-roberta-random/                      RobertaModel, bare keys (+ embeddings.position_ids I64 buffer)
  tiny-roberta-random/masked-lm/            RobertaForMaskedLM: roberta.* + lm_head.* (+ tied lm_head.decoder.*)
  tiny-roberta-random/sequence-classification/  RobertaForSequenceClassification: roberta.* + classifier.*
  tiny-roberta-random/bert/                 BertModel (same weights, positions 0..L-1, with pooler)
  tiny-gpt2-random/                         GPT2Model, bare keys (+ h.N.attn.bias / masked_bias buffers)
  tiny-gpt2-random/lm-head/                 GPT2LMHeadModel: transformer.* + tied lm_head.weight
  tiny-gpt2-random/dtypes.safetensors       one tensor in every dtype, decoded values in dtypes.json
"""
import json
import math
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures')
FMIN = torch.finfo(torch.float32).min

# ---------------------------------------------------------------------------- safetensors writer

DTYPES = {
    torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16', torch.float64: 'F64',
    torch.int64: 'I64', torch.int32: 'I32', torch.int16: 'I16', torch.int8: 'I8', torch.uint8: 'U8', torch.bool: 'BOOL',
}


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def write_safetensors(path, tensors, metadata=None):
    """Writes the safetensors format by hand: u64 header length, JSON header, raw little-endian data."""
    header = {}
    if metadata:
        header['__metadata__'] = metadata
    blobs = []
    offset = 0
    for name, t in tensors.items():
        b = tensor_bytes(t)
        header[name] = {'dtype': DTYPES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(',', ':')).encode('utf-8')
    h += b' ' * ((8 - len(h) % 8) % 8)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def write_dir(path, config, tensors):
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, 'config.json'), 'w') as f:
        json.dump(config, f, indent=2)
        f.write('\n')
    write_safetensors(os.path.join(path, 'model.safetensors'), tensors, {'format': 'pt'})


def rounded(t):
    return [float('%.8g' % v) for v in t.detach().reshape(-1).tolist()]

# ---------------------------------------------------------------------------- random weights


def randn(g, *shape, std=1.0):
    return torch.randn(*shape, generator=g) * std


def ln_params(g, n):
    return 1.0 + randn(g, n, std=0.1), randn(g, n, std=0.1)


def roberta_weights(cfg, g):
    """HF RobertaModel state dict (nn.Linear [out, in]); weights large enough that attention is not uniform."""
    H, F_, V, P, T = cfg['hidden_size'], cfg['intermediate_size'], cfg['vocab_size'], cfg['max_position_embeddings'], cfg['type_vocab_size']
    w = {}
    w['embeddings.word_embeddings.weight'] = randn(g, V, H, std=0.5)
    w['embeddings.position_embeddings.weight'] = randn(g, P, H, std=0.5)
    w['embeddings.token_type_embeddings.weight'] = randn(g, T, H, std=0.5)
    w['embeddings.LayerNorm.weight'], w['embeddings.LayerNorm.bias'] = ln_params(g, H)
    for i in range(cfg['num_hidden_layers']):
        p = f'encoder.layer.{i}'
        for name, (o, n) in [('attention.self.query', (H, H)), ('attention.self.key', (H, H)), ('attention.self.value', (H, H)),
                             ('attention.output.dense', (H, H)), ('intermediate.dense', (F_, H)), ('output.dense', (H, F_))]:
            w[f'{p}.{name}.weight'] = randn(g, o, n, std=0.6 / math.sqrt(n))
            w[f'{p}.{name}.bias'] = randn(g, o, std=0.1)
            if name == 'attention.output.dense':
                w[f'{p}.attention.output.LayerNorm.weight'], w[f'{p}.attention.output.LayerNorm.bias'] = ln_params(g, H)
        w[f'{p}.output.LayerNorm.weight'], w[f'{p}.output.LayerNorm.bias'] = ln_params(g, H)
    w['pooler.dense.weight'] = randn(g, H, H, std=0.6 / math.sqrt(H))
    w['pooler.dense.bias'] = randn(g, H, std=0.1)
    return w


def gpt2_weights(cfg, g):
    """HF GPT2Model state dict (Conv1D [in, out])."""
    H, V, P = cfg['n_embd'], cfg['vocab_size'], cfg['n_positions']
    F_ = cfg['n_inner'] or 4 * H
    w = {'wte.weight': randn(g, V, H, std=0.5), 'wpe.weight': randn(g, P, H, std=0.5)}
    for i in range(cfg['n_layer']):
        p = f'h.{i}'
        w[f'{p}.ln_1.weight'], w[f'{p}.ln_1.bias'] = ln_params(g, H)
        for name, (n, o) in [('attn.c_attn', (H, 3 * H)), ('attn.c_proj', (H, H)), ('mlp.c_fc', (H, F_)), ('mlp.c_proj', (F_, H))]:
            w[f'{p}.{name}.weight'] = randn(g, n, o, std=0.6 / math.sqrt(n))
            w[f'{p}.{name}.bias'] = randn(g, o, std=0.1)
            if name == 'attn.c_proj':
                w[f'{p}.ln_2.weight'], w[f'{p}.ln_2.bias'] = ln_params(g, H)
    w['ln_f.weight'], w['ln_f.bias'] = ln_params(g, H)
    return w

# ---------------------------------------------------------------------------- reference forwards


def additive_mask(mask, heads, L):
    """HF eager mask: (1 - mask) * finfo.min on keys, repeated per head for nn.MultiheadAttention."""
    m = (1.0 - mask.float())[:, None, None, :] * FMIN  # [B, 1, 1, L]
    return m.expand(-1, heads, L, -1).reshape(-1, L, L)


def encoder_forward(cfg, w, ids, mask, types, roberta):
    H, heads, eps = cfg['hidden_size'], cfg['num_attention_heads'], cfg['layer_norm_eps']
    pad = cfg['pad_token_id']
    B, L = ids.shape
    if roberta:
        nonpad = (ids != pad).long()
        pos = torch.cumsum(nonpad, dim=1) * nonpad + pad
    else:
        pos = torch.arange(L).expand(B, L)
    emb = nn.Embedding.from_pretrained(w['embeddings.word_embeddings.weight'])(ids)
    emb = emb + nn.Embedding.from_pretrained(w['embeddings.token_type_embeddings.weight'])(types)
    emb = emb + nn.Embedding.from_pretrained(w['embeddings.position_embeddings.weight'])(pos)
    ln = nn.LayerNorm(H, eps=eps)
    ln.weight.data, ln.bias.data = w['embeddings.LayerNorm.weight'], w['embeddings.LayerNorm.bias']
    x = ln(emb)
    attn_mask = additive_mask(mask, heads, L)
    for i in range(cfg['num_hidden_layers']):
        p = f'encoder.layer.{i}'
        layer = nn.TransformerEncoderLayer(H, heads, cfg['intermediate_size'], dropout=0.0, activation='gelu',
                                           layer_norm_eps=eps, batch_first=True, norm_first=False)
        sa = layer.self_attn
        sa.in_proj_weight.data = torch.cat([w[f'{p}.attention.self.{n}.weight'] for n in ('query', 'key', 'value')])
        sa.in_proj_bias.data = torch.cat([w[f'{p}.attention.self.{n}.bias'] for n in ('query', 'key', 'value')])
        sa.out_proj.weight.data, sa.out_proj.bias.data = w[f'{p}.attention.output.dense.weight'], w[f'{p}.attention.output.dense.bias']
        layer.norm1.weight.data, layer.norm1.bias.data = w[f'{p}.attention.output.LayerNorm.weight'], w[f'{p}.attention.output.LayerNorm.bias']
        layer.linear1.weight.data, layer.linear1.bias.data = w[f'{p}.intermediate.dense.weight'], w[f'{p}.intermediate.dense.bias']
        layer.linear2.weight.data, layer.linear2.bias.data = w[f'{p}.output.dense.weight'], w[f'{p}.output.dense.bias']
        layer.norm2.weight.data, layer.norm2.bias.data = w[f'{p}.output.LayerNorm.weight'], w[f'{p}.output.LayerNorm.bias']
        layer.train(False)
        # Gradients stay enabled so PyTorch takes the plain (not the fused "fast path") implementation.
        x = layer(x, src_mask=attn_mask)
    return x


def roberta_heads(cfg, w, hidden):
    """RobertaClassificationHead logits [B, labels] and RoBERTa LM logits [B, L, V]."""
    cls = hidden[:, 0, :]
    cls = torch.tanh(F.linear(cls, w['classifier.dense.weight'], w['classifier.dense.bias']))
    cls = F.linear(cls, w['classifier.out_proj.weight'], w['classifier.out_proj.bias'])
    h = F.gelu(F.linear(hidden, w['lm_head.dense.weight'], w['lm_head.dense.bias']))
    h = F.layer_norm(h, (cfg['hidden_size'],), w['lm_head.layer_norm.weight'], w['lm_head.layer_norm.bias'], cfg['layer_norm_eps'])
    lm = h @ w['embeddings.word_embeddings.weight'].t() + w['lm_head.bias']
    return cls, lm


def gpt2_forward(cfg, w, ids, mask):
    H, heads, eps = cfg['n_embd'], cfg['n_head'], cfg['layer_norm_epsilon']
    d = H // heads
    B, L = ids.shape
    pos = torch.arange(L)[None, :].expand(B, L)
    x = w['wte.weight'][ids] + w['wpe.weight'][pos]
    causal = torch.tril(torch.ones(L, L, dtype=torch.bool))[None, None]
    pad = (1.0 - mask.float())[:, None, None, :] * FMIN

    def ln(t, name):
        return F.layer_norm(t, (H,), w[f'{name}.weight'], w[f'{name}.bias'], eps)

    def conv1d(t, name):  # Conv1D: x @ W[in, out] + b
        return t @ w[f'{name}.weight'] + w[f'{name}.bias']

    for i in range(cfg['n_layer']):
        p = f'h.{i}'
        q, k, v = conv1d(ln(x, f'{p}.ln_1'), f'{p}.attn.c_attn').split(H, dim=2)
        q, k, v = (t.reshape(B, L, heads, d).permute(0, 2, 1, 3) for t in (q, k, v))
        s = (q @ k.transpose(-1, -2)) / math.sqrt(d)
        s = torch.where(causal, s, torch.tensor(FMIN)) + pad
        a = torch.softmax(s, dim=-1) @ v
        a = a.permute(0, 2, 1, 3).reshape(B, L, H)
        x = x + conv1d(a, f'{p}.attn.c_proj')
        m = F.gelu(conv1d(ln(x, f'{p}.ln_2'), f'{p}.mlp.c_fc'), approximate='tanh')
        x = x + conv1d(m, f'{p}.mlp.c_proj')
    return ln(x, 'ln_f')

# ---------------------------------------------------------------------------- fixtures


def make_roberta():
    g = torch.Generator().manual_seed(1234)
    cfg = {
        'architectures': ['RobertaModel'], 'model_type': 'roberta', 'vocab_size': 100, 'hidden_size': 32,
        'num_hidden_layers': 2, 'num_attention_heads': 4, 'intermediate_size': 64, 'hidden_act': 'gelu',
        'hidden_dropout_prob': 0.1, 'attention_probs_dropout_prob': 0.1, 'max_position_embeddings': 40,
        'type_vocab_size': 2, 'initializer_range': 0.02, 'layer_norm_eps': 1e-5, 'pad_token_id': 1,
        'bos_token_id': 0, 'eos_token_id': 2, 'position_embedding_type': 'absolute', 'torch_dtype': 'float32',
    }
    w = roberta_weights(cfg, g)
    H, V = cfg['hidden_size'], cfg['vocab_size']
    heads = {
        'classifier.dense.weight': randn(g, H, H, std=0.6 / math.sqrt(H)), 'classifier.dense.bias': randn(g, H, std=0.1),
        'classifier.out_proj.weight': randn(g, 3, H, std=0.6 / math.sqrt(H)), 'classifier.out_proj.bias': randn(g, 3, std=0.1),
        'lm_head.dense.weight': randn(g, H, H, std=0.6 / math.sqrt(H)), 'lm_head.dense.bias': randn(g, H, std=0.1),
        'lm_head.layer_norm.weight': 1.0 + randn(g, H, std=0.1), 'lm_head.layer_norm.bias': randn(g, H, std=0.1),
        'lm_head.bias': randn(g, V, std=0.1),
    }
    w.update(heads)
    base = {k: v for k, v in w.items() if not k.startswith(('classifier.', 'lm_head.', 'pooler.'))}
    root = os.path.join(ROOT, 'tiny-roberta-random')
    # RobertaModel (bare keys, with the position_ids buffer older transformers saved).
    bare = dict(base)
    bare['embeddings.position_ids'] = torch.arange(cfg['max_position_embeddings'], dtype=torch.int64)[None, :]
    write_dir(root, cfg, bare)
    # RobertaForMaskedLM: prefixed base, lm_head.*, tied copies of the decoder.
    mlm = {f'roberta.{k}': v for k, v in base.items()}
    for k in ('lm_head.bias', 'lm_head.dense.weight', 'lm_head.dense.bias', 'lm_head.layer_norm.weight', 'lm_head.layer_norm.bias'):
        mlm[k] = w[k]
    mlm['lm_head.decoder.weight'] = w['embeddings.word_embeddings.weight']
    mlm['lm_head.decoder.bias'] = w['lm_head.bias']
    write_dir(os.path.join(root, 'masked-lm'), {**cfg, 'architectures': ['RobertaForMaskedLM']}, mlm)
    # RobertaForSequenceClassification with 3 labels.
    sc = {f'roberta.{k}': v for k, v in base.items()}
    for k in ('classifier.dense.weight', 'classifier.dense.bias', 'classifier.out_proj.weight', 'classifier.out_proj.bias'):
        sc[k] = w[k]
    labels = {'0': 'negative', '1': 'neutral', '2': 'positive'}
    write_dir(os.path.join(root, 'sequence-classification'),
              {**cfg, 'architectures': ['RobertaForSequenceClassification'], 'id2label': labels,
               'label2id': {v: int(k) for k, v in labels.items()}}, sc)
    # BertModel with the same weights (positions 0..L-1, pad 0) and a pooler.
    bert_cfg = {**cfg, 'architectures': ['BertModel'], 'model_type': 'bert', 'pad_token_id': 0, 'layer_norm_eps': 1e-12}
    for k in ('bos_token_id', 'eos_token_id'):
        bert_cfg.pop(k)
    bert = dict(base)
    bert['pooler.dense.weight'], bert['pooler.dense.bias'] = w['pooler.dense.weight'], w['pooler.dense.bias']
    write_dir(os.path.join(root, 'bert'), bert_cfg, bert)

    pad = cfg['pad_token_id']
    cases = []
    inputs = [
        ('padded batch with token types', [[0, 5, 17, 42, 8, 2, 1, 1], [0, 9, 9, 33, 71, 88, 64, 2], [0, 3, 2, 1, 1, 1, 1, 1]],
         [[1, 1, 1, 1, 1, 1, 0, 0], [1] * 8, [1, 1, 1, 0, 0, 0, 0, 0]],
         [[0, 0, 0, 1, 1, 1, 0, 0], [0] * 8, [0, 1, 1, 0, 0, 0, 0, 0]]),
        ('fully padded row and a pad id inside the text', [[0, 44, 1, 45, 2], [1, 1, 1, 1, 1]],
         [[1, 1, 1, 1, 1], [0, 0, 0, 0, 0]], [[0] * 5, [0] * 5]),
    ]
    for name, ids, mask, types in inputs:
        ids_t, mask_t, types_t = torch.tensor(ids), torch.tensor(mask), torch.tensor(types)
        r = encoder_forward(cfg, w, ids_t, mask_t, types_t, roberta=True)
        cls, lm = roberta_heads(cfg, w, r)
        bert_cfg_run = {**cfg, 'pad_token_id': 0, 'layer_norm_eps': 1e-12}
        b = encoder_forward(bert_cfg_run, w, ids_t, mask_t, types_t, roberta=False)
        pooled = torch.tanh(F.linear(b[:, 0, :], w['pooler.dense.weight'], w['pooler.dense.bias']))
        cases.append({
            'name': name, 'input_ids': ids, 'attention_mask': mask, 'token_type_ids': types,
            'shape': list(r.shape), 'last_hidden_state': rounded(r),
            'classifier_logits': rounded(cls), 'lm_logits': rounded(lm),
            'bert_last_hidden_state': rounded(b), 'bert_pooler_output': rounded(pooled),
        })
    assert all(torch.isfinite(torch.tensor(c['last_hidden_state'])).all() for c in cases)
    with open(os.path.join(root, 'golden.json'), 'w') as f:
        json.dump({'generator': 'scripts/make_fixtures.py (torch %s)' % torch.__version__, 'pad_token_id': pad, 'cases': cases}, f)
        f.write('\n')


def make_gpt2():
    g = torch.Generator().manual_seed(5678)
    cfg = {
        'architectures': ['GPT2Model'], 'model_type': 'gpt2', 'vocab_size': 100, 'n_embd': 32, 'n_layer': 2, 'n_head': 4,
        'n_inner': None, 'n_positions': 40, 'n_ctx': 40, 'activation_function': 'gelu_new', 'layer_norm_epsilon': 1e-5,
        'resid_pdrop': 0.1, 'embd_pdrop': 0.1, 'attn_pdrop': 0.1, 'initializer_range': 0.02,
        'bos_token_id': 99, 'eos_token_id': 99, 'scale_attn_weights': True, 'torch_dtype': 'float32',
    }
    w = gpt2_weights(cfg, g)
    P = cfg['n_positions']
    root = os.path.join(ROOT, 'tiny-gpt2-random')
    bare = {}
    for k, v in w.items():
        bare[k] = v
        m = k.split('.')
        if len(m) == 4 and m[2] == 'ln_1' and m[3] == 'bias':  # buffers as old GPT2Model checkpoints carry them
            bare[f'h.{m[1]}.attn.bias'] = torch.tril(torch.ones(P, P, dtype=torch.uint8))[None, None]
            bare[f'h.{m[1]}.attn.masked_bias'] = torch.tensor(-1e4)
    write_dir(root, cfg, bare)
    lm = {f'transformer.{k}': v for k, v in w.items()}
    lm['lm_head.weight'] = w['wte.weight']
    write_dir(os.path.join(root, 'lm-head'), {**cfg, 'architectures': ['GPT2LMHeadModel']}, lm)

    cases = []
    inputs = [
        ('right padding', [[99, 5, 17, 42, 8, 99, 0], [99, 9, 9, 33, 71, 88, 64]], [[1, 1, 1, 1, 1, 1, 0], [1] * 7]),
        ('left padding', [[0, 0, 0, 12, 13, 14], [21, 22, 23, 24, 25, 26]], [[0, 0, 0, 1, 1, 1], [1] * 6]),
    ]
    for name, ids, mask in inputs:
        ids_t, mask_t = torch.tensor(ids), torch.tensor(mask)
        h = gpt2_forward(cfg, w, ids_t, mask_t)
        logits = h @ w['wte.weight'].t()
        cases.append({'name': name, 'input_ids': ids, 'attention_mask': mask, 'shape': list(h.shape),
                      'last_hidden_state': rounded(h), 'lm_logits': rounded(logits)})
    with open(os.path.join(root, 'golden.json'), 'w') as f:
        json.dump({'generator': 'scripts/make_fixtures.py (torch %s)' % torch.__version__, 'cases': cases}, f)
        f.write('\n')

    # One tensor in every dtype, with the values PyTorch decodes it to.
    base = torch.tensor([[0.0, 1.0, -2.5, 3.14159], [1e-3, -65504.0, 6.1e-5, 1e-7], [0.333333, 100.0, -0.1, 7.0]])
    dt = {
        'f32': base.float(), 'f16': base.half(), 'bf16': base.bfloat16(), 'f64': base.double(),
        'i64': torch.tensor([[0, -1, 2147483647], [5, 6, -2147483648]], dtype=torch.int64),
        'i32': torch.tensor([[1, -2, 3]], dtype=torch.int32), 'i16': torch.tensor([-300, 300], dtype=torch.int16),
        'i8': torch.tensor([-128, 127], dtype=torch.int8), 'u8': torch.tensor([0, 255], dtype=torch.uint8),
        'bool': torch.tensor([True, False, True]), 'scalar': torch.tensor(2.5),
    }
    write_safetensors(os.path.join(root, 'dtypes.safetensors'), dt)
    with open(os.path.join(root, 'dtypes.json'), 'w') as f:
        json.dump({k: {'shape': list(v.shape), 'values': [float(x) for x in v.reshape(-1).float().tolist()] if v.is_floating_point()
                       else [int(x) for x in v.reshape(-1).tolist()]} for k, v in dt.items()}, f)
        f.write('\n')


if __name__ == '__main__':
    torch.set_num_threads(1)
    make_roberta()
    make_gpt2()
    print('wrote fixtures under', os.path.normpath(ROOT))
