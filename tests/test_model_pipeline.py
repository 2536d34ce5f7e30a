"""train -> save -> load -> predict -> evaluate on a tiny random BERT, with both tokenizer kinds.

These run in seconds: the point is that every piece of the path works and that the model can fit a
handful of passages (so the losses, labels and decoding are wired correctly), not accuracy.
"""
from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from model.statement_model import StatementModel  # noqa: E402
from model.tagger import StatementTagger  # noqa: E402
from training.evaluate import score  # noqa: E402
from training.features import collate, passage_windows  # noqa: E402
from training.train import train  # noqa: E402

CATEGORIES = ["P01", "P02", "P03", "P06", "R01", "R02", "R05", "R06"]


def _passage(pid, pieces):
    """pieces: list of (text, label-or-None) -> project-format passage."""
    text, statements = "", []
    for piece, label in pieces:
        if label:
            role, cats, specific, status = label
            statements.append({"start": len(text), "end": len(text) + len(piece), "role": role,
                               "categories": cats, "specific": specific, "status": status})
        text += piece
    return {"id": pid, "text": text, "statements": statements}


PROBLEM_AWARE = ("problem", ["P01"], False, None)
PROBLEM_TIME = ("problem", ["P03"], False, None)
PROBLEM_STAFF = ("problem", ["P06"], True, None)
REMEDY_TRAIN = ("remedy", ["R02"], True, "done")
REMEDY_UPDATE = ("remedy", ["R06"], False, "planned")

PASSAGES = [
    _passage("t1", [("存在问题：一是", None), ("思想认识不到位", PROBLEM_AWARE), ("；二是", None),
                    ("信息更新不及时", PROBLEM_TIME), ("。下一步，", None), ("将及时更新栏目信息", REMEDY_UPDATE), ("。", None)]),
    _passage("t2", [("一是", None), ("工作人员只有1名兼职", PROBLEM_STAFF), ("。针对上述问题，", None),
                    ("组织培训3次", REMEDY_TRAIN), ("。", None)]),
    _passage("t3", [("主要表现在：", None), ("信息更新不及时", PROBLEM_TIME), ("，", None),
                    ("思想认识不到位", PROBLEM_AWARE), ("。", None)]),
    _passage("t4", [("改进情况：", None), ("组织培训3次", REMEDY_TRAIN), ("；", None),
                    ("将及时更新栏目信息", REMEDY_UPDATE), ("。", None)]),
]


def _chars():
    return sorted({c for p in PASSAGES for c in p["text"]})


def _wordpiece_tokenizer(tmp_path):
    from transformers import BertTokenizerFast

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + _chars()
    tokenizer = BertTokenizerFast(vocab={t: i for i, t in enumerate(vocab)}, tokenize_chinese_chars=True, do_lower_case=False)
    assert tokenizer.unk_token_id not in tokenizer("思想认识不到位")["input_ids"]
    return tokenizer


def _sentencepiece_tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import XLMRobertaTokenizerFast

    pieces = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("▁", -2.0)]
    pieces += [(c, -5.0) for c in _chars()] + [("不及时", -3.0), ("培训", -3.0), ("▁一是", -3.0)]
    tok = Tokenizer(models.Unigram(pieces, unk_id=3, byte_fallback=False))
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    from tokenizers.processors import TemplateProcessing

    tok.post_processor = TemplateProcessing(single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    return XLMRobertaTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", pad_token="<pad>",
                                   unk_token="<unk>", cls_token="<s>", sep_token="</s>", mask_token="<unk>")


def _tiny_base(tmp_path, tokenizer, name):
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=128, max_position_embeddings=128, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, pad_token_id=tokenizer.pad_token_id)
    out = tmp_path / name
    BertModel(config).save_pretrained(out)
    tokenizer.save_pretrained(out)
    assert not list(out.glob("*.bin")), "weights must be safetensors only"
    return out


@pytest.mark.parametrize("kind", ["wordpiece", "sentencepiece"])
def test_train_save_load_predict_evaluate(tmp_path, kind):
    tokenizer = _wordpiece_tokenizer(tmp_path) if kind == "wordpiece" else _sentencepiece_tokenizer()
    base = _tiny_base(tmp_path, tokenizer, f"base-{kind}")
    model_dir, _ = train(PASSAGES * 4, PASSAGES, str(base), tmp_path / "run", CATEGORIES, epochs=60,
                         batch_size=8, lr=1e-3, max_length=32, freeze_embeddings=False, log=lambda m: None)
    assert (model_dir / "model.safetensors").is_file() and (model_dir / "nianbao.json").is_file()
    assert not list(model_dir.glob("*.bin")) and not list(model_dir.glob("*.pt"))
    config = json.loads((model_dir / "nianbao.json").read_text(encoding="utf-8"))
    assert config["categories"] == CATEGORIES

    tagger = StatementTagger.from_pretrained(model_dir)
    preds = tagger.predict([p["text"] for p in PASSAGES])
    metrics = score(PASSAGES, [[s.to_dict() for s in ps] for ps in preds])
    # A 2-layer model trained 60 epochs on 4 passages must fit them (window size 32 forces multi-window
    # decoding on the longest passage, too).
    assert metrics["span_overlap50"]["f1"] >= 0.8, metrics
    assert metrics["role_accuracy"] >= 0.8, metrics
    for ps in preds:
        for s in ps:
            assert (s.status is not None) == (s.role == "remedy")
            assert all(c.startswith("P" if s.role == "problem" else "R") for c in s.categories)

    quantized = StatementTagger.from_pretrained(model_dir, quantize=True)
    assert len(quantized.predict([PASSAGES[0]["text"]])) == 1


def test_windows_label_tokens_by_offsets(tmp_path):
    tokenizer = _wordpiece_tokenizer(tmp_path)
    from model.statement_model import StatementModelConfig

    config = StatementModelConfig(categories=CATEGORIES, max_length=16, stride=4)
    windows = passage_windows([PASSAGES[0]], tokenizer, config)
    assert len(windows) > 1  # long passage is cut into overlapping windows
    batch = collate(windows, tokenizer.pad_token_id)
    tags = [config.bio_tags[i] for i in batch["token_labels"][0].tolist() if i >= 0]
    assert "B-problem" in tags and tags.count("B-problem") >= 1
    assert batch["span_mask"].shape[1] == batch["input_ids"].shape[1]


def test_score_counts_misses_and_false_alarms():
    gold = [{"text": "x" * 20, "statements": [
        {"start": 0, "end": 10, "role": "problem", "categories": ["P01"], "specific": False, "status": None},
        {"start": 10, "end": 20, "role": "remedy", "categories": ["R02"], "specific": True, "status": "done"}]}]
    pred = [[{"start": 0, "end": 8, "role": "problem", "categories": ["P01"], "specific": False, "status": None}]]
    m = score(gold, pred)
    assert m["span_exact"]["f1"] == 0.0
    assert m["span_overlap50"]["recall"] == 0.5 and m["span_overlap50"]["precision"] == 1.0
    assert m["role_accuracy"] == 1.0
    assert m["per_category"]["R02"]["recall"] == 0.0
    assert 0.6 < m["category_micro_f1"] < 0.7


def test_rating_agreement_counts_the_points_the_statements_move():
    """A joined clause list that keeps one of three problem categories costs the report points under 存在问题：实际
    列出问题 that the gold statements do not; an uncertain extra problem is read the way that costs less."""
    from training.evaluate import rating_agreement, section5_points

    text = "一是公开内容不够全面，更新不够及时，人员多为兼职。二是加强业务培训。"  # invented
    def st(a, b, role, cats, **kw):
        return {"start": text.index(a), "end": text.index(a) + len(a), "role": role, "categories": cats,
                "specific": False, "status": "planned" if role == "remedy" else None} | kw
    gold = [st("公开内容不够全面", 0, "problem", ["P02"]), st("更新不够及时", 0, "problem", ["P03"]),
            st("人员多为兼职", 0, "problem", ["P06"]), st("加强业务培训", 0, "remedy", ["R02"])]
    joined = [st("公开内容不够全面，更新不够及时，人员多为兼职", 0, "problem", ["P02"]), gold[3]]
    assert section5_points(text, gold)["problems_stated"] == 0
    assert section5_points(text, joined)["problems_stated"] == 4  # one category: rubric points_by_count["1"]
    r = rating_agreement([{"text": text, "statements": gold}] * 2, [gold, joined])
    assert r["passages"] == 2 and r["same_points"] == 1 and r["part_same_share"]["problems_stated"] == 0.5
    assert r["mean_diff"] > 0  # the model's reading took more points than the gold one
    unsure = joined + [st("更新不够及时", 0, "problem", ["P03"], confidence=0.2)]
    unsure[0] = unsure[0] | {"end": text.index("，")}
    # the uncertain problem is read the way that costs the report less (two categories, not one)
    assert section5_points(text, unsure)["problems_stated"] == 2


def test_score_names_the_kind_of_each_error():
    def st(start, end, role="problem", categories=("P01",)):
        return {"start": start, "end": end, "role": role, "categories": list(categories), "specific": False,
                "status": None if role == "problem" else "planned"}

    gold = [{"text": "x" * 100, "statements": [
        st(0, 10), st(11, 20, categories=["P02"]),  # read as one: joined
        st(30, 50, role="remedy", categories=["R01", "R02"]),  # read as two: split
        st(60, 70, categories=["P03"]),  # matched, edges off, category missing none / wrong
        st(80, 90)]}]  # never touched: missed
    pred = [[st(0, 20), st(30, 40, "remedy", ["R01"]), st(41, 50, "remedy", ["R02"]),
             st(58, 69, categories=["P07"]), st(95, 100)]]
    e = score(gold, pred)["errors"]
    assert (e["joined"], e["joined_gold"], e["split"], e["split_pred"]) == (1, 1, 1, 1)
    assert (e["missed"], e["spurious"]) == (1, 1)
    assert (e["start_early"], e["end_early"]) == (1, 2)  # 58 < 60; 69 < 70 and 40 < 50 (the split's matched half)
    assert e["category_wrong"] == 1 and e["confusions"] == {"P03>P07": 1}
    assert e["category_missing"] == 1  # the split's matched half holds R01 of R01 + R02


def test_from_pretrained_rejects_missing_weights(tmp_path):
    from inference.errors import ModelError

    (tmp_path / "nianbao.json").write_text(json.dumps({"categories": CATEGORIES}), encoding="utf-8")
    with pytest.raises(ModelError):
        StatementModel.from_pretrained(tmp_path)


def test_compact_state_roundtrip_is_close():
    from model.statement_model import compact_state, dequantize_state

    torch.manual_seed(1)
    state = {"encoder.embeddings.word_embeddings.weight": torch.randn(50, 16), "head.weight": torch.randn(4, 16),
             "encoder.embeddings.position_ids": torch.arange(8)}
    packed = compact_state(state)
    assert packed["encoder.embeddings.word_embeddings.weight.int8"].dtype == torch.int8
    assert packed["head.weight"].dtype == torch.float16
    restored = dequantize_state(packed)
    assert set(restored) == set(state)
    emb = state["encoder.embeddings.word_embeddings.weight"]
    err = (restored["encoder.embeddings.word_embeddings.weight"] - emb).abs().max() / emb.abs().max()
    assert err < 0.01
    assert torch.equal(restored["encoder.embeddings.position_ids"], state["encoder.embeddings.position_ids"])


def test_promote_gates_on_real_text_pooled():
    from training.evaluate import evaluate_sets
    from training.promote import REAL_TEXT, compare, pooled_name

    def m(span, role, cat):
        return {"span_overlap50": {"f1": span}, "role_accuracy": role, "category_micro_f1": cat}

    pooled = "real:test+seed_gold"
    current = {pooled: m(0.75, 0.99, 0.62), "seed_gold": m(0.8, 0.9, 0.7)}
    ok, lines = compare({pooled: m(0.76, 0.99, 0.62), "seed_gold": m(0.78, 0.95, 0.7)}, current, gate=pooled)
    assert ok  # a loss on one part alone does not decide
    assert any("seed_gold" in line and "not gating" in line for line in lines)
    ok, lines = compare({pooled: m(0.74, 1.0, 0.9), "seed_gold": m(0.9, 0.95, 0.9)}, current, gate=pooled)
    assert not ok and any(pooled in line and "WORSE" in line for line in lines)
    ok, _ = compare({pooled: m(0.1, 0.1, 0.1)}, None, gate=pooled)  # no default yet: anything is accepted
    assert ok

    def passage(text, start, end):
        return {"text": text, "statements": [{"start": start, "end": end, "role": "problem", "categories": ["P01"],
                                              "specific": False, "status": None}]}

    seen = []

    def predict(texts):  # finds every statement of "right" passages, nothing in the others
        seen.extend(texts)
        return [[{"start": 0, "end": 8, "role": "problem", "categories": ["P01"], "specific": False, "status": None}]
                if t.startswith("right") else [] for t in texts]

    a, b, c = passage("right, a", 0, 8), passage("wrong, b", 0, 8), passage("right, c", 0, 8)
    sets = {"real:test": [a, b], "seed_gold": [c], "authored:test": [passage("right, x", 0, 8)]}
    out = evaluate_sets(predict, sets, pool=REAL_TEXT)
    assert pooled_name(sets) == pooled and list(out) == [pooled, "real:test", "seed_gold", "authored:test"]
    assert out[pooled]["passages"] == 3 and out[pooled]["span_overlap50"]["recall"] == round(2 / 3, 4)
    assert len(seen) == 4  # every passage predicted once
    no_cache = {"seed_gold": [c], "authored:test": [{"text": "x", "statements": []}]}  # CI: no page cache
    assert pooled_name(no_cache) == "seed_gold"  # the seeds gate alone
    assert list(evaluate_sets(predict, no_cache, pool=REAL_TEXT)) == ["seed_gold", "authored:test"]


def _span(text: str, piece: str, role: str = "remedy", after: int = 0):
    s = text.index(piece, after)
    return (role, [(0, s)], [(s, s + len(piece))], [0.9])


def test_pieces_of_one_enumerated_item_are_joined():
    """Guideline B1/B2: headline + elaboration of one item is one statement; B7 role changes, the next
    marker and un-enumerated prose still split."""
    from model.tagger import merge_within_items

    text = "一是加强培训。组织学习2次，覆盖60人；二是完善制度。下一步将扩大范围，提高频率。\n三是解读不足，将增加图解。"
    spans = [_span(text, p) for p in ("加强培训", "组织学习2次", "覆盖60人", "完善制度", "扩大范围", "提高频率")]
    spans += [_span(text, "解读不足", "problem"), _span(text, "将增加图解")]
    merged = merge_within_items(spans, text)
    got = [(r, text[c[0][0]:c[-1][1]]) for r, _, c, _, _ in merged]
    assert got == [
        ("remedy", "加强培训。组织学习2次，覆盖60人"),
        ("remedy", "完善制度"),  # the following sentence is prose after the item: not joined
        ("remedy", "扩大范围"),
        ("remedy", "提高频率"),
        ("problem", "解读不足"),
        ("remedy", "将增加图解"),
    ]
    assert [len(pieces) for *_, pieces in merged] == [3, 1, 1, 1, 1, 1]  # pieces kept for the `specific` vote


def test_a_headed_item_is_one_statement_with_its_body():
    """Guideline B2 on real text: an item opening with a short claim closed by 。 keeps its body, also across
    a few untagged characters (目前); a marker, an opener (下一步) or a new line still split, and an item
    without a headline is not stretched over its gaps."""
    from model.tagger import headline_end, merge_within_items

    text = ("二是信息公开内容单一。目前信息公开多涉及日常事务，财务公开较少。三是渠道单一。下一步将拓宽渠道。\n"
            "四是人员兼职较多，目前培训较少。")
    assert headline_end(text, text.index("信息公开内容单一")) == text.index("。")
    assert headline_end(text, text.index("人员兼职较多")) is None  # no headline: the first 。 ends the item
    assert headline_end(text, text.index("财务公开较少")) is None  # not after a marker
    pieces = ["信息公开内容单一", "信息公开多涉及日常事务", "财务公开较少", "渠道单一", "拓宽渠道", "人员兼职较多", "培训较少"]
    merged = merge_within_items([_span(text, p, "problem") for p in pieces], text)
    got = [text[c[0][0]:c[-1][1]] for _, _, c, _, _ in merged]
    assert got == ["信息公开内容单一。目前信息公开多涉及日常事务，财务公开较少", "渠道单一", "拓宽渠道", "人员兼职较多", "培训较少"]
    # a headline, then lead-in clauses (about 25 characters, untagged) before the body: still one item
    text = "二是拓宽公开渠道。对照年度考核要求，立足本镇工作实际，结合群众的办事需求，开通政务公开微信专栏。"
    merged = merge_within_items([_span(text, p, "remedy") for p in ("拓宽公开渠道", "开通政务公开微信专栏")], text)
    assert [text[c[0][0]:c[-1][1]] for _, _, c, _, _ in merged] == [text[2:-1]]


def test_an_other_statement_must_close_a_sentence():
    """§3: `other` is a whole claim (no-problem claim, fee statement); a piece cut off mid-sentence (年,市教育局在)
    is dropped by the decoder, a claim ending at 。/；/a line break/the text end is kept."""
    from model.tagger import ends_sentence

    text = "2024年,市教育局在区委领导下开展工作。本年度未收取信息处理费”；无其他需要报告的事项\n另起一行"
    assert not ends_sentence(text, text.index("市教育局在") + len("市教育局在"))
    assert ends_sentence(text, text.index("。"))
    assert ends_sentence(text, text.index("”"))  # a closing quote before the ；
    assert ends_sentence(text, text.index("\n"))
    assert ends_sentence(text, len(text))


def test_done_needs_a_cue_in_its_block():
    """Guideline R-4: under a neutral heading a bare imperative item is planned; a cue of completion in the
    item, a sibling or the block's lead-in lets the status head say done. The block ends at the next heading."""
    from model.tagger import has_done_cue

    text = ("（一）存在的问题\n一是发布不够及时；二是已公开的栏目较少。\n（二）改进措施\n一是抽调专人管理；二是加强业务学习。\n"
            "（三）整改情况\n针对上述问题，采取了以下措施：\n1.调整栏目设置；\n2.组织培训2期。")
    bare = text.index("加强业务学习")
    assert not has_done_cue(text, bare, bare + len("加强业务学习"))  # 已 in the problems block does not count
    sibling = text.index("调整栏目设置")
    assert has_done_cue(text, sibling, sibling + len("调整栏目设置"))  # 2期 in a sibling item
    lead = "（二）改进措施\n针对上述问题，我们采取了以下措施：加强业务学习。"
    item = lead.index("加强业务学习")
    assert has_done_cue(lead, item, item + len("加强业务学习"))  # the lead-in says what was done
    assert not has_done_cue("了解群众需求，为了方便查询", 0, 6)  # 了解 / 为了 are not completion


def test_status_head_cannot_say_done_without_a_cue():
    """A remedy the shipped model reads as done (an account-like action) stays planned when its block has no cue."""
    from inference.statements import load_model

    tagger = load_model(None)
    text = "（二）改进措施\n一是抽调专人进行管理，确保信息公开工作高效运转；二是加强自身业务学习，提高工作能力。"
    remedies = [s for s in tagger.predict([text])[0] if s.role == "remedy"]
    assert remedies and all(s.status == "planned" for s in remedies)
    done = "（二）改进情况\n今年抽调专人进行管理，全年更新信息312条；组织业务学习2次。"
    assert any(s.status == "done" for s in tagger.predict([done])[0] if s.role == "remedy")


def test_statements_are_snapped_to_whole_clauses():
    """B6 on real text: a trailing opener is cut, one clause broken in two is joined, a start or end inside a
    clause moves to the clause edge (skipping a marker), but not over a modal lead-in or another statement."""
    from model.tagger import snap_to_clauses

    def span(text, piece, role="problem"):
        s = text.index(piece)
        return [role, s, s + len(piece), [(0, s)], [0.9], [[(0, s)]]]

    def got(text, spans):
        return [(s[0], text[s[1]:s[2]]) for s in snap_to_clauses(text, spans)]

    text = "对群众反映集中的问题缺乏集中回应，同时对4家单位未开展监督检查。"
    assert got(text, [span(text, "对群众反映集中的问题缺乏集中回应，同时"), span(text, "对4家单位未开展监督检查")]) == [
        ("problem", "对群众反映集中的问题缺乏集中回应"), ("problem", "对4家单位未开展监督检查")]
    text = "一是审计报告等如何公开     尚未作出明确规定；"  # romanisation residue blanked by the model view
    joined = got(text, [span(text, "审计报告等如何公开"), span(text, "尚未作出明确规定")])
    assert joined == [("problem", "审计报告等如何公开     尚未作出明确规定")]
    text = "二是我乡在信息公开的内容和形式上还不够丰富,工作人员不足。"
    assert got(text, [span(text, "的内容和形式上还不够丰富")]) == [("problem", "我乡在信息公开的内容和形式上还不够丰富")]
    text = "下一步,我们将加大业务知识培训学习,提高干部职工业务水平。"
    piece = "加大业务知识培训学习"
    assert got(text, [span(text, piece, "remedy")]) == [("remedy", piece)]  # the lead-in ends in 将: kept out
    text = "一是继续推进各个板块信息的更新数量,规范发布。"
    assert got(text, [span(text, "继续推进各个板块信息的更新", "remedy")]) == [("remedy", "继续推进各个板块信息的更新数量")]
    text = "信息更新不及时,部分栏目内容空白。"
    assert got(text, [span(text, "信息更新不及时"), span(text, "栏目内容空白")]) == [
        ("problem", "信息更新不及时"), ("problem", "部分栏目内容空白")]
    text = "信息更新不及时部分栏目内容空白。"  # no punctuation between: one clause, joined
    assert got(text, [span(text, "信息更新不及时"), span(text, "栏目内容空白")]) == [("problem", text[:-1])]
    text = "上级对年度工作要点提出了新的部署我办理解不够透彻。"  # a 7-character hole inside one clause
    assert got(text, [span(text, "上级对年度工作要点"), span(text, "我办理解不够透彻")]) == [("problem", text[:-1])]


def test_a_statement_that_overran_its_clause_hands_its_tail_on():
    """The model's span ran past a comma by a word that opens the next clause (…有待提升,主动 | 公开的信息…):
    the word goes to the next statement instead of the two being joined; a subject before 将 stays out."""
    from model.tagger import snap_to_clauses

    def span(text, piece, role="problem"):
        s = text.index(piece)
        return [role, s, s + len(piece), [(0, s)], [0.9], [[(0, s)]]]

    text = "一是主动公开政府信息的意识有待提升,主动   公开的信息内容不够丰富。"
    out = snap_to_clauses(text, [span(text, "主动公开政府信息的意识有待提升,主动"), span(text, "公开的信息内容不够丰富")])
    assert [text[s[1]:s[2]] for s in out] == ["主动公开政府信息的意识有待提升", "主动   公开的信息内容不够丰富"]
    text = "一是县卫生局将继续利用政务网站发布信息。"
    out = snap_to_clauses(text, [span(text, "将继续利用政务网站发布信息", "remedy")])
    assert [text[s[1]:s[2]] for s in out] == ["将继续利用政务网站发布信息"]
    text = "二要把栏目和发布信息做到规范和全面。"
    out = snap_to_clauses(text, [span(text, "要把栏目和发布信息做到规范和全面", "remedy")])
    assert [text[s[1]:s[2]] for s in out] == ["要把栏目和发布信息做到规范和全面"]  # the marker 二要 is not taken in


def test_work_point_items_are_other_not_remedies():
    """§3: items reporting how the year's 工作要点 were carried out are `other`; a plan stated there stays a
    remedy, 将 meaning 把 is no plan, and a problems or remedies heading after the cue ends its reach."""
    from model.tagger import reports_work_points

    text = ("2021年扎实落实政务公开工作要点，深化信息公开工作。一是进一步完善政务公开制度。"
            "二是将政务公开工作纳入工作考核体系。同时，本办将继续把政务公开纳入年度考核。")
    assert reports_work_points(text, text.index("进一步完善"))
    assert reports_work_points(text, text.index("将政务公开工作纳入"))
    assert not reports_work_points(text, text.index("继续把"))
    later = "对《2025年政务公开工作要点》未组织传达学习。针对上述问题，采取了以下措施：一是强化队伍建设。"
    assert not reports_work_points(later, later.index("强化队伍建设"))
    assert not reports_work_points("一是加强培训。", 2)

    from inference.statements import load_model

    tagger = load_model(None)
    roles = [s.role for s in tagger.predict([text[:text.index("同时")]])[0]]
    assert roles and "remedy" not in roles


def test_a_headed_items_body_read_as_other_takes_the_headlines_role():
    """B2: 一是扎实做好主动公开工作。突出抓好…: when the token head reads the body as `other`, it is still the
    headline's body (one remedy); without a headline, or across a line, an `other` piece stays apart."""
    from model.tagger import merge_within_items

    text = "一是扎实做好主动公开工作。突出抓好重点领域信息公开，回应群众诉求。\n二是加强培训。"
    spans = [_span(text, "扎实做好主动公开工作"), ("other",) + _span(text, "突出抓好重点领域信息公开，回应群众诉求")[1:],
             _span(text, "加强培训")]
    merged = merge_within_items(spans, text)
    assert [(r, text[c[0][0]:c[-1][1]]) for r, _, c, _, _ in merged] == [
        ("remedy", "扎实做好主动公开工作。突出抓好重点领域信息公开，回应群众诉求"), ("remedy", "加强培训")]
    plain = "扎实做好主动公开工作。突出抓好重点领域信息公开。"
    spans = [_span(plain, "扎实做好主动公开工作"), ("other",) + _span(plain, "突出抓好重点领域信息公开")[1:]]
    assert [r for r, *_ in merge_within_items(spans, plain)] == ["remedy", "other"]  # no item marker: no headline


def test_a_problem_and_its_cause_are_one_statement():
    """§7 / R-3: …数量较少，这主要是由于… and 由于人员不稳定，工作容易出现不连续 are one problem each; two
    shortcomings side by side stay two; a trailing 等 and a lead-in 还存在 are left out."""
    from model.tagger import snap_to_clauses, strip_closers, strip_openers

    def span(text, piece, role="problem"):
        s = text.index(piece)
        return [role, s, s + len(piece), [(0, s)], [0.9], [[(0, s)]]]

    def got(text, pieces):
        return [text[s[1]:s[2]] for s in snap_to_clauses(text, [span(text, p) for p in pieces])]

    text = "一是我局主动公开的文件类信息数量较少,这主要是由于业务专业性较强决定的。"
    assert got(text, ["我局主动公开的文件类信息数量较少", "由于业务专业性较强决定的"]) == [text[2:-1]]
    text = "二是由于乡镇人员不够稳定,政府信息公开工作容易出现不连续性。"
    assert got(text, ["由于乡镇人员不够稳定", "政府信息公开工作容易出现不连续性"]) == [text[2:-1]]
    text = "一是公开内容不够全面,更新不够及时。"
    assert got(text, ["公开内容不够全面", "更新不够及时"]) == ["公开内容不够全面", "更新不够及时"]
    text = "部分信息公开不够及时、公开内容服务性不强等"
    assert text[:strip_closers(text, 0, len(text))] == "部分信息公开不够及时、公开内容服务性不强"
    text = "还存在公开的信息不及时、不全面"
    assert text[strip_openers(text, 0, len(text)):] == "公开的信息不及时、不全面"


def test_a_closing_pledge_is_not_a_remedy():
    """B5 / R-7: a pledge, a bare principle or a framing with no content of its own is no statement; a real
    action or a named shortcoming stays."""
    from model.tagger import decoding_rules

    remedy, problem = decoding_rules()["_connective"]["remedy"], decoding_rules()["_connective"]["problem"]
    assert remedy.match("为创建服务型政府发挥更大的作用")
    assert remedy.match("努力提升信息公开工作的水平和层次")
    assert remedy.match("按照“公开为常态,不公开为例外”的原则")
    assert not remedy.match("推动村务公开常态化、规范化")
    assert not remedy.match("把政务公开工作作为建设法治政府的重要抓手，持续加力推进")
    assert not remedy.match("按照要求及时更新栏目")
    assert problem.match("与《条例》规定和公众的需求还存在一些差距")
    assert not problem.match("与群众需求相比，公开内容还不够丰富")
    # stop 20: promises to follow the rules / the 条例 / targets, or to raise disclosure work in general
    assert remedy.match("继续严格按照政府信息公开的各项要求和目标")
    assert remedy.match("全面落实《条例》有关规定")
    assert remedy.match("进一步提升政务信息公开水平")
    assert not remedy.match("严格执行“先审查、后公开”原则")  # a rule named by its content is a measure (R10)
    assert not remedy.match("落实信息发布时限要求")
    assert not remedy.match("提升信息公开工作质量")  # a named aspect is content
    assert problem.match("有些问题有待完善")
    assert not problem.match("信息公开的形式有待进一步创新")


def test_a_remedy_clause_list_is_cut_where_each_clause_opens_with_its_own_action():
    """R-3 for remedies: a clause opening with an improvement verb (an adverb may come first) opens its own action;
    a purpose (提高群众…知晓率, 确保…) or a means (通过…) does not."""
    import re

    from model.tagger import decoding_rules

    action = re.compile(decoding_rules()["parallel_clause"]["remedy"])
    assert action.search("规范发布信息的操作步骤") and action.search("进一步强化组织领导")
    assert action.search("积极完善公共服务功能") and action.search("拓宽交流互动渠道")
    assert not action.search("提高群众对政务信息公开的知晓率")
    assert not action.search("确保上网信息不涉密")
    assert not action.search("通过多种渠道进行宣传")


def test_an_item_opening_with_a_plan_verb_is_a_remedy():
    """§3: (二)继续扩大政府信息公开的透明度… is an improvement measure even when the token head reads it as
    `other`; a work report (全年公开信息300条) is not touched."""
    from model.tagger import decoding_rules

    plan = decoding_rules()["_plan_opening"]
    assert plan.match("继续扩大政府信息公开的透明度")
    assert plan.match("进一步完善信息发布审核机制")
    assert not plan.match("全年公开信息300条")
    assert not plan.match("继续教育学时已完成")


def test_a_consequence_or_a_singled_out_part_continues_its_statement():
    """B4 / R-3: …顾此失彼，导致信息未及时公开 is one problem; …内容，特别是要将新政策及时发布 is one remedy."""
    from model.tagger import snap_to_clauses

    def span(text, piece, role):
        s = text.index(piece)
        return [role, s, s + len(piece), [(0, s)], [0.9], [[(0, s)]]]

    text = "一是工作人员忙于日常事务,难免顾此失彼,导致信息未及时公开。"
    out = snap_to_clauses(text, [span(text, "工作人员忙于日常事务,难免顾此失彼", "problem"), span(text, "导致信息未及时公开", "problem")])
    assert [text[s[1]:s[2]] for s in out] == ["工作人员忙于日常事务,难免顾此失彼,导致信息未及时公开"]
    text = "二是不断充实公开的内容,特别是要将新出台的政策及时发布。"
    out = snap_to_clauses(text, [span(text, "不断充实公开的内容", "remedy"), span(text, "将新出台的政策及时发布", "remedy")])
    assert [text[s[1]:s[2]] for s in out] == ["不断充实公开的内容,特别是要将新出台的政策及时发布"]


def test_an_imperative_naming_no_shortcoming_is_not_a_problem():
    """§3: 加强制度建设。没有规矩，不成方圆 and 继续把…摆在重中之重的位置 are measures; 加强基础性管理方面有待提高
    names a shortcoming and stays a problem."""
    from model.tagger import decoding_rules

    opening, shortcoming = decoding_rules()["_remedy_opening"], decoding_rules()["_shortcoming"]

    def measure(text):
        return bool(opening.match(text)) and not shortcoming.search(text)

    assert measure("加强制度建设。没有规矩,不成方圆")
    assert measure("继续把政府信息公开摆在重中之重的位置")
    assert not measure("加强基础性日常管理、丰富政务公开方式和工作效率方面有待提高")
    assert not measure("信息更新不够及时")


def test_a_subjectless_shortcoming_continues_the_problem_before_it():
    """R-3: a clause with no subject of its own (…吸引力不够,不够生动易懂 / …,缺乏工作积极性) continues the problem
    before it; a bare list number before a clause (2由于…) is a marker, not content."""
    from model.tagger import snap_to_clauses

    def span(text, piece):
        s = text.index(piece)
        return ["problem", s, s + len(piece), [(0, s)], [0.9], [[(0, s)]]]

    text = "一是政策解读以文字为主,吸引力不够,不够生动易懂。"
    out = snap_to_clauses(text, [span(text, "政策解读以文字为主,吸引力不够"), span(text, "不够生动易懂")])
    assert [text[s[1]:s[2]] for s in out] == ["政策解读以文字为主,吸引力不够,不够生动易懂"]
    text = "。2由于乡镇人员不够稳定,工作容易出现不连续性。"
    out = snap_to_clauses(text, [span(text, "乡镇人员不够稳定,工作容易出现不连续性")])
    assert [text[s[1]:s[2]] for s in out] == ["由于乡镇人员不够稳定,工作容易出现不连续性"]


def test_confidence_is_platt_scaled_and_a_bad_map_is_refused_on_load(tmp_path):
    """training/calibrate.py stores Platt parameters; the tagger applies them exactly, still reads an older
    breakpoint curve, and refuses a malformed map when the model folder is loaded."""
    import json
    import math
    import shutil

    from inference.errors import ModelError
    from inference.statements import DEFAULT_MODEL_DIR, load_model
    from model.tagger import checked_calibration

    tagger = load_model(None)
    saved = tagger.calibration
    try:
        tagger.calibration = {"method": "platt", "a": 2.0, "b": -1.0}
        assert abs(tagger.confidence(0.5) - 1 / (1 + math.exp(1.0))) < 1e-9
        tagger.calibration = {"x": [0.0, 1.0], "y": [0.2, 0.8]}
        assert abs(tagger.confidence(0.5) - 0.5) < 1e-9
    finally:
        tagger.calibration = saved
    with pytest.raises(ValueError):
        checked_calibration({"method": "platt", "a": "2"})
    broken = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL_DIR, broken)
    (broken / "calibration.json").write_text(json.dumps({"x": [0.1]}), encoding="utf-8")
    with pytest.raises(ModelError):
        load_model(str(broken))


def test_a_finished_run_is_never_scored_on_the_test_sets(monkeypatch):
    """`nianbao train` reports real dev (its selection split) and the authored test split; the real test split
    and the seeds are left to `evaluate` / `promote`, so that choosing among runs cannot lean on them."""
    import training.evaluate as E
    from training.train import report_sets

    def page(name):
        return [{"text": name, "statements": []}]

    monkeypatch.setattr(E, "default_sets", lambda data=None, split="test", seeds_dir=None: {
        "real:test": page("test"), "seed_gold": page("seed"), "authored:test": page("authored")})
    dev = page("dev")
    sets = report_sets([], dev)
    assert list(sets) == ["real:dev", "authored:test"] and sets["real:dev"] is dev
    assert list(report_sets([], [])) == ["authored:test"]  # no page cache (CI)


def test_related_documents_have_their_own_repeat_in_the_training_epoch():
    from training.train import repeated_real

    pages = [{"id": "a", "layout": "one_section"}, {"id": "b", "layout": "related"}, {"id": "c", "layout": "unnumbered"}]
    ids = sorted(p["id"] for p in repeated_real(pages, 3, 1))
    assert ids == ["a", "a", "a", "b", "c", "c", "c"]
    assert [p["id"] for p in repeated_real(pages, 0, 2)] == ["b", "b"]
