"""The briefing page's template. Kept in a module, not a package data file, so it ships with the code in any
install. Self-contained: inline CSS and JS (STYLE, SCRIPT), no fonts or scripts from the network, and
`html_page`'s Content-Security-Policy, which allows only those two, by hash. Rendered with autoescape on:
every value from articles, records and model output is escaped.

Layout: the briefing on the left; the source articles on the right, in their own scrolling pane. Clicking
a timeline entry, a claim or a citation highlights the sentences it cites and scrolls them into view;
clicking an entry number in the lead or a claim does the same for that entry."""

from summarizer.io.html_page import HEAD

STYLE = """
:root { --ink: #1d1d1f; --muted: #666; --line: #e2e2e6; --mark: #fff6cc; --active: #ffd24d; --accent: #2f6fde; }
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f6f6f8; }
.layout { display: grid; grid-template-columns: minmax(0, 1.1fr) minmax(0, 1fr); height: 100vh; }
main { padding: 20px 28px 60px; height: 100vh; overflow-y: auto; }
aside { height: 100vh; overflow-y: auto; background: #fff; border-left: 1px solid var(--line); padding: 16px 22px 60px; }
@media (max-width: 900px) { .layout { grid-template-columns: 1fr; height: auto; } main, aside { height: auto; overflow: visible; } aside { border-left: 0; border-top: 1px solid var(--line); } }
h1 { font-size: 22px; line-height: 1.25; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 6px; }
h3 { font-size: 13px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin: 22px 0 6px; }
h4 { font-size: 14px; margin: 12px 0 4px; }
.meta { color: var(--muted); font-size: 12px; }
.warning { background: #fff4e0; border-left: 4px solid #e08a00; padding: 6px 10px; margin: 10px 0; }
.lead { font-size: 15px; line-height: 1.6; margin: 12px 0 4px; }
a.ref { font-size: 11px; color: var(--accent); text-decoration: none; border: 1px solid #cddcf7; border-radius: 3px; padding: 0 3px; margin-left: 2px; white-space: nowrap; cursor: pointer; }
a.ref:hover { background: #eaf1fd; }
ol.timeline, ul.claims { list-style: none; margin: 0; padding: 0; }
.entry, .claim { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; margin: 5px 0; cursor: pointer; }
.entry:hover, .claim:hover { border-color: #b9c9ea; }
.entry.active, .claim.active { border-color: var(--accent); box-shadow: 0 0 0 2px #cddcf7; }
.entry .when { font-weight: 600; font-variant-numeric: tabular-nums; margin-right: 6px; }
.entry .id { color: var(--muted); font-size: 12px; margin-right: 6px; }
.tag { display: inline-block; font-size: 11px; background: #eef0f4; border-radius: 3px; padding: 0 5px; margin-right: 4px; color: #444; }
.tag.status { background: #fde7ea; color: #a0001c; }
.cites { display: block; margin-top: 2px; }
.stance { font-weight: 600; margin-right: 4px; }
q { color: #444; font-style: italic; }
table.entities { border-collapse: collapse; background: #fff; width: 100%; }
table.entities td, table.entities th { border: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; font-size: 13px; }
.source { margin-bottom: 28px; }
.source h2 { font-size: 16px; margin: 6px 0 2px; }
.text { white-space: pre-wrap; line-height: 1.6; }
.s.cited { background: var(--mark); border-radius: 2px; cursor: help; }
.legend { font-size: 12px; color: var(--muted); margin: 0 0 10px; }
.swatch { padding: 0 3px; border-radius: 2px; } .swatch.cited { background: var(--mark); } .swatch.picked { background: var(--active); }
.s.active { background: var(--active); outline: 2px solid #e0a800; border-radius: 2px; }
.gap { color: var(--muted); }
"""

SCRIPT = """
(function () {
  "use strict";
  function clear() {
    document.querySelectorAll(".active").forEach(function (el) { el.classList.remove("active"); });
  }
  function show(ids, origin) {
    clear();
    var first = null;
    ids.forEach(function (id) {
      var el = document.getElementById(id);
      if (el) { el.classList.add("active"); first = first || el; }
    });
    if (origin) { origin.classList.add("active"); }
    if (first) { first.scrollIntoView({ block: "center" }); }
  }
  function ids(el) {
    return (el.getAttribute("data-targets") || "").split(" ").filter(Boolean);
  }
  function activate(target) {
    var ref = target.closest("[data-entry]");
    if (ref) {
      var entry = document.getElementById(ref.getAttribute("data-entry"));
      if (entry) { entry.scrollIntoView({ block: "nearest" }); show(ids(entry), entry); }
      return true;
    }
    var item = target.closest("[data-targets]");
    if (item) {
      show(ids(item), item.closest(".entry, .claim") || item);
      return true;
    }
    return false;
  }
  document.addEventListener("click", function (ev) {
    if (activate(ev.target)) { ev.preventDefault(); }
  });
  document.addEventListener("keydown", function (ev) {
    if ((ev.key === "Enter" || ev.key === " ") && ev.target.matches(".entry, .claim")) {
      ev.preventDefault();
      activate(ev.target);
    }
  });
})();
"""

HTML_TEMPLATE = HEAD + """<title>{{ b.title }}</title>
<style>{{ style }}</style>
</head>
<body>
<div class="layout">
<main>
<h1>{{ b.title }}</h1>
<div class="meta">{{ b.sources|length }} article{{ "s" if b.sources|length != 1 }}{% if span %} · {{ span }}{% endif %}</div>
{% for w in b.warnings %}
<p class="warning">{{ w }}</p>
{% endfor %}
{% for story in b.stories %}
<section class="story" id="{{ story.id }}">
{% if several %}
<h2>Story {{ loop.index }}: {{ story.headline }}</h2>
<div class="meta">sources {% for n in story.sources %}<a class="ref" href="#a{{ n }}">[{{ n }}]</a>{% endfor %}{% if spans[story.id] %} · {{ spans[story.id] }}{% endif %}</div>
{% endif %}
{% if story.lead.sentences %}
<p class="lead">{% for s in story.lead.sentences %}<span class="lead-sentence">{{ s.text }}</span>{% for t in s.entries %}<a class="ref" href="#{{ t }}" data-entry="{{ t }}">{{ t }}</a>{% endfor %} {% endfor %}</p>
<div class="meta">{{ lead_line(story.lead) }}</div>
{% elif story.lead.note %}
<p class="meta">{{ story.lead.note }}</p>
{% endif %}
<h3>Timeline</h3>
<ol class="timeline">
{% for e in story.timeline %}
<li class="entry" id="{{ e.id }}" tabindex="0" data-targets="{{ targets(e.citations) }}">
<span class="when">{{ date_label(e.date) }}</span><span class="id">{{ e.id }}</span><span class="tag">{{ e.type.value }}</span>{% if e.status.value != "occurred" %}<span class="tag status">{{ e.status.value }}</span>{% endif %}
<span class="desc">{{ e.description }}</span>
<span class="cites">{% for c in e.citations %}<a class="ref" href="#{{ sentence_id(c.source, c.sentences[0]) if c.sentences else 'a' ~ c.source }}" data-targets="{{ targets([c]) }}">[{{ c.source }}] {% for n in c.sentences %}S{{ n }}{{ ", " if not loop.last }}{% endfor %}</a>{% endfor %}</span>
</li>
{% else %}
<li class="meta">no events reported</li>
{% endfor %}
</ol>
<h3>Who said what</h3>
{% for g in story.claims %}
<div class="group">
<h4>{{ g.label }}</h4>
<ul class="claims">
{% for c in g.claims %}
<li class="claim" tabindex="0" data-targets="{{ targets(c.citations) }}"><span class="stance">{{ c.stance.value }}</span> {{ c.claim }}{% if c.quote %} <q>{{ c.quote }}</q>{% endif %}
<span class="cites">{% if c.entries %}about {% for t in c.entries %}<a class="ref" href="#{{ t }}" data-entry="{{ t }}">{{ t }}</a>{% endfor %} · {% endif %}{% for x in c.citations %}<a class="ref" href="#{{ sentence_id(x.source, x.sentences[0]) if x.sentences else 'a' ~ x.source }}" data-targets="{{ targets([x]) }}">[{{ x.source }}] {% for n in x.sentences %}S{{ n }}{{ ", " if not loop.last }}{% endfor %}</a>{% endfor %}</span></li>
{% endfor %}
</ul>
</div>
{% else %}
<p class="meta">no attributed claims</p>
{% endfor %}
<h3>Entities</h3>
<table class="entities">
<tr><th>name</th><th>type</th><th>also written</th><th>sources</th></tr>
{% for en in story.entities %}
<tr><td>{{ en.name }}</td><td>{{ en.type.value }}</td><td>{{ en.aliases|join(", ") }}</td><td>{% for n in en.sources %}<a class="ref" href="#a{{ n }}">[{{ n }}]</a>{% endfor %}</td></tr>
{% endfor %}
</table>
</section>
{% endfor %}
{% if b.skipped %}
<h3>Skipped</h3>
<ul>
{% for s in b.skipped %}
<li><b>{{ s.source }}</b>: {{ s.reason }}</li>
{% endfor %}
</ul>
{% endif %}
</main>
<aside id="sources">
<h3>Sources</h3>
<p class="legend"><span class="swatch cited">cited by the briefing</span> <span class="swatch picked">what you clicked</span> · click a timeline entry, a claim or a citation to see its sentences</p>
{% for src in b.sources %}
<article class="source" id="a{{ src.n }}">
<h2>[{{ src.n }}] {{ src.title or src.headline or src.id }}</h2>
<div class="meta">{% if src.published %}published {{ src.published }}{% else %}publication date unknown{% endif %} · {{ src.id }}{% if src.origin %} · {{ src.origin }}{% endif %}{% if src.url %} · {{ src.url }}{% endif %}</div>
{% if src.text is none %}<p class="meta">The article text is not available: only the cited sentences are shown.</p>{% endif %}
<div class="text">{% for seg in texts[src.n] %}{% if seg.n %}<span class="s{{ ' cited' if seg.cited_by }}" id="{{ sentence_id(src.n, seg.n) }}"{% if seg.cited_by %} title="S{{ seg.n }} cited by {{ seg.cited_by|join('; ') }}"{% endif %}>{{ seg.text }}</span>{% elif src.text is none %}<span class="gap">{{ seg.text }}</span>{% else %}{{ seg.text }}{% endif %}{% endfor %}</div>
</article>
{% endfor %}
</aside>
</div>
<script>{{ script }}</script>
</body>
</html>
"""
