"""Importers: public data sets turned into ordinary claims, sources and checks under claims/.

An importer reads a data set, writes YAML that `kb check` reads like any hand-written claim, and
reports every row or cell it could not read (with the row number and the reason) instead of
dropping it. Writing is deterministic (ids from the data, never from the order of rows or the
clock) and atomic (a temporary file, then os.replace), so importing a newer release updates the
claims in place and an interrupted import leaves every file whole.
"""

REPORT = ".import-report.json"
"""The report an importer writes in its folder; its "audit" key describes the audit page (the
site reads that description and never imports an importer)."""
