"""Synthetic clause-list passages (training/clause_lists.py): valid records, one statement per clause, lead-ins
and closing 等问题 outside every span, remedies planned (guideline R-3, B5, R-4)."""
from training.clause_lists import clause_list_passages, load_clauses
from training.corpus import validate_record


def test_passages_are_valid_project_records():
    passages = clause_list_passages(60, seed=5)
    assert len(passages) == 60
    assert len({p["id"] for p in passages}) == 60
    for p in passages:
        assert validate_record(p, "clause_lists", 0) == []


def test_every_statement_is_one_clause_of_its_category():
    bank = load_clauses()
    elaborations = {r: bank["elaboration"][r] for r in ("problem", "remedy")}
    lead_ins = {x for r in ("problem", "remedy") for x in bank["lead_in"][r] if x}
    for p in clause_list_passages(80, seed=7):
        text = p["text"]
        ends = []
        for s in p["statements"]:
            piece = text[s["start"]:s["end"]]
            (cat,) = s["categories"]
            clauses = bank[s["role"]][cat]
            assert any(piece == c or any(piece.startswith(c) and piece.endswith(e) for e in elaborations[s["role"]])
                       for c in clauses), piece
            assert not any(piece.startswith(x) for x in lead_ins)
            assert "等问题" not in piece
            assert s["status"] == ("planned" if s["role"] == "remedy" else None)
            ends.append((s["start"], s["end"]))
        assert ends == sorted(ends) and all(a[1] < b[0] for a, b in zip(ends, ends[1:]))  # a separator between clauses


def test_same_seed_same_passages():
    assert clause_list_passages(10, seed=3) == clause_list_passages(10, seed=3)
    assert clause_list_passages(10, seed=3) != clause_list_passages(10, seed=4)
