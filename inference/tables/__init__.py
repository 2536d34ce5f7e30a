"""Read tables 2, 3 and 4 of a report, from every layout, into `Table` / `Cell`.

One design for all layouts:

1. Locate each table's region: `report.sections` 2/3/4 when present, else the table headings
   (a short line "二、主动公开政府信息情况" ...), else anchor labels ("第二十条第(一)项", "申请人情况" ...).
2. Turn the region into *pieces* (text fragments with offsets into `report.text`):
   - grid (`report.raw_tables`): one piece per non-spanned cell, a row break per grid row;
   - pipe (`a |` per line, or `a | b | c |` per row): one piece per `|`-separated cell; runs of
     pipes at the end of a line are colspan padding and are dropped;
   - cell_per_line (tab layout): a tab starts a cell, a line without a leading tab continues the
     previous cell, a blank line is a row break;
   - plain lines (run-together layout, `规章000`): one piece per line.
3. Each piece is read left to right: row labels, group labels and header words are matched on a
   key (NFKC, no whitespace/punctuation) in the expected row order; what follows the labels is a
   value tail, split into *items* (number, blank marker, junk). Items belong to the open row.
4. One shared assigner maps a row's items onto its expected columns: exact count -> positions
   known; glued digit runs (plain lines only) -> every split into the right number of cells;
   fewer explicit cells than columns -> every order-preserving placement. When more than one
   candidate is left, the table's arithmetic relations (from data/table_labels.json) filter them;
   if still more than one, the row is `ambiguous` and nothing is guessed.

Seed 002 (blank cells dropped by the scraper, e.g. `一、本年新收… |` `4 |` `4 | |||||||`): the
padding tells how many cells the row had, but not which ones were dropped. A row such as (4, 4)
fits "natural person 4, total 4" as well as "research 4, total 4" or (with blanks not being 0)
any other placement. The relations cannot help: every relation is symmetric in the six applicant
columns, so permuting those columns maps a consistent table onto another consistent one; and with
blanks unknown (never 0) a row relation over a row with a dropped cell is never evaluable. So such
rows are `ambiguous` (raw values and their offsets are kept, and a Chinese note says what was
seen). What *is* knowable: a row whose cells were all dropped is entirely blank, and the values in
complete rows (table 2, table 4) are exact.

One module per step: `regions` (1), `layouts` (2: registered text layouts and markup grids), `read` and
`labels` (3), `assign` (4), `build` (Tables and notes), with `config` (data/table_labels.json) and `text`.
"""
from __future__ import annotations

from inference.tables.build import extract_tables
from inference.tables.config import load_config
from inference.tables.text import simple_norm

__all__ = ["extract_tables", "load_config", "simple_norm"]
