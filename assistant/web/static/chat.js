"use strict";
// The chat page: POST /api/chat, the conversation restored from the server after a reload,
// sources opened in a panel with the passage relied on highlighted, timescales and plan cards.
// No external scripts or fonts, so it works offline. Text from the server only ever reaches
// the page through textContent and DOM nodes, never innerHTML.
(function () {
  const $ = function (id) { return document.getElementById(id); };
  const log = $("log");
  const empty = $("empty");
  const form = $("composer");
  const input = $("message");
  const picker = $("authority");
  const status = $("status");
  const announcer = $("announcer");
  const layout = $("layout");
  const planPanel = $("plan");
  const dialog = $("citation");
  const KEYS = { conversation: "conversationId", authority: "authority", plan: "planId", learner: "learnerId" };
  const authorityNames = {};

  function newConversationId() {
    const id = "web-" + (crypto.randomUUID ? crypto.randomUUID()
      : String(Date.now()) + Math.random().toString(16).slice(2));
    localStorage.setItem(KEYS.conversation, id);
    return id;
  }
  let conversationId = localStorage.getItem(KEYS.conversation) || newConversationId();
  // The same worker across conversations (learning progress); "New conversation" keeps it.
  const learnerId = localStorage.getItem(KEYS.learner) || ("learner-" + (crypto.randomUUID
    ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2)));
  localStorage.setItem(KEYS.learner, learnerId);

  function element(tag, text, cls) {
    const node = document.createElement(tag);
    if (text) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function button(text, onClick, cls) {
    const b = element("button", text, cls);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  function updateEmpty() { empty.hidden = log.children.length > 0; }

  // New messages are read out by screen readers from the announcer, not from the log.
  function announce(texts) {
    announcer.replaceChildren();
    window.setTimeout(function () {
      texts.forEach(function (t) { announcer.appendChild(element("p", t)); });
    }, 50);
  }

  function bubble(who, text, cls) {
    const li = element("li", null, cls);
    li.appendChild(element("span", who, "visually-hidden"));
    li.appendChild(element("p", text, "text"));
    return li;
  }

  function workerBubble(text) { return bubble("You said: ", text, "mine"); }

  function authorityName(id) { return authorityNames[id] || id; }

  // One assistant message: its text, quick replies, sources and cards.
  function assistantBubble(message) {
    const li = bubble("Assistant: ", message.text || "", "bot");
    if (message.buttons && message.buttons.length) {
      const row = element("div", null, "buttons");
      message.buttons.forEach(function (b) {
        row.appendChild(button(b.title, async function () {
          await send(b.payload, b.title, true);
          input.focus();
        }));
      });
      li.appendChild(row);
    }
    if (message.citations && message.citations.length) {
      const sources = element("div", null, "sources");
      const heading = element("p", "Sources — read the procedure text:", "sources-title");
      heading.id = "sources-" + Math.random().toString(36).slice(2);
      const list = element("ul");
      list.setAttribute("aria-labelledby", heading.id);
      message.citations.forEach(function (c) {
        const item = element("li");
        const label = authorityName(c.authority) + " — " + c.title + " (" + c.source_version + ")";
        const open = button(label, function () { openCitation(c, open); });
        open.setAttribute("aria-haspopup", "dialog");
        item.appendChild(open);
        list.appendChild(item);
      });
      sources.appendChild(heading);
      sources.appendChild(list);
      li.appendChild(sources);
    }
    if (message.timescales) li.appendChild(timescalesCard(message.timescales));
    if (message.progress) li.appendChild(progressTable(message.progress));
    return li;
  }

  // --- The citation panel -------------------------------------------------------------------

  // White space folded to single spaces, with where each folded character came from.
  function fold(text) {
    let out = "";
    const map = [];
    let space = false;
    for (let i = 0; i < text.length; i++) {
      if (/\s/.test(text[i])) { space = true; continue; }
      if (space && out.length) { out += " "; map.push(i - 1); }
      space = false;
      out += text[i];
      map.push(i);
    }
    return { text: out, map: map };
  }

  // Where the quote's sentences (one a line) are in the text, matched whatever the spacing.
  function quoteRanges(text, quote) {
    const folded = fold(text);
    const lower = folded.text.toLowerCase();
    const ranges = [];
    quote.split("\n").forEach(function (part) {
      const wanted = part.split(/\s+/).filter(Boolean).join(" ");
      if (!wanted) return;
      let at = folded.text.indexOf(wanted);
      if (at < 0) at = lower.indexOf(wanted.toLowerCase());
      if (at < 0) return;
      ranges.push([folded.map[at], folded.map[at + wanted.length - 1] + 1]);
    });
    ranges.sort(function (a, b) { return a[0] - b[0]; });
    const merged = [];
    ranges.forEach(function (r) {
      const last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push(r.slice());
    });
    return merged;
  }

  function highlighted(text, ranges) {
    const nodes = [];
    let at = 0;
    ranges.forEach(function (r) {
      if (r[0] > at) nodes.push(document.createTextNode(text.slice(at, r[0])));
      nodes.push(element("mark", text.slice(r[0], r[1])));
      at = r[1];
    });
    if (at < text.length) nodes.push(document.createTextNode(text.slice(at)));
    return nodes;
  }

  let opener = null;
  let citationRequest = 0;

  async function openCitation(citation, from) {
    opener = from;
    const request = ++citationRequest;
    $("citation-title").textContent = citation.title;
    $("citation-meta").textContent = authorityName(citation.authority) + " · " + citation.source_version;
    $("citation-note").textContent = "Loading the text…";
    const body = $("citation-text");
    body.replaceChildren();
    if (!dialog.open) dialog.showModal();
    $("citation-close").focus();
    let section;
    try {
      const path = citation.section_id.split("/").map(encodeURIComponent).join("/");
      const response = await fetch("/api/sections/" + path);
      if (!response.ok) throw new Error("HTTP " + response.status);
      section = await response.json();
    } catch (err) {
      if (request === citationRequest) $("citation-note").textContent = "Could not load the text. Try again in a moment.";
      return;
    }
    if (request !== citationRequest || !dialog.open) return;
    $("citation-title").textContent = section.title;
    $("citation-meta").textContent = section.authority_name + " · " + section.source_version +
      (section.last_updated ? " · last updated " + section.last_updated : "");
    const ranges = citation.quote ? quoteRanges(section.text, citation.quote) : [];
    body.replaceChildren.apply(body, highlighted(section.text, ranges));
    $("citation-note").textContent = ranges.length
      ? "The passage the answer relied on is highlighted."
      : citation.quote
        ? "The passage the answer quoted is not in this version of the text; the whole section is shown."
        : "";
    const mark = body.querySelector("mark");
    if (mark) body.scrollTop = Math.max(0, mark.offsetTop - body.offsetTop - body.clientHeight / 3);
    else body.scrollTop = 0;
  }

  $("citation-close").addEventListener("click", function () { dialog.close(); });
  // A click on the backdrop (the dialog itself, outside its content) closes it too.
  dialog.addEventListener("click", function (event) { if (event.target === dialog) dialog.close(); });
  dialog.addEventListener("close", function () {
    citationRequest++;
    if (opener && opener.isConnected) opener.focus();
    opener = null;
  });

  // --- Timescales card ----------------------------------------------------------------------

  // The dates of a timescales answer as a table, with an .ics download for Outlook.
  function timescalesCard(t) {
    const card = element("div", null, "timescales");
    const table = element("table");
    table.appendChild(element("caption", "Key dates"));
    (t.dates || []).forEach(function (d) {
      const row = table.insertRow();
      const label = element("th", d.label);
      label.scope = "row";
      row.appendChild(label);
      row.insertCell().textContent = d.date_text + (d.status ? " (" + d.status + ")" : "");
    });
    card.appendChild(table);
    card.appendChild(button("Add these dates to my calendar (.ics)", async function () {
      const body = { authority: t.authority, referral_date: t.referral_date };
      if (t.expected_delivery_date) body.expected_delivery_date = t.expected_delivery_date;
      if (t.date_of_birth) body.date_of_birth = t.date_of_birth;
      let response;
      try {
        response = await fetch("/api/timescales.ics", {
          method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
        });
      } catch (err) { response = null; }
      if (!response || !response.ok) { status.textContent = "Could not make the calendar file."; return; }
      const url = URL.createObjectURL(await response.blob());
      const link = element("a");
      link.href = url;
      link.download = "assessment-timescales-" + t.authority + "-" + t.referral_date + ".ics";
      document.body.appendChild(link);
      link.click();
      link.remove();
      window.setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
      status.textContent = "Calendar file downloaded.";
    }));
    return card;
  }

  // --- The plan panel -----------------------------------------------------------------------

  // The plan being built: it grows as the worker answers, and can be downloaded at any time.
  const EXPORT_NAMES = { docx: "Word (for your manager)", md: "Markdown", ics: "Calendar (.ics)", family: "Family version" };

  function hidePlan() {
    planPanel.hidden = true;
    layout.classList.remove("with-plan");
  }

  async function showPlan(planId) {
    let body;
    try {
      const response = await fetch("/api/plans/" + encodeURIComponent(planId));
      if (!response.ok) { if (response.status === 404) localStorage.removeItem(KEYS.plan); return; }
      body = await response.json();
    } catch (err) { return; }
    localStorage.setItem(KEYS.plan, planId);
    const plan = body.plan, view = body.view;
    const answered = view.questions.filter(function (q) { return q.status === "answered"; }).length;
    $("plan-summary").textContent =
      (plan.children.map(function (c) { return c.reference; }).join(", ") || "No children named yet") +
      " · reference " + plan.id + " · version " + plan.version + " · " + answered + " of " +
      view.questions.length + " questions answered" + (plan.finished ? " · complete" : "");
    const exports = $("plan-exports");
    exports.replaceChildren();
    Object.keys(EXPORT_NAMES).forEach(function (format) {
      const link = element("a", EXPORT_NAMES[format]);
      link.href = "/api/plans/" + encodeURIComponent(plan.id) + "/export?format=" + format;
      link.setAttribute("download", "");
      exports.appendChild(link);
    });
    if (!plan.finished) {
      exports.appendChild(button("Carry on with this plan", function () {
        send("carry on with plan " + plan.id);
      }, "secondary"));
    }
    const content = $("plan-body");
    content.replaceChildren();
    if (view.dates.length) {
      content.appendChild(element("h3", "Dates"));
      const list = element("ul");
      view.dates.forEach(function (d) { list.appendChild(element("li", d.label + ": " + d.date_text)); });
      view.warnings.forEach(function (w) { list.appendChild(element("li", w, "warning")); });
      content.appendChild(list);
    }
    const done = view.questions.filter(function (q) { return q.answer; });
    if (done.length) {
      content.appendChild(element("h3", "Planning"));
      const list = element("dl");
      done.forEach(function (q) { list.appendChild(element("dt", q.heading)); list.appendChild(element("dd", q.answer)); });
      content.appendChild(list);
    }
    if (view.actions.length) {
      content.appendChild(element("h3", "Actions"));
      const list = element("ul");
      view.actions.forEach(function (a) {
        list.appendChild(element("li", a.who + ": " + a.what + (a.date_text ? " — by " + a.date_text : "")));
      });
      content.appendChild(list);
    }
    planPanel.hidden = false;
    layout.classList.add("with-plan");
  }

  // --- Sending and restoring ----------------------------------------------------------------

  function setAuthority(id) {
    picker.value = id;
    localStorage.setItem(KEYS.authority, id);
  }

  // What an assistant message does beyond being shown: switch the authority, show the plan.
  // Scores by topic as a table: in a "how am I doing?" answer and in the My progress panel.
  function progressTable(progress) {
    const tried = progress.topics.filter(function (t) { return t.attempts > 0; });
    if (!tried.length) return element("p", "No quiz questions answered yet: say “quiz me”.");
    const table = element("table", null, "progress");
    const caption = element("caption", "Quiz answers by topic");
    table.appendChild(caption);
    const head = table.createTHead().insertRow();
    ["Topic", "Right", "To revisit"].forEach(function (h) {
      const th = element("th", h); th.scope = "col"; head.appendChild(th);
    });
    const rows = table.createTBody();
    progress.topics.forEach(function (t) {
      const row = rows.insertRow();
      const th = element("th", t.title); th.scope = "row"; row.appendChild(th);
      row.insertCell().textContent = t.attempts ? (t.correct + " of " + t.attempts) : "not tried";
      row.insertCell().textContent = t.to_revisit ? String(t.to_revisit) : "";
    });
    return table;
  }

  const progressDialog = $("progress-dialog");
  $("my-progress").addEventListener("click", async function () {
    const body = $("progress-body");
    body.replaceChildren(element("p", "Loading…"));
    progressDialog.showModal();
    try {
      const response = await fetch("/api/learning/progress?learner_id=" + encodeURIComponent(learnerId));
      const progress = await response.json();
      body.replaceChildren(response.ok ? progressTable(progress) : element("p", progress.message || "Could not load your progress."));
      if (response.ok) {
        const cases = Object.keys(progress.cases || {}).length;
        body.appendChild(element("p", cases ? ("Practice cases tried: " + cases + ".") : "No practice cases tried yet: say “give me a practice case”."));
      }
    } catch (err) {
      body.replaceChildren(element("p", "Could not load your progress."));
    }
    $("progress-close").focus();
  });
  $("progress-close").addEventListener("click", function () { progressDialog.close(); $("my-progress").focus(); });

  function apply(message) {
    if (message.plan && message.plan.id) showPlan(message.plan.id);
    if (message.authority) setAuthority(message.authority);
  }

  function errorBubble(text) {
    const li = bubble("Problem: ", text, "error");
    log.appendChild(li);
    li.scrollIntoView({ block: "nearest" });
    announce([text]);
  }

  // `shown` is what the worker sees for a quick reply (its title; `text` is its payload).
  // A turn that failed (503, network) and is sent again keeps its Idempotency-Key, so that if
  // the engine had in fact handled it, the server answers it from there instead of twice.
  let unanswered = null;  // {conversation, text, key}
  function turnKey(conversation, text) {
    if (!unanswered || unanswered.conversation !== conversation || unanswered.text !== text) {
      unanswered = { conversation: conversation, text: text, key: newTurnKey() };
    }
    return unanswered.key;
  }
  function newTurnKey() {
    return crypto.randomUUID ? crypto.randomUUID()
      : String(Date.now()) + Math.random().toString(16).slice(2);
  }

  async function send(text, shown, fromButton) {
    const mine = workerBubble(shown || text);
    log.appendChild(mine);
    updateEmpty();
    mine.scrollIntoView({ block: "nearest" });
    status.textContent = "Thinking…";
    const sentFor = conversationId;
    inFlight += 1;
    const retry = fromButton ? "Try the button again." : "Your message is still in the box; try again.";
    const key = turnKey(sentFor, text);
    try {
      const response = await fetch("/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Idempotency-Key": key },
        body: JSON.stringify({
          conversation_id: sentFor, message: text, authority: picker.value || null, learner_id: learnerId,
        }),
      });
      const body = await response.json();
      if (!response.ok) {
        mine.remove();  // not recorded on the server either
        errorBubble((body.message || ("Something went wrong (HTTP " + response.status + ").")) + " " + retry);
        return false;
      }
      if (unanswered && unanswered.key === key) unanswered = null;
      if (sentFor !== conversationId) return true;  // a new conversation was started meanwhile
      seen += 1 + body.messages.length;
      let last = mine;
      body.messages.forEach(function (m) {
        last = assistantBubble(m);
        log.appendChild(last);
        apply(m);
      });
      announce(body.messages.map(function (m) { return "Assistant: " + (m.text || ""); }));
      last.scrollIntoView({ block: "nearest" });
      return true;
    } catch (err) {
      mine.remove();
      errorBubble("Could not reach the assistant. " + retry);
      return false;
    } finally {
      inFlight -= 1;
      status.textContent = "";
    }
  }

  // Messages the server added on its own (a checkpoint reminder on its day), shown while the
  // page is open: the conversation is checked every minute and when the page is shown again.
  let seen = 0, inFlight = 0;
  const CHECK_EVERY_MS = 60000;

  async function checkForNew() {
    if (inFlight || document.hidden) return;
    const wanted = conversationId;
    let body;
    try {
      const response = await fetch("/api/chat/" + encodeURIComponent(wanted) + "/messages");
      if (!response.ok) return;
      body = await response.json();
    } catch (err) {
      return;
    }
    if (wanted !== conversationId || inFlight || body.messages.length <= seen) return;
    const fresh = body.messages.slice(seen);
    seen = body.messages.length;
    fresh.forEach(function (m) {
      if (m.role === "worker") { log.appendChild(workerBubble(m.text)); return; }
      log.appendChild(assistantBubble(m));
      apply(m);
    });
    updateEmpty();
    announce(fresh.filter(function (m) { return m.role !== "worker"; })
      .map(function (m) { return "Assistant: " + (m.text || ""); }));
    const last = log.lastElementChild;
    if (last) last.scrollIntoView({ block: "nearest" });
  }

  setInterval(checkForNew, CHECK_EVERY_MS);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) checkForNew(); });

  // The conversation so far, from the server: the page can be reloaded without losing it.
  async function restore() {
    const wanted = conversationId;
    status.textContent = "Loading the conversation…";
    let body;
    try {
      const response = await fetch("/api/chat/" + encodeURIComponent(wanted) + "/messages");
      // An id that is malformed or not this worker's (signed in as someone else): start afresh.
      if (response.status === 422 || response.status === 404) { conversationId = newConversationId(); }
      if (!response.ok) return;
      body = await response.json();
    } catch (err) {
      return;
    } finally {
      status.textContent = "";
    }
    if (wanted !== conversationId) return;
    seen = body.messages.length;
    const restored = document.createDocumentFragment();
    let planId = null, authority = null;
    body.messages.forEach(function (m) {
      if (m.role === "worker") { restored.appendChild(workerBubble(m.text)); return; }
      restored.appendChild(assistantBubble(m));
      if (m.plan && m.plan.id) planId = m.plan.id;
      if (m.authority) authority = m.authority;
    });
    log.insertBefore(restored, log.firstChild);
    updateEmpty();
    if (!picker.value && authority) setAuthority(authority);
    const plan = planId || localStorage.getItem(KEYS.plan);
    if (plan) showPlan(plan);
    if (body.messages.length) {
      status.textContent = "Conversation restored: " + body.messages.length + " messages.";
      const last = log.lastElementChild;
      if (last) last.scrollIntoView({ block: "end" });
    }
  }

  // A new conversation: a new id, an empty log. The old conversation stays on the server.
  $("new-conversation").addEventListener("click", function () {
    conversationId = newConversationId();
    seen = 0;
    log.replaceChildren();
    updateEmpty();
    localStorage.removeItem(KEYS.plan);
    hidePlan();
    input.value = "";
    status.textContent = "New conversation started.";
    input.focus();
  });

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    const ok = await send(text);
    if (!ok && !input.value) input.value = text;  // keep what was typed so nothing is lost
    input.focus();
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  picker.addEventListener("change", function () { localStorage.setItem(KEYS.authority, picker.value); });

  async function start() {
    try {
      const response = await fetch("/api/authorities");
      const list = await response.json();
      list.forEach(function (a) {
        authorityNames[a.id] = a.name;
        const option = element("option", a.name);
        option.value = a.id;
        picker.appendChild(option);
      });
    } catch (err) {
      status.textContent = "Could not load the list of authorities.";
    }
    const saved = localStorage.getItem(KEYS.authority);
    if (saved && authorityNames[saved]) picker.value = saved;
    await restore();
    document.body.dataset.ready = "1";  // for the browser tests: restored and ready
  }

  start();
})();
