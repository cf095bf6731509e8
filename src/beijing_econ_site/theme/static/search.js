// The search page: asks Pagefind's index (built with the site, under pagefind/) and lists the
// results as links to each figure's row. Results are built from text, never from markup.
const root = new URL("../", document.baseURI);
const form = document.getElementById("search-form");
const input = document.getElementById("search-query");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const MAX_RESULTS = 20;
const KINDS = ["Figure", "Indicator", "Source", "Story"];
let pagefind = null;
let asked = 0;

async function engine() {
  if (!pagefind) {
    pagefind = await import(new URL("pagefind/pagefind.js", root).href);
  }
  return pagefind;
}

// The excerpt as text, with Pagefind's <mark> around the words found, and nothing else kept.
function excerpt(html) {
  const parsed = new DOMParser().parseFromString(html, "text/html").body;
  const out = document.createElement("p");
  out.className = "search-excerpt";
  for (const node of parsed.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      out.append(mark);
    } else {
      out.append(document.createTextNode(node.textContent));
    }
  }
  return out;
}

// A section's anchor holds its record: "r" and base64url of [address, kind, source].
function record(anchor) {
  const base64 = anchor.slice(1).replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const [url, kind, source] = JSON.parse(new TextDecoder().decode(bytes));
  return { url, kind, source };
}

// Pagefind finds pages of records; each record found is one of the page's sub-results.
function hits(pages) {
  const found = [];
  for (const page of pages) {
    for (const sub of page.sub_results) {
      const anchor = sub.url.split("#")[1] || "";
      if (!anchor.startsWith("r")) continue;
      const weights = (sub.weighted_locations || []).reduce((sum, at) => sum + at.weight, 0);
      // the heading ends in a full stop of its own (search.py, records_page), not the title's
      found.push({ ...record(anchor), title: sub.title.replace(/\.$/, ""), excerpt: sub.excerpt, score: weights || sub.locations.length });
    }
  }
  // figures first (what a reader searches for), then indicators, sources and stories; within
  // each, the sections where the words weigh most (a title counts more than the text)
  const rank = (hit) => KINDS.indexOf(hit.kind);
  return found.sort((a, b) => rank(a) - rank(b) || b.score - a.score);
}

function item(hit) {
  const li = document.createElement("li");
  const link = document.createElement("a");
  link.href = new URL(hit.url, root).href;
  link.textContent = hit.title;
  const kind = document.createElement("span");
  kind.className = "search-kind";
  kind.textContent = hit.kind + (hit.source ? " · " + hit.source : "");
  li.append(link, " ", kind, excerpt(hit.excerpt));
  return li;
}

async function search(query) {
  const mine = ++asked;
  const words = query.trim();
  if (!words) {
    list.replaceChildren();
    status.textContent = "";
    return;
  }
  status.textContent = "Searching…";
  let found;
  try {
    found = await (await engine()).search(words);
  } catch (error) {
    status.textContent = "Search is not available: its index could not be loaded.";
    return;
  }
  const pages = await Promise.all(found.results.map((r) => r.data()));
  if (mine !== asked) return; // a newer query has been typed
  const all = hits(pages);
  list.replaceChildren(...all.slice(0, MAX_RESULTS).map(item));
  const count = all.length;
  status.textContent = count === 0 ? `Nothing found for “${words}”.`
    : `${count} result${count === 1 ? "" : "s"} for “${words}”` + (count > MAX_RESULTS ? `, the first ${MAX_RESULTS} shown.` : ".");
}

let timer = 0;
input.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(() => {
    const url = new URL(location.href);
    url.searchParams.set("q", input.value);
    history.replaceState(null, "", url);
    search(input.value);
  }, 150);
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  search(input.value);
});
const initial = new URLSearchParams(location.search).get("q") || "";
if (initial) {
  input.value = initial;
  search(initial);
}
