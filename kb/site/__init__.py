"""The static site: `kb build` writes it, `kb serve` previews it.

The pipeline (Pelican style), one module per step:
- gather (kb.site.build.gather): load the claims folder and check everything;
- resolve (kb.site.context): the page context, claims by subject, quantity and source, and the
  reverse dependencies (what rests on each claim);
- plan (kb.site.pages): every page as plain data (path, template, context), and every chart;
- render (kb.site.writer): one writer, Jinja2 with autoescape, templates compiled once;
  charts (kb.site.charts) are drawn with matplotlib as SVG, named by content hash;
- index (kb.site.search): pagefind over the rendered pages;
- swap (kb.site.build.swap): the temporary folder replaces the previous site in one step.

Templates are in kb/templates/, CSS and JavaScript in kb/static/: nothing is loaded from elsewhere.
"""
