"""The character n-gram category model (model/lexical.py): fit, predict, disk round trip, no pickle."""
from __future__ import annotations

import json

import numpy as np
import pytest

from model.lexical import VOCAB_FILE, WEIGHTS_FILE, LexicalCategoryModel, char_ngrams

CATS = ["P02", "P07", "R11"]
TEXTS = ["公开内容不够全面", "主动公开内容不够丰富", "公开的内容有待完善", "信息公开内容不全面",
         "公开形式比较单一", "公开渠道不够多样", "公开形式不够丰富", "公开载体形式单一",
         "加大宣传力度", "加强政策宣传", "及时回应群众关切", "加大宣传工作力度"]
LABELS = [["P02"]] * 4 + [["P07"]] * 4 + [["R11"]] * 4


@pytest.fixture(scope="module")
def fitted() -> LexicalCategoryModel:
    return LexicalCategoryModel(CATS, C=10.0, blend=0.3).fit(TEXTS, LABELS, min_df=1)


def test_char_ngrams_cover_one_to_three_characters():
    assert char_ngrams("公开 形式") == ["公", "开", " ", "形", "式", "公开", "开 ", " 形", "形式", "公开 ", "开 形", " 形式"]


def test_the_words_that_carry_a_category_decide_it(fitted):
    p = fitted.predict_proba(["公开内容还不够全面", "信息公开形式较为单一", "进一步加大宣传力度"])
    assert p.shape == (3, 3) and ((p >= 0) & (p <= 1)).all()
    assert [CATS[i] for i in p.argmax(1)] == ["P02", "P07", "R11"]


def test_round_trip_through_safetensors_and_json(fitted, tmp_path):
    fitted.save_pretrained(tmp_path)
    assert sorted(x.name for x in tmp_path.iterdir()) == sorted([WEIGHTS_FILE, VOCAB_FILE])
    assert tmp_path.joinpath(WEIGHTS_FILE).read_bytes()[8:9] == b"{"  # safetensors: u64 header length, JSON header
    back = LexicalCategoryModel.from_pretrained(tmp_path)
    assert back.blend == 0.3 and back.categories == CATS
    texts = ["公开形式不够丰富", "政府信息公开内容不全面", "没见过的句子"]
    # coef is stored as float16: probabilities agree to about 1e-3
    assert np.allclose(back.predict_proba(texts), fitted.predict_proba(texts), atol=2e-3)


def test_a_folder_without_a_lexical_model_gives_none(tmp_path):
    assert LexicalCategoryModel.from_pretrained(tmp_path) is None


def test_mismatched_arrays_are_refused(fitted, tmp_path):
    fitted.save_pretrained(tmp_path)
    meta = json.loads(tmp_path.joinpath(VOCAB_FILE).read_text(encoding="utf-8"))
    meta["ngrams"] = meta["ngrams"][:-1]
    tmp_path.joinpath(VOCAB_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match="shapes"):
        LexicalCategoryModel.from_pretrained(tmp_path)


def test_a_category_never_seen_in_training_is_never_predicted():
    m = LexicalCategoryModel(CATS + ["R12"]).fit(TEXTS, LABELS, min_df=1)
    assert (m.predict_proba(["向基层延伸公开"])[:, -1] < 1e-3).all()


def test_the_shipped_tagger_blends_only_categories(tmp_path):
    """Blend 1.0 is the BERT head alone; the lexical model never moves a statement's span or role."""
    from inference.statements import DEFAULT_MODEL_DIR
    from model.tagger import StatementTagger

    text = "存在的主要问题：一是公开内容不够全面，二是公开形式比较单一。下一步，我局将加大宣传力度，及时回应群众关切。"
    head = StatementTagger.from_pretrained(DEFAULT_MODEL_DIR, lexical=None).predict([text])[0]
    categories = StatementTagger.from_pretrained(DEFAULT_MODEL_DIR, lexical=None).categories
    with pytest.raises(ValueError, match="categories"):
        StatementTagger.from_pretrained(DEFAULT_MODEL_DIR, lexical=LexicalCategoryModel(CATS).fit(TEXTS, LABELS, min_df=1))
    lex = LexicalCategoryModel(categories).fit(TEXTS, LABELS, min_df=1)
    alone = StatementTagger.from_pretrained(DEFAULT_MODEL_DIR, lexical=lex, blend=1.0).predict([text])[0]
    mixed = StatementTagger.from_pretrained(DEFAULT_MODEL_DIR, lexical=lex, blend=0.0).predict([text])[0]
    assert [s.to_dict() for s in alone] == [s.to_dict() for s in head]
    assert [(s.start, s.end, s.role) for s in mixed] == [(s.start, s.end, s.role) for s in head]


def test_training_examples_come_from_statement_spans_through_the_model_view():
    """training/lexical.py reads problem/remedy spans (not 'other', not uncategorised) through the same
    simplified view the tagger predicts on, and fits one column per category."""
    from training.lexical import fit, statement_examples

    passages = [{"text": "存在問題：公開形式較為單一。下一步，加大宣傳力度。", "statements": [
        {"start": 5, "end": 13, "role": "problem", "categories": ["P07"]},
        {"start": 18, "end": 24, "role": "remedy", "categories": ["R11"]},
        {"start": 0, "end": 4, "role": "other", "categories": []}]}]
    texts, labels, weights = statement_examples(passages, weight=3.0)
    assert texts == ["公开形式较为单一", "加大宣传力度"] and labels == [["P07"], ["R11"]] and weights == [3.0, 3.0]
    authored = [{"text": t, "statements": [{"start": 0, "end": len(t), "role": "problem" if c[0] == "P" else "remedy",
                                            "categories": c}]} for t, c in zip(TEXTS, LABELS)]
    model = fit(CATS, authored, passages, C=4.0, real_weight=3.0, blend=0.4)
    assert model.categories == CATS and model.blend == 0.4 and model.coef.shape == (3, len(model.vocabulary))
    assert [CATS[i] for i in model.predict_proba(["公开形式单一", "加强宣传"]).argmax(1)] == ["P07", "R11"]


def test_nianbao_lexical_fits_new_labelled_passages_and_writes_a_model_folder(tmp_path, monkeypatch):
    """`nianbao lexical --data NEW.jsonl --out DIR`: the new passages join the fit, the chosen blend is saved,
    and the folder loads as a tagger with the lexical model. The real splits are stood in for by authored
    passages here (CI has no real page cache) and the grid is cut to one point to keep the test short."""
    import argparse
    import json as _json

    import training.lexical as L
    import training.real as real
    from inference.statements import DEFAULT_MODEL_DIR
    from model.tagger import StatementTagger
    from training.data import load_passages, repo_root, split_passages

    authored = split_passages(load_passages([repo_root() / "data" / "corpus" / "authored.jsonl"]))
    stand_in = {"train": authored["dev"][:6], "dev": authored["dev"][6:10], "test": authored["test"][:4]}
    asked = []
    monkeypatch.setattr(real, "load_real", lambda split=None, quiet=False: asked.append(split) or stand_in[split])
    monkeypatch.setattr(L, "GRID_C", (4.0,))
    monkeypatch.setattr(L, "GRID_REAL_WEIGHT", (5.0,))
    monkeypatch.setattr(L, "GRID_BLEND", (0.3,))
    import training.corpus as corpus

    seeds_read = []
    monkeypatch.setattr(corpus, "load_gold", lambda *a, **k: seeds_read.append(a) or [])
    fitted = []
    real_fit = L.fit
    monkeypatch.setattr(L, "fit", lambda cats, a, r, *rest: fitted.append(len(r)) or real_fit(cats, a, r, *rest))
    new = tmp_path / "new.jsonl"
    new.write_text("".join(_json.dumps({k: v for k, v in p.items() if k != "split"} | {"source": "复核导出"},
                                       ensure_ascii=False) + "\n"
                           for p in authored["test"][4:7]), encoding="utf-8")
    out = tmp_path / "model"
    assert L.run(argparse.Namespace(model=str(DEFAULT_MODEL_DIR), out=str(out), data=[str(new)])) == 0
    assert fitted and all(n == 6 + 3 for n in fitted)  # the real train stand-in and the three new passages
    report = _json.loads((out / "lexical_selection.json").read_text(encoding="utf-8"))
    assert report["chosen"] == {"C": 4.0, "real_weight": 5.0, "blend": 0.3}
    assert "test" not in asked and "real:test" not in report  # the test sets are promote's to look at
    assert not seeds_read and "seed_gold" not in report
    tagger = StatementTagger.from_pretrained(out)
    assert tagger.lexical is not None and tagger.blend == 0.3


def test_lexical_choice_takes_the_best_real_dev_score_and_breaks_ties_towards_the_bert_head():
    from training.lexical import choose

    rows = [(1.91, 16.0, 20.0, 0.5), (1.90, 4.0, 20.0, 0.35), (1.80, 4.0, 5.0, 0.2)]
    assert choose(rows)[1:4] == (16.0, 20.0, 0.5)
    assert choose([(1.9, 4.0, 5.0, 0.2), (1.9, 4.0, 5.0, 0.35)])[3] == 0.35  # tie: more BERT head


def test_parallel_shortcomings_in_one_clause_list_are_split():
    """R-3 on real text: two comma-joined clauses that each end in their own shortcoming and whose words point
    to different categories are two statements (model/decoding.json parallel_clause); without the rule the
    shipped model keeps this list as one statement."""
    from inference.statements import DEFAULT_MODEL_DIR
    from model.tagger import StatementTagger, decoding_rules

    text = "存在的问题:一是公开内容不够全面,公开形式不够丰富;二是工作人员业务能力有待提高。"
    tagger = StatementTagger.from_pretrained(DEFAULT_MODEL_DIR)
    split = [(text[s.start:s.end], s.categories) for s in tagger.predict([text])[0]]
    assert split[:2] == [("公开内容不够全面", ["P02"]), ("公开形式不够丰富", ["P07"])]
    rules = decoding_rules()
    saved = rules.pop("parallel_clause")
    try:
        joined = [text[s.start:s.end] for s in tagger.predict([text])[0]]
    finally:
        rules["parallel_clause"] = saved
    assert joined[0] == "公开内容不够全面,公开形式不够丰富"


def test_training_examples_read_statements_with_glosses_cut_out_as_the_tagger_does():
    from training.lexical import statement_examples

    text = "公開內(nèi)容不夠全面"
    texts, _, _ = statement_examples([{"text": text, "statements": [
        {"start": 0, "end": len(text), "role": "problem", "categories": ["P02"]}]}])
    assert texts == ["公开内容不够全面"]
