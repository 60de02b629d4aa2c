#!/usr/bin/python3
"""Adapters in Hugging Face PEFT's exact on-disk layout, and the hidden states of the checkpoints they
merge into, made without PEFT and without grasp-hil.

Run with Debian's python3-torch (PEFT and transformers are not needed):

    /usr/bin/python3 scripts/make_peft_fixtures.py      # writes test/fixtures/peft/

Layout written, as `PeftModel.save_pretrained` does (peft/utils/save_and_load.py,
get_peft_model_state_dict): keys `base_model.model.<module path in the transformers model>.<param>`
with the adapter name removed (`…query.lora_A.default.weight` → `…query.lora_A.weight`), modules_to_save
saved as `base_model.model.classifier.dense.weight` (the `modules_to_save.default.` part removed).
LoRA A is nn.Linear(in, r).weight [r, in], B is nn.Linear(r, out).weight [out, r] for Linear and Conv1D
alike; (IA)³ `ia3_l` is [out, 1], or [1, in] for feed-forward modules.

Fixtures (base checkpoints from scripts/make_fixtures.py):
  roberta-lora-seqcls/  LORA, SEQ_CLS on tiny-roberta-random/sequence-classification: r 4, rank_pattern,
                        alpha_pattern, use_rslora, a trained classifier in modules_to_save
  roberta-ia3/          IA3, FEATURE_EXTRACTION on tiny-roberta-random: key, value and output.dense, which
                        as a suffix also selects attention.output.dense, both feed-forward (PEFT's endswith)
  gpt2-lora-causal/     LORA, CAUSAL_LM on tiny-gpt2-random/lm-head: Conv1D c_attn and c_proj, fan_in_fan_out
  gpt2-lora-tokens-causal/  the same with trainable_token_indices [5, 17, 42] (PEFT ≥ 0.15, tuners/trainable_tokens):
                        `base_model.model.transformer.wte.token_adapter.trainable_tokens_delta` [3, hidden] holds the
                        rows' new values (PEFT's index_copy), and golden.json adds the LM logits h·wte'ᵀ of the tied head
Each folder holds adapter_config.json, adapter_model.safetensors and golden.json: the last_hidden_state
(and classifier logits) of the base model with every adapter merged by the formulas below, computed by
the reference forwards of scripts/make_fixtures.py.

  LoRA   W[out, in] += scaling · B·A,   scaling = α/r (α/√r with use_rslora); r, α per module from
         rank_pattern / alpha_pattern, matched as PEFT's get_pattern_key: re.match(rf"(.*\\.)?({key})$", name)
  Conv1D W[in, out] += scaling · (B·A)ᵀ  (fan_in_fan_out)
  (IA)³  W[out, in] *= l[:, None], b *= l   (output scaling);   W[out, in] *= l[None, :]  (feed-forward)
"""
import json
import math
import os
import re
import struct
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import encoder_forward, gpt2_forward, rounded, write_safetensors  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures')
OUT = os.path.join(ROOT, 'peft')


def read_safetensors(path):
    with open(path, 'rb') as f:
        raw = f.read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for k, v in header.items():
        if k == '__metadata__' or v['dtype'] != 'F32':
            continue
        b, e = v['data_offsets']
        out[k] = torch.frombuffer(bytearray(data[b:e]), dtype=torch.float32).reshape(v['shape']).clone()
    return out


def pattern_value(patterns, name, default):
    for key, value in patterns.items():
        if re.match(rf'(.*\.)?({key})$', name):
            return value
    return default


def write_adapter(name, config, tensors, golden):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'adapter_config.json'), 'w') as f:
        json.dump(config, f, indent=2, sort_keys=True)
        f.write('\n')
    write_safetensors(os.path.join(d, 'adapter_model.safetensors'), tensors, {'format': 'pt'})
    with open(os.path.join(d, 'golden.json'), 'w') as f:
        json.dump({'generator': 'scripts/make_peft_fixtures.py (torch %s)' % torch.__version__, **golden}, f)
        f.write('\n')


def lora_config(**fields):
    """LoraConfig.to_dict() as save_pretrained writes it (the fields of peft 0.13)."""
    base = {
        'alpha_pattern': {}, 'auto_mapping': None, 'base_model_name_or_path': None, 'bias': 'none',
        'fan_in_fan_out': False, 'inference_mode': True, 'init_lora_weights': True, 'layer_replication': None,
        'layers_pattern': None, 'layers_to_transform': None, 'loftq_config': {}, 'lora_alpha': 8, 'lora_dropout': 0.1,
        'megatron_config': None, 'megatron_core': 'megatron.core', 'modules_to_save': None, 'peft_type': 'LORA', 'r': 8,
        'rank_pattern': {}, 'revision': None, 'target_modules': None, 'task_type': None, 'use_dora': False, 'use_rslora': False,
    }
    base.update(fields)
    return base


ROBERTA_CASE = {'input_ids': [[0, 5, 17, 42, 8, 2, 1, 1], [0, 9, 9, 33, 71, 88, 64, 2]],
                'attention_mask': [[1, 1, 1, 1, 1, 1, 0, 0], [1] * 8]}


def roberta_lora(g):
    base_dir = os.path.join(ROOT, 'tiny-roberta-random', 'sequence-classification')
    cfg = json.load(open(os.path.join(base_dir, 'config.json')))
    ckpt = read_safetensors(os.path.join(base_dir, 'model.safetensors'))
    H = cfg['hidden_size']
    r, alpha = 4, 8
    rank_pattern = {'value': 2}
    alpha_pattern = {'encoder.layer.1.attention.self.query': 16}
    tensors, merged = {}, {k.removeprefix('roberta.'): v.clone() for k, v in ckpt.items()}
    for i in range(cfg['num_hidden_layers']):
        for m in ('query', 'value'):
            module = f'roberta.encoder.layer.{i}.attention.self.{m}'
            ri = pattern_value(rank_pattern, module, r)
            ai = pattern_value(alpha_pattern, module, alpha)
            A = torch.randn(ri, H, generator=g) * 0.3
            B = torch.randn(H, ri, generator=g) * 0.3
            tensors[f'base_model.model.{module}.lora_A.weight'] = A
            tensors[f'base_model.model.{module}.lora_B.weight'] = B
            merged[f'encoder.layer.{i}.attention.self.{m}.weight'] += (ai / math.sqrt(ri)) * (B @ A)
    # A trained classifier (modules_to_save), different from the checkpoint's.
    for k in ('classifier.dense.weight', 'classifier.dense.bias', 'classifier.out_proj.weight', 'classifier.out_proj.bias'):
        t = ckpt[k] + torch.randn(ckpt[k].shape, generator=g) * 0.2
        tensors[f'base_model.model.{k}'] = t
        merged[k] = t
    config = lora_config(
        task_type='SEQ_CLS', base_model_name_or_path='test/fixtures/tiny-roberta-random/sequence-classification',
        r=r, lora_alpha=alpha, target_modules=['query', 'value'], rank_pattern=rank_pattern, alpha_pattern=alpha_pattern,
        use_rslora=True, modules_to_save=['classifier', 'score'],
    )
    ids, mask = torch.tensor(ROBERTA_CASE['input_ids']), torch.tensor(ROBERTA_CASE['attention_mask'])
    hidden = encoder_forward(cfg, merged, ids, mask, torch.zeros_like(ids), roberta=True)
    cls = torch.tanh(torch.nn.functional.linear(hidden[:, 0, :], merged['classifier.dense.weight'], merged['classifier.dense.bias']))
    logits = torch.nn.functional.linear(cls, merged['classifier.out_proj.weight'], merged['classifier.out_proj.bias'])
    write_adapter('roberta-lora-seqcls', config, tensors, {
        **ROBERTA_CASE, 'shape': list(hidden.shape), 'last_hidden_state': rounded(hidden), 'classifier_logits': rounded(logits),
    })


def roberta_ia3(g):
    base_dir = os.path.join(ROOT, 'tiny-roberta-random')
    cfg = json.load(open(os.path.join(base_dir, 'config.json')))
    merged = read_safetensors(os.path.join(base_dir, 'model.safetensors'))
    targets, feedforward = ['key', 'value', 'output.dense'], ['output.dense']
    tensors = {}
    for i in range(cfg['num_hidden_layers']):
        for m in ('attention.self.key', 'attention.self.value', 'attention.output.dense', 'output.dense'):
            module = f'encoder.layer.{i}.{m}'
            assert any(module == t or module.endswith('.' + t) for t in targets)
            W = merged[f'{module}.weight']
            if any(module.endswith(t) for t in feedforward):  # PEFT: plain endswith
                l = 1 + torch.randn(1, W.shape[1], generator=g) * 0.3
                merged[f'{module}.weight'] = W * l
            else:
                l = 1 + torch.randn(W.shape[0], 1, generator=g) * 0.3
                merged[f'{module}.weight'] = W * l
                merged[f'{module}.bias'] = merged[f'{module}.bias'] * l[:, 0]
            tensors[f'base_model.model.{module}.ia3_l'] = l
    config = {
        'auto_mapping': None, 'base_model_name_or_path': 'test/fixtures/tiny-roberta-random', 'exclude_modules': None,
        'fan_in_fan_out': False, 'feedforward_modules': feedforward, 'inference_mode': True, 'init_ia3_weights': True,
        'modules_to_save': None, 'peft_type': 'IA3', 'revision': None, 'target_modules': targets, 'task_type': 'FEATURE_EXTRACTION',
    }
    ids, mask = torch.tensor(ROBERTA_CASE['input_ids']), torch.tensor(ROBERTA_CASE['attention_mask'])
    hidden = encoder_forward(cfg, merged, ids, mask, torch.zeros_like(ids), roberta=True)
    write_adapter('roberta-ia3', config, tensors, {**ROBERTA_CASE, 'shape': list(hidden.shape), 'last_hidden_state': rounded(hidden)})


def gpt2_lora(g):
    base_dir = os.path.join(ROOT, 'tiny-gpt2-random', 'lm-head')
    cfg = json.load(open(os.path.join(base_dir, 'config.json')))
    ckpt = read_safetensors(os.path.join(base_dir, 'model.safetensors'))
    merged = {k.removeprefix('transformer.'): v.clone() for k, v in ckpt.items()}
    r, alpha = 2, 4
    tensors = {}
    for i in range(cfg['n_layer']):
        for m in ('attn.c_attn', 'attn.c_proj', 'mlp.c_proj'):
            module = f'transformer.h.{i}.{m}'
            W = merged[f'h.{i}.{m}.weight']  # Conv1D [in, out]
            n_in, n_out = W.shape
            A = torch.randn(r, n_in, generator=g) * 0.3
            B = torch.randn(n_out, r, generator=g) * 0.3
            tensors[f'base_model.model.{module}.lora_A.weight'] = A
            tensors[f'base_model.model.{module}.lora_B.weight'] = B
            merged[f'h.{i}.{m}.weight'] = W + (alpha / r) * (B @ A).t()
    config = lora_config(task_type='CAUSAL_LM', base_model_name_or_path='test/fixtures/tiny-gpt2-random/lm-head', r=r,
                         lora_alpha=alpha, target_modules=['c_attn', 'c_proj'], fan_in_fan_out=True, lora_dropout=0.0)
    case = {'input_ids': [[99, 5, 17, 42, 8, 99], [99, 9, 9, 33, 71, 88]], 'attention_mask': [[1] * 6, [1] * 6]}
    hidden = gpt2_forward(cfg, merged, torch.tensor(case['input_ids']), torch.tensor(case['attention_mask']))
    write_adapter('gpt2-lora-causal', config, tensors, {**case, 'shape': list(hidden.shape), 'last_hidden_state': rounded(hidden)})


def gpt2_lora_tokens(g):
    base_dir = os.path.join(ROOT, 'tiny-gpt2-random', 'lm-head')
    cfg = json.load(open(os.path.join(base_dir, 'config.json')))
    ckpt = read_safetensors(os.path.join(base_dir, 'model.safetensors'))
    merged = {k.removeprefix('transformer.'): v.clone() for k, v in ckpt.items()}
    r, alpha, ids = 2, 4, [5, 17, 42]
    tensors = {}
    for i in range(cfg['n_layer']):
        module = f'transformer.h.{i}.attn.c_attn'
        W = merged[f'h.{i}.attn.c_attn.weight']
        A = torch.randn(r, W.shape[0], generator=g) * 0.3
        B = torch.randn(W.shape[1], r, generator=g) * 0.3
        tensors[f'base_model.model.{module}.lora_A.weight'] = A
        tensors[f'base_model.model.{module}.lora_B.weight'] = B
        merged[f'h.{i}.attn.c_attn.weight'] = W + (alpha / r) * (B @ A).t()
    rows = merged['wte.weight'][ids] + torch.randn(len(ids), cfg['n_embd'], generator=g) * 0.5
    tensors['base_model.model.transformer.wte.token_adapter.trainable_tokens_delta'] = rows
    merged['wte.weight'] = merged['wte.weight'].index_copy(0, torch.tensor(ids), rows)
    config = lora_config(task_type='CAUSAL_LM', base_model_name_or_path='test/fixtures/tiny-gpt2-random/lm-head', r=r,
                         lora_alpha=alpha, target_modules=['c_attn'], fan_in_fan_out=True, lora_dropout=0.0,
                         trainable_token_indices=ids)
    # Token 5 is an input (the embedding sees the new row); 17 and 42 only reach the tied head.
    case = {'input_ids': [[99, 5, 3, 8, 99], [99, 9, 9, 33, 71]], 'attention_mask': [[1] * 5, [1] * 5]}
    hidden = gpt2_forward(cfg, merged, torch.tensor(case['input_ids']), torch.tensor(case['attention_mask']))
    logits = hidden @ merged['wte.weight'].t()
    write_adapter('gpt2-lora-tokens-causal', config, tensors,
                  {**case, 'shape': list(hidden.shape), 'last_hidden_state': rounded(hidden), 'logits': rounded(logits)})


if __name__ == '__main__':
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(2468)
    roberta_lora(gen)
    roberta_ia3(gen)
    gpt2_lora(gen)
    gpt2_lora_tokens(gen)
    print('wrote PEFT fixtures under', os.path.normpath(OUT))
