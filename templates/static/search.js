// The search page: asks Pagefind's index (built with the site, under pagefind/) and lists the
// results as links to each figure's row. Results are built from text, never from markup.
const root = new URL("../", document.baseURI);
const form = document.getElementById("search-form");
const input = document.getElementById("search-query");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const MAX_RESULTS = 20;
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

function item(data) {
  const li = document.createElement("li");
  const link = document.createElement("a");
  link.href = new URL(data.meta.url, root).href;
  link.textContent = data.meta.title;
  const kind = document.createElement("span");
  kind.className = "search-kind";
  kind.textContent = data.meta.kind + (data.meta.source ? " · " + data.meta.source : "");
  li.append(link, " ", kind, excerpt(data.excerpt));
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
  const shown = await Promise.all(found.results.slice(0, MAX_RESULTS).map((r) => r.data()));
  if (mine !== asked) return; // a newer query has been typed
  list.replaceChildren(...shown.map(item));
  const count = found.results.length;
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
