"""Import Epoch AI's database of AI models ("Data on AI Models") as claims, and check every row.

    kb import epoch all_ml_systems_2025-08.csv --chips chips.csv [--prices hardware_prices.csv]

Each row becomes ordinary claims (parameters, training compute, training data set size, epochs,
hardware and its quantity, training time, utilization, cost, batch size, chip-hours) with the
checks the row's own numbers allow:

- training compute ≤ chips × the fastest peak FLOP/s at the row's number format × training time
  (utilization ≤ 100%: a physical bound), and = × the row's own utilization where it gives one;
- training compute vs 6 · parameters · tokens · epochs, written by sixnd only where the row
  says what it needs (what its data set size counts, how many passes; a mixture-of-experts model
  gets a bound, blank epochs and geometric means no relation);
- the parameter count of the 6·N·D product the compute notes write (when it gives the compute
  cell) vs the parameters cell, as a claim of the row quoting its notes;
- chip-hours vs chips × training time; cost vs chip-hours × a committed-use cloud price.

The laws (claims/laws.yaml) add what they cover by themselves (fine-tune compute ≤ training
compute, utilization ≤ 100%).

**Modules**, one job each: `table` reads the CSV files (rows, line numbers, unreadable records),
`columns` says what each column means per release, `cells` reads a cell's number (or says why
not) and makes ids, `notes` reads facts from the notes, `products` the 6·N·D products the notes
write out, `scale` a scale slip of the parameters cell, `context` finds the assumptions in the
knowledge base; `rows` says what a row gives (numbers, quotes, ids, excerpt group), `claims` makes
its claims, `checks` writes its checks (`sixnd` the 6·N·D relations, `hardware` compute vs the
chips' peak), `chips` and `prices` make the reference claims of the chip and price tables;
`sources` builds the files in memory, `output` writes them (YAML, excerpts, manifest), `job` runs
the import; `report` is what an import did, `audit` what the audit page is told.

**Citations.** The whole CSV is archived as the release's source (byte for byte, so its sha256 is
the published file's). Claims do not quote it, though: the engine folds and scans a source per
quote, which for a 4 MB text costs about 0.8 s plus 1.2 ms per quote (measured), some 15 s for a
full import. They quote excerpts instead: for the models published in one year (a quarter or a
month in busy years), the cells kb reads, one per line as ``Model | Column: cell`` with each cell byte for
byte. A value's quote is its line (``GPT-3 175B (davinci) | Parameters: 175000000000.0``), so the
value is among the quote's numbers, the quote names the model and the column, and it occurs once;
the notes cell of the column is the second citation. Excerpts are grouped, not one per row,
because every source is a file the engine reads on each run: 1,600 of them cost more than the
6,000 claims they support. For the same reason the claims of a group share one file
(`<into>/models-2023-q3.yaml`, a comment naming each row): per-model files cost about 0.16 ms
each on every `kb check`, a quarter of a second for the full data set.

**Values.** The CSV is a float export ("70000000000.0", "1.0"): its digits say little about
precision, while kb reads every digit written as significant. So whole numbers with three or more
trailing zeros take a scale word with at least three significant digits (70.0 billion parameter:
69.95 to 70.05 billion; 1.00 thousand chip), larger ones an exponent (1.70e17 FLOP); ".0" is kept
on small numbers (1.0 epoch, not 1, which would mean 0.5 to 1.5); float artefacts
("5.400000000000001e+21") are rounded to 12 significant digits. The value still equals the
number of its quote. Ranges ("1e23-3e23"), "~", thousands separators and footnote marks are read;
anything else is reported with its row, line and reason.

**Columns** are matched by the exact names releases have used (columns.py): an unknown
column, a missing one and a name that fixes a unit are reported, and a missing column's claims
and checks are skipped.

Re-importing writes only the files whose bytes changed and removes the files the previous import
wrote that this one no longer produces (listed with their sha256 in `<into>/.import-manifest.json`):
only regular files inside the import folders whose bytes are still those it wrote; nothing else is
touched, whatever a committed manifest lists.
"""

from kb.importers.epoch.cells import CellError, Number, read_cell, slugify
from kb.importers.epoch.job import import_epoch
from kb.importers.epoch.output import MANIFEST, QUANTITIES_EPOCH, quantities_text
from kb.importers.epoch.report import ImportReport, RowProblem, SkippedCheck, read_report

__all__ = [
    "MANIFEST",
    "import_epoch",
    "read_report",
    "read_cell",
    "ImportReport",
    "RowProblem",
    "SkippedCheck",
    "Number",
    "CellError",
    "slugify",
    "QUANTITIES_EPOCH",
    "quantities_text",
]
