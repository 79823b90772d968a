"use strict";
// Minimal chat client for POST /api/chat; no external scripts so it works offline.
(function () {
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("message");
  const picker = document.getElementById("authority");
  const status = document.getElementById("status");

  const conversationId = localStorage.getItem("conversationId") ||
    ("web-" + (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2)));
  localStorage.setItem("conversationId", conversationId);

  function addBubble(text, cls) {
    const li = document.createElement("li");
    if (cls) li.className = cls;
    li.textContent = text;
    log.appendChild(li);
    li.scrollIntoView({ block: "end" });
    return li;
  }

  function showMessage(message) {
    const li = addBubble(message.text || "", "bot");
    if (message.buttons && message.buttons.length) {
      const row = document.createElement("div");
      row.className = "buttons";
      message.buttons.forEach(function (b) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = b.title;
        button.addEventListener("click", function () { send(b.payload, b.title); });
        row.appendChild(button);
      });
      li.appendChild(row);
    }
    if (message.citations && message.citations.length) {
      // The answer names its sources; here each can be opened to read the procedure's text.
      const sources = document.createElement("details");
      sources.className = "sources";
      const summary = document.createElement("summary");
      summary.textContent = "Read the procedure text (" + message.citations.length + ")";
      sources.appendChild(summary);
      message.citations.forEach(function (c) {
        const item = document.createElement("details");
        const title = document.createElement("summary");
        title.textContent = c.title + " (" + c.source_version + ")";
        item.appendChild(title);
        const body = document.createElement("p");
        body.className = "section-text";
        item.appendChild(body);
        item.addEventListener("toggle", function () {
          if (!item.open || body.dataset.loaded) return;
          fetch("/api/sections/" + c.section_id).then(function (r) { return r.json(); })
            .then(function (section) { body.textContent = section.text; body.dataset.loaded = "1"; })
            .catch(function () { body.textContent = "Could not load the text."; });
        });
        sources.appendChild(item);
      });
      li.appendChild(sources);
    }
    if (message.timescales) li.appendChild(timescalesCard(message.timescales));
    if (message.plan) showPlan(message.plan.id);
    if (message.authority) setAuthority(message.authority);
  }

  // The dates of a timescales answer as a table, with an .ics download for Outlook.
  function timescalesCard(t) {
    const card = document.createElement("div");
    card.className = "timescales";
    const table = document.createElement("table");
    const caption = document.createElement("caption");
    caption.textContent = "Key dates";
    table.appendChild(caption);
    t.dates.forEach(function (d) {
      const row = table.insertRow();
      const label = document.createElement("th");
      label.scope = "row";
      label.textContent = d.label;
      row.appendChild(label);
      row.insertCell().textContent = d.date_text + (d.status ? " (" + d.status + ")" : "");
    });
    card.appendChild(table);
    const download = document.createElement("button");
    download.type = "button";
    download.textContent = "Add these dates to my calendar (.ics)";
    download.addEventListener("click", async function () {
      const body = { authority: t.authority, referral_date: t.referral_date };
      if (t.expected_delivery_date) body.expected_delivery_date = t.expected_delivery_date;
      if (t.date_of_birth) body.date_of_birth = t.date_of_birth;
      const response = await fetch("/api/timescales.ics", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
      });
      if (!response.ok) { status.textContent = "Could not make the calendar file."; return; }
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement("a");
      link.href = url;
      link.download = "assessment-timescales-" + t.referral_date + ".ics";
      document.body.appendChild(link);
      link.click();
      link.remove();
      URL.revokeObjectURL(url);
    });
    card.appendChild(download);
    return card;
  }

  // The plan being built: it grows as the worker answers, and can be downloaded at any time.
  const planPanel = document.getElementById("plan");
  const EXPORT_NAMES = { docx: "Word (for your manager)", md: "Markdown", ics: "Calendar (.ics)", family: "Family version" };

  function element(tag, text, cls) {
    const node = document.createElement(tag);
    if (text) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  async function showPlan(planId) {
    let body;
    try {
      const response = await fetch("/api/plans/" + encodeURIComponent(planId));
      if (!response.ok) { if (response.status === 404) localStorage.removeItem("planId"); return; }
      body = await response.json();
    } catch (err) { return; }
    localStorage.setItem("planId", planId);
    const plan = body.plan, view = body.view;
    const answered = view.questions.filter(function (q) { return q.status === "answered"; }).length;
    document.getElementById("plan-summary").textContent =
      (plan.children.map(function (c) { return c.reference; }).join(", ") || "No children named yet") +
      " · reference " + plan.id + " · version " + plan.version + " · " + answered + " of " +
      view.questions.length + " questions answered" + (plan.finished ? " · complete" : "");
    const exports = document.getElementById("plan-exports");
    exports.replaceChildren();
    Object.keys(EXPORT_NAMES).forEach(function (format) {
      const link = element("a", EXPORT_NAMES[format]);
      link.href = "/api/plans/" + plan.id + "/export?format=" + format;
      link.setAttribute("download", "");
      exports.appendChild(link);
    });
    if (!plan.finished) {
      const resume = element("button", "Carry on with this plan");
      resume.type = "button";
      resume.addEventListener("click", function () { send("carry on with plan " + plan.id); });
      exports.appendChild(resume);
    }
    const content = document.getElementById("plan-body");
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
  }

  function setAuthority(id) {
    picker.value = id;
    localStorage.setItem("authority", id);
  }

  async function send(text, shown) {
    addBubble(shown || text, "mine");
    status.textContent = "Thinking…";
    try {
      const response = await fetch("/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ conversation_id: conversationId, message: text, authority: picker.value || null }),
      });
      const body = await response.json();
      if (!response.ok) {
        addBubble(body.message || ("Something went wrong (HTTP " + response.status + ")."), "error");
        return false;
      }
      body.messages.forEach(showMessage);
      return true;
    } catch (err) {
      addBubble("Could not reach the assistant. Your message is still in the box; try again.", "error");
      return false;
    } finally {
      status.textContent = "";
    }
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    const ok = await send(text);
    if (!ok) input.value = text;  // keep what was typed so nothing is lost
    input.focus();
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });

  picker.addEventListener("change", function () { localStorage.setItem("authority", picker.value); });

  fetch("/api/authorities").then(function (r) { return r.json(); }).then(function (list) {
    list.forEach(function (a) {
      const option = document.createElement("option");
      option.value = a.id;
      option.textContent = a.name;
      picker.appendChild(option);
    });
    const saved = localStorage.getItem("authority");
    if (saved) picker.value = saved;
  });

  const savedPlan = localStorage.getItem("planId");
  if (savedPlan) showPlan(savedPlan);
})();
