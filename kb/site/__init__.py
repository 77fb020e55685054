"""The static site: `kb build` writes it, `kb serve` previews it.

The pipeline (Pelican style), one module per step:
- gather (kb.contents.load, kb.checks.run; called by kb.site.build): load the claims folder and
  check everything;
- resolve (kb.site.resolve, into the typed context of kb.site.context): the page context, claims
  by subject, quantity and source, and the reverse dependencies (what rests on each claim);
  kb.site.protection says, beside it, which slips of each claim would be caught;
- plan (kb.site.pages): every page as plain data (path, template, context), and every chart;
- render (kb.site.writer): one writer, Jinja2 with autoescape, templates compiled once;
  charts (kb.site.charts) are drawn with matplotlib as SVG, named by content hash;
- index (kb.site.search): pagefind over a small search record of each page;
- place (kb.site.place): a cold build's folder replaces the previous site in one step; a rebuild
  of a few pages updates it in place, file by file, each file renamed over its old version.

Templates are in kb/templates/, CSS and JavaScript in kb/static/: nothing is loaded from elsewhere.
"""
