// Accessibility checks run in the page by tests/browser/test_chat_page.py (no external
// libraries): evaluated as one expression, an object of functions returning problems found.
({
  // Every control, dialog and region has an accessible name (aria-labelledby, aria-label,
  // its <label>, its text or its title), as a screen reader would announce it.
  unnamed() {
    const text = (node) => (node ? node.textContent.replace(/\s+/g, " ").trim() : "");
    const name = (e) => {
      if (e.getAttribute("aria-labelledby")) {
        return e.getAttribute("aria-labelledby").split(/\s+/)
          .map((id) => text(document.getElementById(id))).join(" ").trim();
      }
      if (e.getAttribute("aria-label")) return e.getAttribute("aria-label").trim();
      if (e.labels && e.labels.length) return [...e.labels].map(text).join(" ").trim();
      if (["BUTTON", "A"].includes(e.tagName)) return text(e);
      return (e.getAttribute("title") || "").trim();
    };
    const selector = "button, a[href], input, select, textarea, dialog, [role=region], ul";
    return [...document.querySelectorAll(selector)]
      .filter((e) => e.tagName !== "UL" || e.closest(".sources"))
      .filter((e) => !name(e))
      .map((e) => e.outerHTML.slice(0, 120));
  },

  // WCAG 2.2 AA contrast: visible text 4.5:1 (3:1 when large) against its background, and the
  // borders that show where controls are 3:1.
  contrast() {
    const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
    const channel = (v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    const lum = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    const ratio = (a, b) => {
      const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
      return (x + 0.05) / (y + 0.05);
    };
    const background = (e) => {
      for (let n = e; n; n = n.parentElement) {
        const c = rgb(getComputedStyle(n).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const problems = [];
    const seen = new Set();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const e = walker.currentNode.parentElement;
      if (!walker.currentNode.textContent.trim() || seen.has(e)) continue;
      seen.add(e);
      if (!e.getClientRects().length) continue;
      if (e.closest(".visually-hidden, [hidden], dialog:not([open])")) continue;
      const style = getComputedStyle(e);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      const r = ratio(rgb(style.color).slice(0, 3), background(e));
      if (r < (large ? 3 : 4.5)) problems.push(`${e.tagName}.${e.className}: ${r.toFixed(2)}`);
    }
    const controls = [...document.querySelectorAll("button, select, textarea, .plan-exports a")]
      .filter((e) => e.getClientRects().length && !e.closest(".sources"));
    for (const e of controls) {
      const style = getComputedStyle(e);
      if (parseFloat(style.borderTopWidth) === 0) continue;
      const r = ratio(rgb(style.borderTopColor).slice(0, 3), background(e.parentElement));
      if (r < 3) problems.push(`border of ${e.tagName}#${e.id}: ${r.toFixed(2)}`);
    }
    return problems;
  },

  // Touch targets of at least 24 by 24 CSS pixels (WCAG 2.2 2.5.8), for what is on screen.
  smallTargets() {
    return [...document.querySelectorAll("button, a[href], select, textarea, input")]
      .filter((e) => e.getClientRects().length && !e.classList.contains("skip-link"))
      .map((e) => [e.textContent.trim() || e.id, e.getBoundingClientRect()])
      .filter(([, r]) => r.width < 24 || r.height < 24)
      .map(([name, r]) => `${name}: ${Math.round(r.width)}x${Math.round(r.height)}`);
  },
})
