// The site's charts: Vega-Lite specs (kb/site/vega.py) drawn by vega-embed. The interpreter evaluates
// Vega expressions without eval, so the pages' Content-Security-Policy needs no 'unsafe-eval'.
import * as vega from "vega";
import * as vegaLite from "vega-lite";
import vegaEmbed from "vega-embed";
import { expressionInterpreter } from "vega-interpreter";

window.kbVega = { vega, vegaLite, vegaEmbed, expressionInterpreter };
